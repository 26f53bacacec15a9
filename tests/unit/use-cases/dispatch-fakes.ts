import type { Consents } from "../../../lambdas/domain/consents";
import type { OutboxMessage } from "../../../lambdas/domain/outbox";
import type {
  ClaimOutcome,
  DeliveryResult,
  Device,
  OutboxReference,
  OutboxStore,
  PushResult,
} from "../../../lambdas/ports/delivery";
import type { DispatchDependencies } from "../../../lambdas/use-cases/dispatch-message";

export const NOW = new Date("2026-11-03T02:00:00Z");

export const REFERENCE = { customerId: "c-1", messageId: "m" };

/** Builds a service alert on `channel` whose rule needs no consent. */
export function message(channel: OutboxMessage["channel"]): OutboxMessage {
  return {
    messageId: `m-${channel}`,
    customerId: "c-1",
    channel,
    ruleId: "low-balance",
    ruleVersion: 1,
    kind: "alert",
    severity: "service",
    language: "vi",
    title: "Số dư thấp",
    body: "Số dư tài khoản của bạn còn 400.000 ₫.",
    triggerKey: "tx-1",
    decidedAt: "2026-11-03T01:00:00.000Z",
  };
}

/** Builds an instalment offer on `channel` whose rule needs marketing consent. */
export function offerMessage(channel: OutboxMessage["channel"]): OutboxMessage {
  return {
    ...message(channel),
    messageId: `offer-${channel}`,
    ruleId: "instalment-offer",
    kind: "offer",
    severity: "marketing",
    title: "Trả góp 0%",
    body: "Chuyển giao dịch 25.000.000 ₫ thành trả góp 0%.",
    offer: { productCode: "CARD_INSTALMENT_0", validUntil: "2026-12-03" },
  };
}

/** The consents of the rules these tests use, as the catalog lists them. */
export const CATALOG = {
  rules: [
    { id: "low-balance", consents: [] },
    { id: "negative-balance", consents: [] },
    { id: "unusual-spending", consents: ["personalized_insights"] },
    { id: "instalment-offer", consents: ["marketing"] },
  ],
} as const satisfies DispatchDependencies["catalog"];

/** Consents as the CONSENTS item stores them, each granted or withdrawn. */
export function consentsOf(granted: Partial<Record<keyof Consents, boolean>>): Consents {
  return Object.fromEntries(
    Object.entries(granted).map(([purpose, value]) => [
      purpose,
      { granted: value, at: "2026-11-03T01:30:00Z", textVersion: "2026-01" },
    ]),
  );
}

/** An outbox that contains one message in memory and records every transition. */
export class FakeOutbox implements OutboxStore {
  status: "pending" | "sending" | "delivered" | "failed" | "suppressed" | "deferred" = "pending";
  attempts = 0;
  readonly results: DeliveryResult[] = [];
  readonly addedEvents: OutboxMessage[] = [];
  leaseExpired = false;
  /** Called inside `record` before its condition is checked, to let another invocation settle first. */
  beforeRecord: (() => void) | undefined;

  constructor(private readonly stored: OutboxMessage) {}

  async claim(): Promise<ClaimOutcome> {
    if (this.status === "delivered" || this.status === "failed" || this.status === "suppressed") {
      return { skipped: "done" };
    }
    if (this.status === "sending") {
      return this.leaseExpired
        ? { interrupted: { message: this.stored, attempt: this.attempts } }
        : { skipped: "in-progress" };
    }
    this.status = "sending";
    this.attempts += 1;
    return { claimed: { message: this.stored, attempt: this.attempts } };
  }

  async record(_reference: OutboxReference, attempt: number, result: DeliveryResult): Promise<boolean> {
    this.beforeRecord?.();
    if (this.status !== "sending" || attempt !== this.attempts) return false;
    this.results.push(result);
    this.status = result.status === "retry" ? "deferred" : result.status;
    return true;
  }

  async settleEvent(_reference: OutboxReference, result: DeliveryResult): Promise<void> {
    this.results.push(result);
  }

  async addEvent(event: OutboxMessage): Promise<void> {
    this.addedEvents.push(event);
  }

  async listDue(): Promise<OutboxReference[]> {
    return [];
  }
}

export interface FakeChannelOptions {
  readonly devices?: Device[];
  readonly pushResults?: PushResult[];
  readonly emailAddress?: string;
  readonly consents?: Consents;
}

/** Dispatch dependencies with in-memory channels that record what they were asked to send. */
export function dependencies(
  outbox: FakeOutbox,
  overrides: Partial<DispatchDependencies> & FakeChannelOptions = {},
) {
  const published: string[] = [];
  const deactivated: string[] = [];
  const inbox: string[] = [];
  const pushed: string[] = [];
  const emailed: { messageId: string; marketing: boolean }[] = [];
  const consentReads: string[] = [];
  const { devices, pushResults, emailAddress, consents, ...dependencyOverrides } = overrides;
  const deps: DispatchDependencies = {
    outbox,
    recipients: {
      activeDevices: async () => devices ?? [{ deviceId: "d-1", platform: "android", token: "t-1" }],
      deactivateDevice: async (_customerId, deviceId) => {
        deactivated.push(deviceId);
      },
      emailAddress: async () => emailAddress,
      consents: async (customerId) => {
        consentReads.push(customerId);
        return consents ?? {};
      },
    },
    inbox: {
      add: async (_customerId, entry) => {
        inbox.push(entry.messageId);
      },
    },
    push: {
      send: async (targets, notification) => {
        pushed.push(notification.messageId);
        return pushResults ?? targets.map((device) => ({ deviceId: device.deviceId, status: "delivered" }));
      },
    },
    email: {
      send: async (email) => {
        emailed.push({ messageId: email.messageId, marketing: email.marketing });
        return "ses-1";
      },
    },
    events: {
      publish: async (events) => {
        for (const event of events) published.push(event.detailType);
        return [];
      },
    },
    catalog: CATALOG,
    clock: () => NOW,
    leaseMs: 60_000,
    maxAttempts: 3,
    renderEmail: (stored) => ({ subject: stored.title, text: stored.body, html: `<p>${stored.body}</p>` }),
    ...dependencyOverrides,
  };
  return { deps, published, deactivated, inbox, pushed, emailed, consentReads };
}
