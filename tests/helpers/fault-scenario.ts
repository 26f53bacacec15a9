import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { CUSTOMER_SORT_KEYS, customerItemKey } from "../../lambdas/adapters/dynamodb/customer-items";
import { outboxMessageId } from "../../lambdas/domain/outbox";
import type { MessageChannel } from "../../lambdas/domain/preferences";
import { toLocalTime } from "../../lambdas/domain/zoned-time";
import {
  deterministicEventId,
  messageBodyOf,
  type SourceEvent,
  wrapTransactionPosted,
} from "../../scripts/importers/source-event";
import { type SeedCustomer, seedCustomers } from "../../scripts/local/seed";
import { REJECTED_EMAIL_PREFIX, TOKEN_PREFIXES } from "./fake-providers";
import { SeededRandom } from "./fault-injection";

/**
 * Input of the fault-injection suite: customers with healthy, invalid, flaky and unreachable push
 * tokens and e-mail addresses, VND events whose messages can be predicted from the event alone, poison
 * messages, and the outcome the reconciliation expects for each delivered message.
 */

/** The outcome a delivered SQS message must end in, whatever faults the run met. */
export type ExpectedOutcome =
  | {
      readonly kind: "transaction";
      readonly eventId: string;
      readonly customerId: string;
      readonly transactionId: string;
      /** The detail as JSON: copies with equal content are duplicates, others are changed re-publishes. */
      readonly content: string;
      /** Messages this event decides whatever the order of arrival, by outbox message id. */
      readonly messageIds: readonly string[];
    }
  | {
      readonly kind: "quarantine";
      /** Id the quarantine item is stored under: the envelope's id, or the SQS message id if it has none. */
      readonly eventId: string;
      /** A field that one of the stored reasons must name. */
      readonly field: string;
    };

export interface ScenarioEvent {
  readonly source: SourceEvent;
  readonly expected: ExpectedOutcome;
}

export interface Scenario {
  readonly customers: readonly SeedCustomer[];
  /** E-mail address per customer; a customer missing here has none on file. */
  readonly emails: ReadonlyMap<string, string>;
  readonly events: readonly ScenarioEvent[];
}

export interface ScenarioOptions {
  /** Start of every customer id, unique per test. */
  readonly prefix: string;
  readonly customers: number;
  readonly eventsPerCustomer: number;
  readonly seed: number;
  /** One poison message after every `poisonEvery` valid events; 0 for none. */
  readonly poisonEvery?: number;
}

/** Large-transaction threshold every scenario customer sets, so the alert does not depend on history. */
const LARGE_TRANSACTION_VND = 10_000_000;
/** Opening balance, high enough that no event crosses the low-balance threshold. */
const OPENING_BALANCE_VND = 2_000_000_000;
const BANK_OFFSET = "+07:00";

/** Channels the scenario customers choose for the two alerts whose messages the reconciliation predicts. */
const PREDICTED_CHANNELS: Readonly<Record<string, readonly MessageChannel[]>> = {
  "large-transaction": ["push", "email", "inbox"],
  "income-received": ["push", "email", "inbox"],
};

/**
 * Builds a customer's settings from its position. Of every five customers, in turn, one has a
 * healthy device, one a healthy and an invalid one, one a flaky one, one an unreachable one with a
 * rejected e-mail address, and one no device or address at all. Every third customer gives marketing
 * consent, so offers are decided too. Their count depends on arrival order, so they are reconciled
 * but not predicted.
 */
function customerAt(prefix: string, index: number): { customer: SeedCustomer; email?: string } {
  const customerId = `${prefix}-${index}`;
  const profile = index % 5;
  const devices: Array<{ deviceId: string; platform: "ios" | "android"; token: string }> = [];
  if (profile === 0 || profile === 1)
    devices.push({ deviceId: "phone", platform: "android", token: `ok-${customerId}` });
  if (profile === 1) {
    devices.push({
      deviceId: "old-tablet",
      platform: "ios",
      token: `${TOKEN_PREFIXES.invalid}${customerId}`,
    });
  }
  if (profile === 2)
    devices.push({ deviceId: "phone", platform: "ios", token: `${TOKEN_PREFIXES.flaky}${customerId}` });
  if (profile === 3) {
    devices.push({
      deviceId: "phone",
      platform: "android",
      token: `${TOKEN_PREFIXES.unreachable}${customerId}`,
    });
  }
  const email =
    profile === 4 ? undefined : `${profile === 3 ? REJECTED_EMAIL_PREFIX : ""}${customerId}@example.invalid`;
  const customer: SeedCustomer = {
    customerId,
    preferences: {
      channels: PREDICTED_CHANNELS,
      thresholds: { lowBalance: {}, largeTransaction: { VND: LARGE_TRANSACTION_VND } },
    },
    ...(index % 3 === 0 && { consents: ["marketing"] as const }),
    devices,
  };
  return email === undefined ? { customer } : { customer, email };
}

/** Returns the local date in Vietnam `daysAgo` days before now, as "YYYY-MM-DD". */
function vietnamDate(daysAgo: number): string {
  return toLocalTime(Date.now() - daysAgo * 86_400_000, "Asia/Ho_Chi_Minh").date;
}

const SHOPS = [
  { name: "Thế Giới Di Động", mcc: "5732" },
  { name: "Điện Máy Xanh", mcc: "5722" },
  { name: "Nguyễn Kim", mcc: "5732" },
];
const GROCERS = [
  { name: "WinMart", mcc: "5411" },
  { name: "Bách Hóa Xanh", mcc: "5411" },
  { name: "Highlands Coffee", mcc: "5814" },
];

function predictedMessageIds(customerId: string, ruleId: string, transactionId: string): string[] {
  const channels = [...(PREDICTED_CHANNELS[ruleId] ?? []), "event" as const];
  return channels.map((channel) => outboxMessageId(customerId, ruleId, transactionId, channel));
}

/** Kinds of poison message: a body that is not JSON or not an object, and three invalid fields. */
export const POISON_KINDS = ["not-json", "not-an-object", "currency", "decimals", "missing-id"] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

/** Builds a poison message with the field its quarantine reason must name. */
export function poisonEvent(kind: PoisonKind, customerId: string, sequence: number): ScenarioEvent {
  const id = deterministicEventId(`poison:${customerId}:${sequence}`);
  const detail = {
    schemaVersion: "1.0",
    transactionId: `${customerId}-poison-${sequence}`,
    customerId,
    accountId: `${customerId}-current`,
    bookingTime: `${vietnamDate(2)}T10:00:00${BANK_OFFSET}`,
    amount: "65000",
    currency: "VND",
    direction: "debit",
    balanceAfter: "1000000",
    channel: "card",
    merchant: { name: "WinMart", mcc: "5411", country: "VN" },
  };
  const wrapped = (changes: Record<string, unknown>) => {
    const source = wrapTransactionPosted({ ...detail, ...changes }, id);
    return { kind: "raw" as const, id, text: messageBodyOf(source) };
  };
  switch (kind) {
    case "not-json":
      return {
        source: { kind: "raw", id, text: '{"detail": {' },
        expected: { kind: "quarantine", eventId: id, field: "body" },
      };
    case "not-an-object":
      return {
        source: { kind: "raw", id, text: "[]" },
        expected: { kind: "quarantine", eventId: id, field: "body" },
      };
    case "currency":
      return {
        source: wrapped({ currency: "VNX" }),
        expected: { kind: "quarantine", eventId: id, field: "detail.currency" },
      };
    case "decimals":
      return {
        source: wrapped({ amount: "65000.5" }),
        expected: { kind: "quarantine", eventId: id, field: "detail.amount" },
      };
    case "missing-id":
      return {
        source: wrapped({ transactionId: undefined }),
        expected: { kind: "quarantine", eventId: id, field: "detail.transactionId" },
      };
  }
}

/**
 * Builds a scenario: per customer, events on the last six days in booking order, each a small card
 * purchase, a large one (a critical alert) or a salary (a service alert, held by quiet hours when
 * booked at night). Booking times lie in the past week, so that the release job, which looks seven
 * days back, finds the messages that quiet hours held.
 */
export function buildScenario(options: ScenarioOptions): Scenario {
  const random = new SeededRandom(options.seed);
  const customers: SeedCustomer[] = [];
  const emails = new Map<string, string>();
  const events: ScenarioEvent[] = [];
  let validSinceLastPoison = 0;

  for (let index = 0; index < options.customers; index += 1) {
    const { customer, email } = customerAt(options.prefix, index);
    customers.push(customer);
    if (email) emails.set(customer.customerId, email);
    const customerId = customer.customerId;
    let balance = OPENING_BALANCE_VND;
    const salaryDays = new Set<string>();

    for (let position = 0; position < options.eventsPerCustomer; position += 1) {
      const date = vietnamDate(6 - Math.floor((position * 6) / options.eventsPerCustomer));
      const minute = String(position % 60).padStart(2, "0");
      const transactionId = `${customerId}-tx-${position}`;
      const roll = random.next();
      let detail: Record<string, unknown>;
      let messageIds: string[] = [];

      if (roll < 0.2 && !salaryDays.has(date)) {
        salaryDays.add(date);
        const amount = 20_000_000 + Math.floor(random.next() * 10) * 1_000_000;
        balance += amount;
        const hour = random.chance(0.5) ? "23" : "09";
        detail = {
          bookingTime: `${date}T${hour}:${minute}:00${BANK_OFFSET}`,
          amount: String(amount),
          direction: "credit",
          channel: "transfer",
          purposeCode: "SALA",
          counterparty: { name: "CONG TY TNHH PHAN MEM ABC" },
        };
        messageIds = predictedMessageIds(customerId, "income-received", transactionId);
      } else if (roll < 0.45) {
        const amount = LARGE_TRANSACTION_VND + Math.floor(random.next() * 20) * 1_000_000;
        balance -= amount;
        detail = {
          bookingTime: `${date}T14:${minute}:00${BANK_OFFSET}`,
          amount: String(amount),
          direction: "debit",
          channel: "card",
          merchant: { ...random.pick(SHOPS), country: "VN" },
        };
        messageIds = predictedMessageIds(customerId, "large-transaction", transactionId);
      } else {
        const amount = 20_000 + Math.floor(random.next() * 80) * 10_000;
        balance -= amount;
        detail = {
          bookingTime: `${date}T11:${minute}:00${BANK_OFFSET}`,
          amount: String(amount),
          direction: "debit",
          channel: "card",
          merchant: { ...random.pick(GROCERS), country: "VN" },
        };
      }

      const fullDetail = {
        schemaVersion: "1.0",
        transactionId,
        customerId,
        accountId: `${customerId}-current`,
        currency: "VND",
        balanceAfter: String(balance),
        ...detail,
      };
      const eventId = deterministicEventId(`fault-suite:${transactionId}`);
      events.push({
        source: wrapTransactionPosted(fullDetail, eventId),
        expected: {
          kind: "transaction",
          eventId,
          customerId,
          transactionId,
          content: JSON.stringify(fullDetail),
          messageIds,
        },
      });

      validSinceLastPoison += 1;
      if (options.poisonEvery && validSinceLastPoison >= options.poisonEvery) {
        validSinceLastPoison = 0;
        events.push(poisonEvent(random.pick(POISON_KINDS), customerId, position));
      }
    }
  }
  return { customers, emails, events };
}

/**
 * Another delivery of an event, as EventBridge's at-least-once delivery or a producer's retry makes
 * it: the same body in a new SQS message. A copy of a body without an envelope id is quarantined
 * under its own message id, so its expectation names that id.
 */
export function redeliveredCopy(event: ScenarioEvent, copy: number): ScenarioEvent {
  const messageId = `${event.source.kind === "event" ? event.source.event.id : event.source.id}-copy-${copy}`;
  const text = messageBodyOf(event.source);
  const expected =
    event.expected.kind === "quarantine" && event.expected.field === "body"
      ? { ...event.expected, eventId: messageId }
      : event.expected;
  return { source: { kind: "raw", id: messageId, text }, expected };
}

/**
 * Returns a re-publish of a transaction with a changed amount under a new event id. Whichever
 * version arrives first is applied and the other is quarantined, so it decides nothing predictable.
 */
export function changedRepublish(event: ScenarioEvent): ScenarioEvent {
  if (event.source.kind !== "event" || event.expected.kind !== "transaction") return event;
  const detail = event.source.event.detail as Record<string, unknown>;
  const changed = { ...detail, amount: String(Number(detail.amount) + 1_000) };
  const eventId = deterministicEventId(`fault-suite:changed:${event.expected.transactionId}`);
  return {
    source: wrapTransactionPosted(changed, eventId),
    expected: { ...event.expected, eventId, content: JSON.stringify(changed), messageIds: [] },
  };
}

/** Writes the customers' preferences, consents and devices, and the e-mail addresses the scenario gives them. */
export async function seedScenario(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  scenario: Scenario,
): Promise<void> {
  await seedCustomers(documentClient, tableName, scenario.customers, new Date("2026-01-01T00:00:00Z"));
  const contacts = [...scenario.emails].map(([customerId, email]) => ({
    PutRequest: { Item: { ...customerItemKey(customerId, CUSTOMER_SORT_KEYS.contact), email } },
  }));
  for (let start = 0; start < contacts.length; start += 25) {
    let request: Record<string, typeof contacts> | undefined = {
      [tableName]: contacts.slice(start, start + 25),
    };
    while (request && Object.keys(request).length > 0) {
      const response = await documentClient.send(new BatchWriteCommand({ RequestItems: request }));
      request = response.UnprocessedItems as typeof request;
    }
  }
}

/** Sources of the scenario's events, in the order given. */
export function sourcesOf(events: readonly ScenarioEvent[]): SourceEvent[] {
  return events.map((event) => event.source);
}
