import { describe, expect, it } from "vitest";
import { PermanentDeliveryError, RetryableDeliveryError } from "../../../lambdas/ports/delivery";
import { dispatchMessage } from "../../../lambdas/use-cases/dispatch-message";
import { dependencies, FakeOutbox, message, NOW, REFERENCE } from "./dispatch-fakes";

describe("dispatchMessage", () => {
  it("delivers an inbox message and publishes MessageDelivered", async () => {
    const outbox = new FakeOutbox(message("inbox"));
    const { deps, published, inbox } = dependencies(outbox);

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome.status).toBe("delivered");
    expect(inbox).toEqual(["m-inbox"]);
    expect(outbox.results).toEqual([{ status: "delivered" }]);
    expect(published).toEqual(["MessageDelivered"]);
  });

  it("skips a message delivered before", async () => {
    const outbox = new FakeOutbox(message("inbox"));
    const { deps, inbox } = dependencies(outbox);
    await dispatchMessage(REFERENCE, deps);

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome).toEqual({ status: "skipped", reason: "done" });
    expect(inbox).toHaveLength(1);
  });

  it("deactivates invalid tokens and delivers on the rest", async () => {
    const outbox = new FakeOutbox(message("push"));
    const { deps, deactivated } = dependencies(outbox, {
      devices: [
        { deviceId: "d-1", platform: "android", token: "t-1" },
        { deviceId: "d-2", platform: "ios", token: "t-2" },
      ],
      pushResults: [
        { deviceId: "d-1", status: "delivered" },
        { deviceId: "d-2", status: "invalid-token", detail: "PERMANENT_FAILURE (410): Unregistered" },
      ],
    });

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome.status).toBe("delivered");
    expect(deactivated).toEqual(["d-2"]);
    expect(outbox.results).toEqual([{ status: "delivered", detail: "1 of 2 devices" }]);
  });

  it("retries a throttled push with backoff, then gives up", async () => {
    // Prepare
    const outbox = new FakeOutbox(message("push"));
    const { deps, published } = dependencies(outbox, {
      pushResults: [{ deviceId: "d-1", status: "retryable", detail: "THROTTLED" }],
    });

    // Act: three attempts, the release job claiming the deferred message each time.
    const first = await dispatchMessage(REFERENCE, deps);
    outbox.status = "pending";
    const second = await dispatchMessage(REFERENCE, deps);
    outbox.status = "pending";
    const third = await dispatchMessage(REFERENCE, deps);

    // Assess
    expect([first.status, second.status, third.status]).toEqual(["retry", "retry", "failed"]);
    const [firstResult, secondResult, lastResult] = outbox.results;
    expect(firstResult?.status === "retry" && firstResult.nextAttemptAt).toEqual(
      new Date(NOW.getTime() + 60_000),
    );
    expect(secondResult?.status === "retry" && secondResult.nextAttemptAt).toEqual(
      new Date(NOW.getTime() + 5 * 60_000),
    );
    expect(lastResult).toEqual({
      status: "failed",
      reason: "gave up after 3 attempts; last error: push: THROTTLED",
    });
    expect(published).toEqual(["MessageFailed"]);
  });

  it.each([
    ["retryable", new RetryableDeliveryError("TooManyRequestsException"), "retry"],
    ["permanent", new PermanentDeliveryError("MessageRejected"), "failed"],
  ])("maps a %s e-mail error to %s", async (_kind, error, status) => {
    const outbox = new FakeOutbox(message("email"));
    const { deps } = dependencies(outbox, {
      emailAddress: "customer@example.invalid",
      email: {
        send: async () => {
          throw error;
        },
      },
    });

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome.status).toBe(status);
    expect(JSON.stringify(outcome)).not.toContain("customer@example.invalid");
  });

  it("records an interrupted send as failed instead of sending twice", async () => {
    const outbox = new FakeOutbox(message("email"));
    outbox.status = "sending";
    outbox.attempts = 1;
    outbox.leaseExpired = true;
    let sent = 0;
    const { deps } = dependencies(outbox, {
      emailAddress: "customer@example.invalid",
      email: {
        send: async () => {
          sent += 1;
          return "ses-2";
        },
      },
    });

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome.status).toBe("failed");
    expect(sent).toBe(0);
    expect(outbox.results[0]).toMatchObject({ status: "failed" });
  });

  it("publishes an interrupted derived event again", async () => {
    const outbox = new FakeOutbox({
      ...message("event"),
      event: { detailType: "MessageDelivered", detail: { customerId: "c-1", messageId: "m-push" } },
    });
    outbox.status = "sending";
    outbox.attempts = 1;
    outbox.leaseExpired = true;
    const { deps, published } = dependencies(outbox);

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome.status).toBe("delivered");
    expect(published).toEqual(["MessageDelivered"]);
    expect(outbox.results).toEqual([{ status: "delivered" }]);
  });

  it("falls back to the outbox when the result event cannot be published", async () => {
    const outbox = new FakeOutbox(message("inbox"));
    const { deps } = dependencies(outbox, {
      events: {
        publish: async (events) =>
          events.map((event) => ({ event, error: "ThrottlingException: slow down" })),
      },
    });

    await dispatchMessage(REFERENCE, deps);

    expect(outbox.addedEvents.map((event) => event.event?.detailType)).toEqual(["MessageDelivered"]);
  });
});
