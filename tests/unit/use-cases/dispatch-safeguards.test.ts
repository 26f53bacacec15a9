import { describe, expect, it } from "vitest";
import type { OutboxMessage } from "../../../lambdas/domain/outbox";
import { dispatchMessage } from "../../../lambdas/use-cases/dispatch-message";
import {
  consentsOf,
  dependencies,
  FakeOutbox,
  message,
  NOW,
  offerMessage,
  REFERENCE,
} from "./dispatch-fakes";

/** Builds an unusual-spending insight alert, whose rule needs the personalized_insights consent. */
function insightMessage(channel: OutboxMessage["channel"]): OutboxMessage {
  return { ...message(channel), messageId: `insight-${channel}`, ruleId: "unusual-spending" };
}

function failWith(name: string): () => Promise<never> {
  return async () => {
    const error = new Error("connection reset while reading");
    error.name = name;
    throw error;
  };
}

describe("dispatchMessage consent check", () => {
  it.each([
    ["offer by push", offerMessage("push"), { marketing: false }, "marketing"],
    ["offer by e-mail", offerMessage("email"), { marketing: false }, "marketing"],
    ["offer in the inbox", offerMessage("inbox"), {}, "marketing"],
    [
      "insight alert by push",
      insightMessage("push"),
      { personalized_insights: false },
      "personalized_insights",
    ],
  ] as const)("suppresses an %s after a withdrawal", async (_case, stored, granted, purpose) => {
    // Prepare
    const outbox = new FakeOutbox(stored);
    const { deps, pushed, emailed, inbox, published } = dependencies(outbox, {
      consents: consentsOf(granted),
      emailAddress: "customer@example.invalid",
    });

    // Act
    const outcome = await dispatchMessage(REFERENCE, deps);

    // Assess
    expect(outcome.status).toBe("suppressed");
    expect(pushed).toEqual([]);
    expect(emailed).toEqual([]);
    expect(inbox).toEqual([]);
    expect(outbox.status).toBe("suppressed");
    expect(outbox.results).toEqual([
      { status: "suppressed", reason: `the customer no longer grants the ${purpose} consent` },
    ]);
    expect(published).toEqual(["MessageFailed"]);
  });

  it("sends an offer while marketing consent holds", async () => {
    const outbox = new FakeOutbox(offerMessage("push"));
    const { deps, pushed } = dependencies(outbox, { consents: consentsOf({ marketing: true }) });

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome.status).toBe("delivered");
    expect(pushed).toEqual(["offer-push"]);
  });

  it("sends an alert without consents unread", async () => {
    // Prepare: no consent granted at all.
    const outbox = new FakeOutbox(message("push"));
    const { deps, pushed, consentReads } = dependencies(outbox, { consents: {} });

    // Act
    const outcome = await dispatchMessage(REFERENCE, deps);

    // Assess
    expect(outcome.status).toBe("delivered");
    expect(pushed).toEqual(["m-push"]);
    expect(consentReads).toEqual([]);
  });

  it("publishes an offer's derived event", async () => {
    // Prepare: the OfferPresented event goes to the bank's bus, not to the customer.
    const stored: OutboxMessage = {
      ...offerMessage("event"),
      event: { detailType: "OfferPresented", detail: { customerId: "c-1", ruleId: "instalment-offer" } },
    };
    const outbox = new FakeOutbox(stored);
    const { deps, published, consentReads } = dependencies(outbox, {
      consents: consentsOf({ marketing: false }),
    });

    // Act
    const outcome = await dispatchMessage(REFERENCE, deps);

    // Assess
    expect(outcome.status).toBe("delivered");
    expect(published).toEqual(["OfferPresented"]);
    expect(consentReads).toEqual([]);
  });

  it("needs marketing consent for an offer missing from the catalog", async () => {
    const outbox = new FakeOutbox({ ...offerMessage("push"), ruleId: "retired-offer" });
    const { deps, pushed } = dependencies(outbox, { consents: {} });

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome.status).toBe("suppressed");
    expect(pushed).toEqual([]);
  });

  it("skips a suppressed message when claimed again", async () => {
    const outbox = new FakeOutbox(offerMessage("push"));
    const { deps } = dependencies(outbox, { consents: consentsOf({ marketing: false }) });
    await dispatchMessage(REFERENCE, deps);

    const outcome = await dispatchMessage(REFERENCE, deps);

    expect(outcome).toEqual({ status: "skipped", reason: "done" });
  });
});

describe("dispatchMessage errors before sending", () => {
  it.each([
    ["device lookup", message("push"), { recipients: "activeDevices" }, "push: reading the push devices"],
    ["e-mail lookup", message("email"), { recipients: "emailAddress" }, "email: reading the e-mail address"],
    ["consent read", offerMessage("push"), { recipients: "consents" }, "push: reading the consents"],
    ["inbox put", message("inbox"), { inbox: "add" }, "inbox: adding the inbox entry"],
  ] as const)("releases the claim after a failed %s", async (_case, stored, failing, reasonStart) => {
    // Prepare
    const outbox = new FakeOutbox(stored);
    const { deps, pushed, published } = dependencies(outbox);
    const broken =
      "recipients" in failing
        ? {
            recipients: {
              ...deps.recipients,
              [failing.recipients]: failWith("ProvisionedThroughputExceededException"),
            },
          }
        : { inbox: { add: failWith("ProvisionedThroughputExceededException") } };

    // Act
    const outcome = await dispatchMessage(REFERENCE, { ...deps, ...broken });

    // Assess
    expect(outcome.status).toBe("retry");
    expect(outbox.status).toBe("deferred");
    expect(outbox.attempts).toBe(1);
    expect(pushed).toEqual([]);
    expect(published).toEqual([]);
    const [result] = outbox.results;
    expect(result).toHaveProperty("status", "retry");
    expect(result).toHaveProperty(
      "reason",
      `${reasonStart} failed before sending (ProvisionedThroughputExceededException)`,
    );
    expect(result).toHaveProperty("nextAttemptAt", new Date(NOW.getTime() + 60_000));
  });

  it("sends on the next attempt after a failed device lookup", async () => {
    // Prepare
    const outbox = new FakeOutbox(message("push"));
    const { deps, pushed, published } = dependencies(outbox);
    const failing = { ...deps, recipients: { ...deps.recipients, activeDevices: failWith("TimeoutError") } };
    await dispatchMessage(REFERENCE, failing);

    // Act: the release job claims the deferred message once its retry time has passed.
    outbox.status = "pending";
    const outcome = await dispatchMessage(REFERENCE, deps);

    // Assess
    expect(outcome.status).toBe("delivered");
    expect(pushed).toEqual(["m-push"]);
    expect(outbox.attempts).toBe(2);
    expect(published).toEqual(["MessageDelivered"]);
  });

  it("fails after the last attempt", async () => {
    const outbox = new FakeOutbox(message("push"));
    outbox.attempts = 2;
    const { deps } = dependencies(outbox);
    const failing = { ...deps, recipients: { ...deps.recipients, activeDevices: failWith("TimeoutError") } };

    const outcome = await dispatchMessage(REFERENCE, failing);

    expect(outcome.status).toBe("failed");
    expect(outbox.results).toEqual([
      {
        status: "failed",
        reason:
          "gave up after 3 attempts; last error: push: reading the push devices failed before sending (TimeoutError)",
      },
    ]);
  });

  it("keeps the claim when the provider call throws", async () => {
    // Prepare: an error from inside the provider call leaves the delivery unknown.
    const outbox = new FakeOutbox(message("push"));
    const { deps } = dependencies(outbox, { push: { send: failWith("TypeError") } });

    // Act
    const attempt = dispatchMessage(REFERENCE, deps);

    // Assess
    await expect(attempt).rejects.toThrow("connection reset while reading");
    expect(outbox.status).toBe("sending");
    expect(outbox.results).toEqual([]);
  });
});

describe("dispatchMessage result recording", () => {
  it("publishes no result when another invocation settled first", async () => {
    // Prepare: while this send ran past its lease, the release job recorded the message as failed.
    const outbox = new FakeOutbox(message("push"));
    const { deps, pushed, published } = dependencies(outbox);
    outbox.beforeRecord = () => {
      outbox.status = "failed";
    };

    // Act
    const outcome = await dispatchMessage(REFERENCE, deps);

    // Assess
    expect(pushed).toEqual(["m-push"]);
    expect(outcome).toMatchObject({ status: "superseded", channel: "push", result: "delivered" });
    expect(published).toEqual([]);
    expect(outbox.addedEvents).toEqual([]);
  });

  it("publishes no failure for an interrupted send recorded meanwhile", async () => {
    // Prepare: the release job finds an expired lease, but the slow send records delivered first.
    const outbox = new FakeOutbox(message("push"));
    outbox.status = "sending";
    outbox.attempts = 1;
    outbox.leaseExpired = true;
    const { deps, published } = dependencies(outbox);
    outbox.beforeRecord = () => {
      outbox.status = "delivered";
    };

    // Act
    const outcome = await dispatchMessage(REFERENCE, deps);

    // Assess
    expect(outcome).toMatchObject({ status: "superseded", result: "failed" });
    expect(published).toEqual([]);
  });
});

describe("dispatchMessage e-mail marking", () => {
  it.each([
    ["an offer", offerMessage("email"), true],
    ["an alert", message("email"), false],
  ])("sets the marketing flag for %s", async (_case, stored, marketing) => {
    const outbox = new FakeOutbox(stored);
    const { deps, emailed } = dependencies(outbox, {
      emailAddress: "customer@example.invalid",
      consents: consentsOf({ marketing: true }),
    });

    await dispatchMessage(REFERENCE, deps);

    expect(emailed).toEqual([{ messageId: stored.messageId, marketing }]);
  });
});
