import { Logger } from "@aws-lambda-powertools/logger";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigurationError } from "../../../lambdas/config/environment";
import { createDispatchDependencies } from "../../../lambdas/handlers/dispatch/dependencies";

/** The environment of a deployment with e-mail, as the stack sets it; no client call is made. */
const ENVIRONMENT = {
  TABLE_NAME: "personalization-table",
  PINPOINT_APPLICATION_ID: "app-1",
  EVENT_BUS_NAME: "bank-bus",
  EMAIL_FROM_ADDRESS: "no-reply@bank.example",
  AWS_REGION: "ap-southeast-1",
};

function silentLogger() {
  const logger = new Logger({ serviceName: "dispatch-test", logLevel: "SILENT" });
  const warn = vi.spyOn(logger, "warn");
  return { logger, warn };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createDispatchDependencies", () => {
  it("warns once without UNSUBSCRIBE_URL", () => {
    const { logger, warn } = silentLogger();

    createDispatchDependencies({ logger }, ENVIRONMENT);

    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain("UNSUBSCRIBE_URL is not set");
  });

  it("accepts an https UNSUBSCRIBE_URL silently", () => {
    const { logger, warn } = silentLogger();

    createDispatchDependencies(
      { logger },
      { ...ENVIRONMENT, UNSUBSCRIBE_URL: "https://bank.example/unsubscribe" },
    );

    expect(warn).not.toHaveBeenCalled();
  });

  it("skips the warning without e-mail", () => {
    const { logger, warn } = silentLogger();
    const { EMAIL_FROM_ADDRESS: _unset, ...withoutEmail } = ENVIRONMENT;

    createDispatchDependencies({ logger }, withoutEmail);

    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ["plain http", "http://bank.example/unsubscribe"],
    ["no URL", "unsubscribe"],
  ])("rejects an UNSUBSCRIBE_URL with %s", (_case, url) => {
    const { logger } = silentLogger();

    const create = () => createDispatchDependencies({ logger }, { ...ENVIRONMENT, UNSUBSCRIBE_URL: url });

    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow("UNSUBSCRIBE_URL must be an https URL such as https://bank.example/unsubscribe");
  });
});
