import { describe, expect, it } from "vitest";
import { runFaultScenario } from "../../helpers/fault-run";
import { buildScenario } from "../../helpers/fault-scenario";

/**
 * Providers fail: Pinpoint rejects some device tokens for good and fails others for now, or fails a
 * whole request with HTTP 500; SES throttles or rejects; PutEvents reports failed entries. Every
 * decided message must still be delivered once or recorded as failed with the provider's reason.
 */

function outboxOf(result: Awaited<ReturnType<typeof runFaultScenario>>, channel: string) {
  return result.contents.outbox.filter((item) => item.channel === channel);
}

describe("channel failures", () => {
  it("handles push results per device address", async () => {
    const scenario = buildScenario({
      prefix: "push-addresses",
      customers: 10,
      eventsPerCustomer: 6,
      seed: 5,
    });

    const result = await runFaultScenario({
      tablePrefix: "push-addresses",
      scenario,
      providerFaults: { flakyTokenFailureRate: 0.5 },
      seed: 5,
    });

    expect(result.problems.deliveries).toEqual([]);
    expect(result.providers.faults.pushInvalidTokens).toBeGreaterThan(0);
    expect(result.providers.faults.pushTemporaryFailures).toBeGreaterThan(0);
    const invalidDevices = result.contents.devices.filter((device) => device.deviceId === "old-tablet");
    expect(invalidDevices.length).toBeGreaterThan(0);
    for (const device of invalidDevices) {
      expect(device.active, String(device.PK)).toBe(false);
      expect(device.deactivationReason, String(device.PK)).toBe("PERMANENT_FAILURE (410): BadDeviceToken");
    }
    const push = outboxOf(result, "push");
    const reasons = new Set(
      push.filter((item) => item.status === "failed").map((item) => String(item.lastError)),
    );
    expect(reasons).toContain("no active push device registered");
    expect(reasons).toContain(
      "gave up after 6 attempts; last error: push: TEMPORARY_FAILURE (503): ServiceUnavailable",
    );
    expect(push.some((item) => item.deliveryDetail === "1 of 2 devices")).toBe(true);
  }, 120_000);

  it("retries push after HTTP 500 responses", async () => {
    const scenario = buildScenario({ prefix: "push-5xx", customers: 5, eventsPerCustomer: 6, seed: 6 });

    const result = await runFaultScenario({
      tablePrefix: "push-5xx",
      scenario,
      providerFaults: { pushServerErrorRate: 0.4 },
      seed: 6,
    });

    expect(result.problems.deliveries).toEqual([]);
    expect(result.providers.faults.pushServerErrors).toBeGreaterThan(0);
    const retried = outboxOf(result, "push").filter((item) => Number(item.attempts) > 1);
    expect(retried.length).toBeGreaterThan(0);
  }, 120_000);

  it("retries e-mail that SES throttles and fails e-mail it rejects", async () => {
    const scenario = buildScenario({ prefix: "ses", customers: 5, eventsPerCustomer: 8, seed: 8 });

    const result = await runFaultScenario({
      tablePrefix: "ses",
      scenario,
      providerFaults: { emailThrottleRate: 0.4 },
      seed: 8,
    });

    expect(result.problems.deliveries).toEqual([]);
    expect(result.providers.faults.emailThrottled).toBeGreaterThan(0);
    const email = outboxOf(result, "email");
    expect(email.some((item) => item.status === "delivered" && Number(item.attempts) > 1)).toBe(true);
    const rejected = email.filter((item) => String(item.customerId) === "ses-3");
    expect(rejected.length).toBeGreaterThan(0);
    for (const item of rejected) {
      expect(item.status, String(item.messageId)).toBe("failed");
      expect(item.lastError, String(item.messageId)).toBe(
        `e-mail: SES rejected e-mail ${String(item.messageId)} (MessageRejected)`,
      );
    }
  }, 120_000);

  it("publishes every derived event despite failed PutEvents entries", async () => {
    const scenario = buildScenario({ prefix: "put-events", customers: 5, eventsPerCustomer: 8, seed: 9 });

    const result = await runFaultScenario({
      tablePrefix: "put-events",
      scenario,
      providerFaults: { eventEntryFailureRate: 0.4 },
      seed: 9,
    });

    expect(result.problems.deliveries).toEqual([]);
    expect(result.providers.faults.eventEntriesFailed).toBeGreaterThan(0);
    const events = outboxOf(result, "event");
    expect(events.some((item) => item.status === "delivered" && Number(item.attempts) > 1)).toBe(true);
    const fallbacks = events.filter((item) =>
      String((item.event as { detailType?: string }).detailType).startsWith("Message"),
    );
    expect(fallbacks.length).toBeGreaterThan(0);
  }, 120_000);
});
