import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { loadDeploymentConfig } from "../../lib/config";

function load(context: Record<string, unknown>) {
  return () => loadDeploymentConfig(new App({ context }).node);
}

describe("loadDeploymentConfig", () => {
  it("reads the defaults from an empty context", () => {
    // Act
    const config = load({})();

    // Assess
    expect(config.apiRateLimit).toBe(200);
    expect(config.archiveRetentionDays).toBe(365);
  });

  it("names the bound a number breaks", () => {
    // Act and assess
    expect(load({ apiRateLimit: -5 })).toThrow(
      'Invalid deployment settings: context value "apiRateLimit" must be at least 1, not the number -5',
    );
    expect(load({ archiveRetentionDays: 500 })).toThrow(
      'context value "archiveRetentionDays" must be at most 365, not the number 500',
    );
  });

  it("lists every problem in one error", () => {
    // Act and assess
    expect(
      load({ apiRateLimit: -5, sesIdentity: "bank.example", cognitoUserPoolId: "ap-southeast-1_abc" }),
    ).toThrow(
      'Invalid deployment settings: context value "apiRateLimit" must be at least 1, not the number -5; ' +
        'set both context values "sesIdentity" and "emailFromAddress", or neither; ' +
        '"cognitoUserPoolId" needs "cognitoClientIds", the app clients whose tokens the API accepts',
    );
  });
});
