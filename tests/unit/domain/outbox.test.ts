import { describe, expect, it } from "vitest";
import type { Decision } from "../../../lambdas/domain/decide";
import {
  consentsNeededFor,
  type OutboxMessage,
  outboxMessageId,
  outboxMessagesFor,
} from "../../../lambdas/domain/outbox";

const CUSTOMER_ID = "cust-0001";

/** A low balance alert decided at 23:30 in Vietnam and deferred by quiet hours to 07:00. */
const DEFERRED_ALERT: Decision = {
  ruleId: "low-balance",
  ruleVersion: 1,
  kind: "alert",
  severity: "service",
  priority: 90,
  triggerKey: "txn-20261103-000123",
  channels: ["push", "inbox"],
  language: "vi",
  decidedAt: "2026-11-03T16:30:00.000Z",
  notBefore: "2026-11-04T00:00:00.000Z",
  text: {
    title: "Số dư thấp",
    body: "Số dư tài khoản của bạn còn 400.000 ₫, dưới mức cảnh báo 500.000 ₫.",
  },
};

/** An instalment offer for a 6 000 000 VND purchase, sent at once. */
const OFFER: Decision = {
  ruleId: "instalment-offer",
  ruleVersion: 2,
  kind: "offer",
  severity: "marketing",
  priority: 40,
  triggerKey: "txn-20261103-000456",
  channels: ["push", "email", "inbox"],
  language: "en",
  decidedAt: "2026-11-03T03:00:00.000Z",
  text: {
    title: "Pay ₫6,000,000 in 0% instalments",
    body: "Turn your ₫6,000,000 purchase at Điện Máy Xanh into 0% instalments over 6 or 12 months. Offer valid until December 3.",
  },
  offer: { productCode: "CARD_INSTALMENT_0", validUntil: "2026-12-03" },
};

/** Returns the message for `channel`, failing the test when there is none. */
function messageOn(messages: readonly OutboxMessage[], channel: OutboxMessage["channel"]): OutboxMessage {
  const message = messages.find((candidate) => candidate.channel === channel);
  if (!message) throw new Error(`no outbox message for channel "${channel}"`);
  return message;
}

describe("outboxMessagesFor", () => {
  it("makes one message per channel and an event", () => {
    // Act
    const messages = outboxMessagesFor(CUSTOMER_ID, OFFER);

    // Assess
    expect(messages.map((message) => message.channel)).toEqual(["push", "email", "inbox", "event"]);
  });

  it("copies the decision to each channel", () => {
    // Act
    const messages = outboxMessagesFor(CUSTOMER_ID, DEFERRED_ALERT);

    // Assess
    expect(messageOn(messages, "push")).toEqual({
      messageId: outboxMessageId(CUSTOMER_ID, "low-balance", "txn-20261103-000123", "push"),
      customerId: CUSTOMER_ID,
      channel: "push",
      ruleId: "low-balance",
      ruleVersion: 1,
      kind: "alert",
      severity: "service",
      language: "vi",
      title: "Số dư thấp",
      body: "Số dư tài khoản của bạn còn 400.000 ₫, dưới mức cảnh báo 500.000 ₫.",
      triggerKey: "txn-20261103-000123",
      decidedAt: "2026-11-03T16:30:00.000Z",
      notBefore: "2026-11-04T00:00:00.000Z",
    });
  });

  it("carries the offer on each channel", () => {
    // Act
    const messages = outboxMessagesFor(CUSTOMER_ID, OFFER);

    // Assess
    for (const message of messages) {
      expect(message.offer, message.channel).toEqual({
        productCode: "CARD_INSTALMENT_0",
        validUntil: "2026-12-03",
      });
    }
  });

  describe("message ids", () => {
    it("derives each id from customer, rule, trigger and channel", () => {
      // Act
      const messages = outboxMessagesFor(CUSTOMER_ID, OFFER);

      // Assess
      for (const message of messages) {
        expect(message.messageId).toBe(
          outboxMessageId(CUSTOMER_ID, "instalment-offer", "txn-20261103-000456", message.channel),
        );
        expect(message.messageId).toMatch(/^[0-9a-f]{32}$/u);
      }
      expect(new Set(messages.map((message) => message.messageId)).size).toBe(4);
    });

    it("repeats the ids for the same decision", () => {
      // Act
      const first = outboxMessagesFor(CUSTOMER_ID, OFFER);
      const second = outboxMessagesFor(CUSTOMER_ID, structuredClone(OFFER));

      // Assess
      expect(second.map((message) => message.messageId)).toEqual(first.map((message) => message.messageId));
    });

    it("keeps the ids when the text or time changes", () => {
      // Prepare
      const redecided: Decision = {
        ...DEFERRED_ALERT,
        ruleVersion: 2,
        language: "en",
        decidedAt: "2026-11-03T16:31:00.000Z",
        text: { title: "Low balance", body: "Your balance is ₫400,000." },
      };

      // Act
      const first = outboxMessagesFor(CUSTOMER_ID, DEFERRED_ALERT);
      const second = outboxMessagesFor(CUSTOMER_ID, redecided);

      // Assess
      expect(second.map((message) => message.messageId)).toEqual(first.map((message) => message.messageId));
    });

    it.each([
      ["customer", "cust-0002", DEFERRED_ALERT],
      ["rule", CUSTOMER_ID, { ...DEFERRED_ALERT, ruleId: "negative-balance" }],
      ["trigger", CUSTOMER_ID, { ...DEFERRED_ALERT, triggerKey: "txn-20261103-000124" }],
    ])("changes the ids with the %s", (_case, customerId, decision) => {
      // Act
      const original = outboxMessagesFor(CUSTOMER_ID, DEFERRED_ALERT).map((message) => message.messageId);
      const changed = outboxMessagesFor(customerId, decision).map((message) => message.messageId);

      // Assess
      for (const id of changed) expect(original).not.toContain(id);
    });
  });

  describe("derived event", () => {
    it("raises an alert with ids and codes", () => {
      // Act
      const messages = outboxMessagesFor(CUSTOMER_ID, DEFERRED_ALERT);

      // Assess
      const push = messageOn(messages, "push");
      const inbox = messageOn(messages, "inbox");
      expect(messageOn(messages, "event").event).toEqual({
        detailType: "AlertRaised",
        detail: {
          customerId: CUSTOMER_ID,
          ruleId: "low-balance",
          ruleVersion: 1,
          severity: "service",
          channels: ["push", "inbox"],
          messageIds: [push.messageId, inbox.messageId],
          decidedAt: "2026-11-03T16:30:00.000Z",
        },
      });
    });

    it("presents an offer with its product code", () => {
      // Act
      const messages = outboxMessagesFor(CUSTOMER_ID, OFFER);

      // Assess
      const event = messageOn(messages, "event").event;
      expect(event?.detailType).toBe("OfferPresented");
      expect(event?.detail.productCode).toBe("CARD_INSTALMENT_0");
      expect(event?.detail.messageIds).toEqual(messages.slice(0, 3).map((message) => message.messageId));
    });

    it.each([
      ["alert", DEFERRED_ALERT, ["400.000", "500.000"]],
      ["offer", OFFER, ["6,000,000", "Điện Máy Xanh"]],
    ])("keeps the text of the %s out of the detail", (_case, decision, sensitive) => {
      // Act
      const messages = outboxMessagesFor(CUSTOMER_ID, decision);

      // Assess
      const detail = JSON.stringify(messageOn(messages, "event").event?.detail);
      expect(detail).not.toContain(decision.text.title);
      expect(detail).not.toContain(decision.text.body);
      expect(detail).not.toContain("₫");
      for (const value of sensitive) expect(detail).not.toContain(value);
      expect(Object.keys(JSON.parse(detail))).not.toEqual(expect.arrayContaining(["title"]));
    });

    it("defers only push and e-mail", () => {
      // Act
      const messages = outboxMessagesFor(CUSTOMER_ID, {
        ...DEFERRED_ALERT,
        channels: ["push", "email", "inbox"],
      });

      // Assess
      expect(messageOn(messages, "push").notBefore).toBe("2026-11-04T00:00:00.000Z");
      expect(messageOn(messages, "email").notBefore).toBe("2026-11-04T00:00:00.000Z");
      expect(messageOn(messages, "inbox")).not.toHaveProperty("notBefore");
      expect(messageOn(messages, "event")).not.toHaveProperty("notBefore");
    });

    it("gives only the event item an event", () => {
      // Act
      const messages = outboxMessagesFor(CUSTOMER_ID, OFFER);

      // Assess
      for (const message of messages)
        expect(message.event !== undefined, message.channel).toBe(message.channel === "event");
    });
  });
});

describe("consentsNeededFor", () => {
  const rules = [
    { id: "low-balance", consents: [] },
    { id: "unusual-spending", consents: ["personalized_insights"] },
    { id: "travel-insurance-offer", consents: ["marketing", "location_based_services"] },
  ] as const;
  const alert = { channel: "push", ruleId: "low-balance", kind: "alert", severity: "service" } as const;
  const offer = {
    channel: "push",
    ruleId: "travel-insurance-offer",
    kind: "offer",
    severity: "marketing",
  } as const;

  it.each([
    ["an alert without consents", alert, []],
    ["an insight alert", { ...alert, ruleId: "unusual-spending" }, ["personalized_insights"]],
    ["an offer", offer, ["marketing", "location_based_services"]],
    ["an offer's inbox entry", { ...offer, channel: "inbox" }, ["marketing", "location_based_services"]],
    ["a derived event", { ...offer, channel: "event" }, []],
    ["an offer missing from the catalog", { ...offer, ruleId: "retired-offer" }, ["marketing"]],
    ["an alert missing from the catalog", { ...alert, ruleId: "retired-alert" }, []],
  ] as const)("returns the consents of %s", (_case, message, expected) => {
    expect(consentsNeededFor(message, rules)).toEqual(expected);
  });
});
