import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type EventValidation,
  type RejectedEvent,
  validateEventBody,
} from "../../../lambdas/contracts/validate-event";
import {
  CARD_PURCHASE,
  EVENTS_DIR,
  INVALID_EVENTS_DIR,
  jsonFileNames,
  type SampleEvent,
  sampleEvent,
} from "../sample-events";

const MESSAGE_ID = "sqs-message-0001";

/** Validates `event` as the body of an SQS message. */
function validate(event: unknown): EventValidation {
  return validateEventBody(JSON.stringify(event), MESSAGE_ID);
}

/** Returns the rejection, and fails the test when the event was accepted. */
function rejection(validation: EventValidation): RejectedEvent {
  if (validation.ok) throw new Error(`expected a rejection, but event ${validation.eventId} was accepted`);
  return validation;
}

/** Returns the fields named by the reasons of a rejection. */
function rejectedFields(validation: EventValidation): string[] {
  return rejection(validation).reasons.map((reason) => reason.field);
}

/** Builds the card purchase sample with its detail changed by `changes`. */
function cardPurchaseWith(changes: Record<string, unknown>): SampleEvent {
  const event = sampleEvent(CARD_PURCHASE);
  return { ...event, detail: { ...event.detail, ...changes } };
}

describe("validateEventBody", () => {
  it.each(jsonFileNames(EVENTS_DIR))("accepts the sample %s", (file) => {
    // Prepare
    const body = readFileSync(join(EVENTS_DIR, file), "utf8");
    const event = sampleEvent(file);

    // Act
    const validation = validateEventBody(body, MESSAGE_ID);

    // Assess
    expect(validation).toMatchObject({
      ok: true,
      eventId: event.id,
      source: "core-banking",
      transaction: {
        transactionId: event.detail.transactionId,
        customerId: event.detail.customerId,
        accountId: event.detail.accountId,
        bookingTime: event.detail.bookingTime,
      },
    });
  });

  it("finds both valid and invalid samples", () => {
    // Assess
    expect(jsonFileNames(EVENTS_DIR).length).toBeGreaterThanOrEqual(5);
    expect(jsonFileNames(INVALID_EVENTS_DIR).length).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ["amount-not-a-number.json", "detail.amount"],
    ["float-amount.json", "detail.amount"],
    ["missing-transaction-id.json", "detail.transactionId"],
    ["unknown-currency.json", "detail.currency"],
    ["vnd-with-decimals.json", "detail.amount"],
  ])("rejects the invalid sample %s at %s", (file, field) => {
    // Prepare
    const body = readFileSync(join(INVALID_EVENTS_DIR, file), "utf8");
    const event = sampleEvent(join("invalid", file));

    // Act
    const validation = validateEventBody(body, MESSAGE_ID);

    // Assess
    expect(rejectedFields(validation)).toEqual([field]);
    expect(validation.eventId).toBe(event.id);
    expect(validation).toHaveProperty("customerId", "cust-0001");
  });

  it.each(jsonFileNames(INVALID_EVENTS_DIR))("rejects %s with a message for each reason", (file) => {
    // Act
    const validation = validateEventBody(readFileSync(join(INVALID_EVENTS_DIR, file), "utf8"), MESSAGE_ID);

    // Assess
    const { reasons } = rejection(validation);
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) {
      expect(reason.field).toMatch(/^detail\./);
      expect(reason.message.length).toBeGreaterThan(10);
    }
  });

  it("explains why a float amount is rejected", () => {
    // Act
    const validation = validateEventBody(
      readFileSync(join(INVALID_EVENTS_DIR, "float-amount.json"), "utf8"),
      MESSAGE_ID,
    );

    // Assess
    expect(rejection(validation).reasons[0]?.message).toContain("JSON number");
  });

  it.each(["", "not json", "{", '{"id": "abc",}', "\u0000"])("rejects the body %j as not JSON", (body) => {
    // Act
    const validation = validateEventBody(body, MESSAGE_ID);

    // Assess
    expect(rejectedFields(validation)).toEqual(["body"]);
    expect(validation.eventId).toBe(MESSAGE_ID);
    expect(validation).not.toHaveProperty("customerId");
  });

  it("rejects another detail-type", () => {
    // Prepare
    const event = { ...sampleEvent(CARD_PURCHASE), "detail-type": "AccountOpened" };

    // Act
    const validation = validate(event);

    // Assess
    expect(rejectedFields(validation)).toEqual(["detail-type"]);
    expect(validation.eventId).toBe(event.id);
    expect(rejection(validation).reasons[0]?.message).toContain('"AccountOpened"');
  });

  it.each([
    ["id", "id"],
    ["detail-type", "detail-type"],
    ["source", "source"],
  ])("rejects an envelope without %s", (key, field) => {
    // Prepare
    const event: Record<string, unknown> = { ...sampleEvent(CARD_PURCHASE) };
    delete event[key];

    // Act
    const validation = validate(event);

    // Assess
    expect(rejectedFields(validation)).toContain(field);
    expect(validation.eventId).toBe(MESSAGE_ID);
  });

  it("rejects an envelope id with invalid characters", () => {
    // Prepare
    const event = { ...sampleEvent(CARD_PURCHASE), id: "bad id#1" };

    // Act
    const validation = validate(event);

    // Assess
    expect(rejectedFields(validation)).toEqual(["id"]);
    expect(validation.eventId).toBe(MESSAGE_ID);
  });

  it("rejects a missing detail", () => {
    // Prepare
    const { detail: _detail, ...event } = sampleEvent(CARD_PURCHASE);

    // Act
    const validation = validate(event);

    // Assess
    expect(rejectedFields(validation)).toEqual(["detail"]);
    expect(validation).not.toHaveProperty("customerId");
  });

  it("ignores unknown fields in envelope and detail", () => {
    // Prepare
    const event = {
      ...cardPurchaseWith({
        loyaltyTier: "gold",
        merchant: { name: "Highlands Coffee", terminalId: "T-01" },
      }),
      "replay-name": "nightly",
    };

    // Act
    const validation = validate(event);

    // Assess
    expect(validation.ok).toBe(true);
    expect(validation).not.toHaveProperty("transaction.loyaltyTier");
    expect(JSON.stringify(validation)).not.toContain("terminalId");
  });

  it.each(["1.0", "1.7", "1.10"])("accepts schemaVersion %s", (schemaVersion) => {
    // Act
    const validation = validate(cardPurchaseWith({ schemaVersion }));

    // Assess
    expect(validation.ok).toBe(true);
  });

  it.each(["2.0", "0.9", "1", "1.x", "v1.0", "11.0"])("rejects schemaVersion %s", (schemaVersion) => {
    // Act
    const validation = validate(cardPurchaseWith({ schemaVersion }));

    // Assess
    expect(rejectedFields(validation)).toEqual(["detail.schemaVersion"]);
  });

  it("returns the customer id of an otherwise invalid detail", () => {
    // Prepare
    const event = cardPurchaseWith({ amount: "12,50", currency: "VN", transactionId: undefined });

    // Act
    const validation = validate(event);

    // Assess
    expect(validation).toMatchObject({ ok: false, eventId: event.id, customerId: "cust-0001" });
    expect(rejectedFields(validation).sort()).toEqual([
      "detail.amount",
      "detail.currency",
      "detail.transactionId",
    ]);
  });

  it.each([
    ["missing", undefined],
    ["not a string", 42],
    ["containing #", "cust#0001"],
  ])("returns no customer id when it is %s", (_case, customerId) => {
    // Prepare
    const event = cardPurchaseWith({ customerId, amount: "abc" });

    // Act
    const validation = validate(event);

    // Assess
    expect(validation.ok).toBe(false);
    expect(validation).not.toHaveProperty("customerId");
    expect(rejectedFields(validation)).toContain("detail.customerId");
  });

  it.each([[null], ["text"], [42], [[]]])("rejects the detail %j", (detail) => {
    // Prepare
    const event = { ...sampleEvent(CARD_PURCHASE), detail };

    // Act
    const validation = validate(event);

    // Assess
    expect(rejectedFields(validation)).toEqual(["detail"]);
    expect(validation).not.toHaveProperty("customerId");
  });

  it("explains a detail that is not an object", () => {
    // Prepare
    const event = { ...sampleEvent(CARD_PURCHASE), detail: null };

    // Act
    const validation = validate(event);

    // Assess
    expect(rejection(validation).reasons[0]?.message).not.toBe("Invalid input");
  });

  it.each(["[]", "null"])("names the field when the body is %s", (body) => {
    // Act
    const validation = validateEventBody(body, MESSAGE_ID);

    // Assess
    const { reasons } = rejection(validation);
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) {
      expect(reason.field).not.toBe("");
      expect(reason.message).not.toBe("Invalid input");
    }
  });

  it("never throws for any field value", () => {
    // Prepare
    const fieldNames = Object.keys(sampleEvent(CARD_PURCHASE).detail);
    const changes = fc.dictionary(
      fc.constantFrom(...fieldNames, "originalAmount", "counterparty"),
      fc.jsonValue(),
      {
        maxKeys: 3,
      },
    );

    fc.assert(
      fc.property(changes, (fields) => {
        // Act
        const validation = validate(cardPurchaseWith(fields));

        // Assess
        if (validation.ok) return;
        expect(validation.reasons.length).toBeGreaterThan(0);
        for (const reason of validation.reasons) expect(reason.field).toMatch(/^detail(\.|$)/);
      }),
      { numRuns: 1000 },
    );
  });
});
