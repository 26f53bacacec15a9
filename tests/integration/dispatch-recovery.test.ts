import type { Metrics } from "@aws-lambda-powertools/metrics";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { consentsToItem } from "../../lambdas/adapters/dynamodb/customer-items";
import { customerPartitionKey } from "../../lambdas/adapters/dynamodb/keys";
import { outboxKey, outboxToItem } from "../../lambdas/adapters/dynamodb/outbox-items";
import { deviceSortKey } from "../../lambdas/adapters/dynamodb/recipient-store";
import type { ConsentPurpose } from "../../lambdas/domain/consents";
import type { Decision } from "../../lambdas/domain/decide";
import { type OutboxMessage, outboxMessagesFor } from "../../lambdas/domain/outbox";
import { createDispatchDependencies } from "../../lambdas/handlers/dispatch/dependencies";
import { type DispatchHandlerDependencies, dispatchAndRecord } from "../../lambdas/handlers/dispatch/handler";
import { createReleaseHandler } from "../../lambdas/handlers/release/handler";
import type { DispatchOutcome } from "../../lambdas/use-cases/dispatch-message";
import { lambdaContext } from "../../scripts/local/aws-events";
import { createLocalTable, type LocalTable } from "../helpers/local-table";

process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

const MINUTE = 60_000;

/** 23:30 in Vietnam, inside the default quiet hours (22:00 to 07:00). */
const DECIDED_AT = new Date("2026-11-03T16:30:00.000Z");
/** 07:00 in Vietnam, when the quiet hours end. */
const QUIET_HOURS_END = "2026-11-04T00:00:00.000Z";

let table: LocalTable;

// A table per test, so that each release job run lists only the items of its own test.
beforeEach(async () => {
  table = await createLocalTable("dispatch");
});

afterEach(async () => {
  await table.drop();
});

/** Dispatch wired to DynamoDB Local, with channels that record what they send and a settable clock. */
function createDispatch() {
  const clock = { now: DECIDED_AT };
  const pushed: string[] = [];
  const emailed: string[] = [];
  const published: { detailType: string; messageId: string; reason?: string }[] = [];
  const outcomes: DispatchOutcome[] = [];
  const counted: string[] = [];
  let duringPush: (() => Promise<void>) | undefined;

  const deps: DispatchHandlerDependencies = createDispatchDependencies(
    {
      documentClient: table.documentClient,
      clock: () => clock.now,
      push: {
        send: async (devices, notification) => {
          pushed.push(notification.messageId);
          await duringPush?.();
          return devices.map((device) => ({ deviceId: device.deviceId, status: "delivered" }));
        },
      },
      email: {
        send: async (email) => {
          emailed.push(email.messageId);
          return `ses-${email.messageId}`;
        },
      },
      events: {
        publish: async (events) => {
          for (const event of events) {
            published.push({
              detailType: event.detailType,
              messageId: String(event.detail.messageId ?? ""),
              ...(event.detail.reason !== undefined && { reason: String(event.detail.reason) }),
            });
          }
          return [];
        },
      },
      onOutcome: (outcome) => outcomes.push(outcome),
    },
    { TABLE_NAME: table.tableName },
  );
  vi.spyOn(deps.metrics, "singleMetric").mockImplementation(
    () =>
      ({
        addDimension: () => undefined,
        addMetric: (name: string) => {
          counted.push(name);
        },
      }) as unknown as Metrics,
  );
  const release = createReleaseHandler(deps);

  return {
    deps,
    clock,
    pushed,
    emailed,
    published,
    outcomes,
    counted,
    /** Sets work that runs inside the next push sends, before they return. */
    onPush(work: () => Promise<void>) {
      duringPush = work;
    },
    /** Runs the release job at `at`, as its schedule would. */
    async releaseAt(at: Date) {
      clock.now = at;
      return release({}, lambdaContext("personalization-release"));
    },
  };
}

async function seedCustomer(customerId: string, consents: Partial<Record<ConsentPurpose, boolean>>) {
  await table.documentClient.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        PK: customerPartitionKey(customerId),
        SK: deviceSortKey("phone"),
        deviceId: "phone",
        platform: "android",
        token: `token-${customerId}`,
        active: true,
      },
    }),
  );
  await setConsents(customerId, consents, 1);
}

async function setConsents(
  customerId: string,
  granted: Partial<Record<ConsentPurpose, boolean>>,
  version: number,
) {
  const consents = Object.fromEntries(
    Object.entries(granted).map(([purpose, value]) => [
      purpose,
      { granted: value, at: "2026-11-03T17:00:00Z", textVersion: "2026-01" },
    ]),
  );
  await table.documentClient.send(
    new PutCommand({ TableName: table.tableName, Item: consentsToItem(customerId, consents, version) }),
  );
}

function decisionFor(overrides: Partial<Decision>): Decision {
  return {
    ruleId: "low-balance",
    ruleVersion: 1,
    kind: "alert",
    severity: "service",
    priority: 90,
    triggerKey: "tx-1",
    channels: ["push"],
    language: "vi",
    decidedAt: DECIDED_AT.toISOString(),
    text: { title: "Số dư thấp", body: "Số dư tài khoản của bạn còn 400.000 ₫." },
    ...overrides,
  };
}

/** Writes the outbox items of a decision as ingest does, and returns the customer's messages. */
async function writeOutbox(customerId: string, decision: Decision): Promise<OutboxMessage[]> {
  const messages = outboxMessagesFor(customerId, decision);
  for (const message of messages) {
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: outboxToItem(message, DECIDED_AT) }),
    );
  }
  return messages.filter((message) => message.channel !== "event");
}

async function outboxItem(message: OutboxMessage): Promise<Record<string, unknown> | undefined> {
  const { Item } = await table.documentClient.send(
    new GetCommand({
      TableName: table.tableName,
      Key: outboxKey(message.customerId, message.messageId),
      ConsistentRead: true,
    }),
  );
  return Item;
}

function referenceOf(message: OutboxMessage) {
  return { customerId: message.customerId, messageId: message.messageId };
}

describe("consent re-check at delivery", () => {
  it("suppresses a deferred offer after withdrawal", async () => {
    // Prepare: an offer decided in quiet hours with marketing consent, withdrawn before 07:00.
    const customerId = "dr-withdrawn";
    await seedCustomer(customerId, { marketing: true });
    const messages = await writeOutbox(
      customerId,
      decisionFor({
        ruleId: "instalment-offer",
        kind: "offer",
        severity: "marketing",
        channels: ["push", "email", "inbox"],
        notBefore: QUIET_HOURS_END,
        offer: { productCode: "CARD_INSTALMENT_0", validUntil: "2026-12-03" },
      }),
    );
    await setConsents(customerId, { marketing: false }, 2);
    const dispatch = createDispatch();

    // Act: the release job runs after the quiet hours end.
    await dispatch.releaseAt(new Date(Date.parse(QUIET_HOURS_END) + MINUTE));

    // Assess
    expect(dispatch.pushed).toEqual([]);
    expect(dispatch.emailed).toEqual([]);
    for (const message of messages) {
      const item = await outboxItem(message);
      expect(item?.status, message.channel).toBe("suppressed");
      expect(item?.lastError, message.channel).toBe("the customer no longer grants the marketing consent");
      expect(item?.GSI1PK, message.channel).toBeUndefined();
    }
    // The OfferPresented event item was never published either, so the release job publishes it too.
    expect(dispatch.published.map((event) => event.detailType).sort()).toEqual([
      "MessageFailed",
      "MessageFailed",
      "MessageFailed",
      "OfferPresented",
    ]);
    expect(dispatch.counted.filter((name) => name === "MessagesSuppressed")).toHaveLength(3);
  });

  it("sends a deferred critical alert without consents", async () => {
    // Prepare: a customer who granted no consent at all.
    const customerId = "dr-critical";
    await seedCustomer(customerId, {});
    const [push] = await writeOutbox(
      customerId,
      decisionFor({ ruleId: "negative-balance", severity: "critical", notBefore: QUIET_HOURS_END }),
    );
    const dispatch = createDispatch();

    // Act
    await dispatch.releaseAt(new Date(Date.parse(QUIET_HOURS_END) + MINUTE));

    // Assess
    expect(dispatch.pushed).toEqual([push?.messageId]);
    expect(await outboxItem(push as OutboxMessage)).toMatchObject({ status: "delivered" });
  });
});

describe("inbox during quiet hours", () => {
  it("writes the inbox item pending", async () => {
    // Prepare
    const customerId = "dr-inbox";
    await seedCustomer(customerId, {});

    // Act
    const messages = await writeOutbox(
      customerId,
      decisionFor({ channels: ["push", "inbox"], notBefore: QUIET_HOURS_END }),
    );

    // Assess: the stream filter passes pending items only, so the inbox entry goes out at once.
    const push = await outboxItem(messages.find((message) => message.channel === "push") as OutboxMessage);
    const inbox = await outboxItem(messages.find((message) => message.channel === "inbox") as OutboxMessage);
    expect(push).toMatchObject({ status: "deferred", nextAttemptAt: QUIET_HOURS_END });
    expect(inbox).toMatchObject({ status: "pending" });
    expect(inbox).not.toHaveProperty("nextAttemptAt");
  });
});

describe("errors between claim and send", () => {
  it("sends on retry after a failed device lookup", async () => {
    // Prepare
    const customerId = "dr-lookup";
    await seedCustomer(customerId, {});
    const [push] = (await writeOutbox(customerId, decisionFor({}))) as [OutboxMessage];
    const dispatch = createDispatch();
    const recipients = dispatch.deps.recipients;
    const throttled = Object.assign(new Error("Rate of requests exceeds the allowed throughput"), {
      name: "ProvisionedThroughputExceededException",
    });
    const failingOnce = {
      ...dispatch.deps,
      recipients: { ...recipients, activeDevices: vi.fn().mockRejectedValueOnce(throttled) },
    };

    // Act: the stream invocation claims the message, and the device query fails.
    dispatch.clock.now = new Date(DECIDED_AT.getTime() + 1_000);
    await dispatchAndRecord(referenceOf(push), failingOnce);
    const released = await outboxItem(push);
    const stillPending = await dispatch.releaseAt(new Date(DECIDED_AT.getTime() + 30_000));
    const retried = await dispatch.releaseAt(new Date(DECIDED_AT.getTime() + 2 * MINUTE));

    // Assess: the claim was released for a retry one minute later, and the retry sent the message.
    expect(released).toMatchObject({
      status: "deferred",
      attempts: 1,
      nextAttemptAt: new Date(DECIDED_AT.getTime() + 1_000 + MINUTE).toISOString(),
      lastError:
        "push: reading the push devices failed before sending (ProvisionedThroughputExceededException)",
    });
    expect(released).not.toHaveProperty("leaseUntil");
    expect(stillPending).toEqual({ released: 0 });
    expect(retried).toEqual({ released: 1 });
    expect(dispatch.pushed).toEqual([push.messageId]);
    expect(await outboxItem(push)).toMatchObject({ status: "delivered", attempts: 2 });
    expect(dispatch.published.map((event) => event.detailType)).toEqual(["MessageDelivered"]);
  });
});

describe("result recording after an expired lease", () => {
  it("publishes only the result recorded first", async () => {
    // Prepare: the push send runs past the lease, and the release job settles the message meanwhile.
    const customerId = "dr-slow";
    await seedCustomer(customerId, {});
    const [push] = (await writeOutbox(customerId, decisionFor({}))) as [OutboxMessage];
    const dispatch = createDispatch();
    const claimedAt = new Date(DECIDED_AT.getTime() + 1_000);
    dispatch.onPush(async () => {
      await dispatch.releaseAt(new Date(claimedAt.getTime() + dispatch.deps.leaseMs + 1_000));
    });

    // Act
    dispatch.clock.now = claimedAt;
    await dispatchAndRecord(referenceOf(push), dispatch.deps);

    // Assess
    expect(dispatch.pushed).toEqual([push.messageId]);
    expect(await outboxItem(push)).toMatchObject({
      status: "failed",
      lastError: "dispatch stopped while sending; delivery is unknown, so the message is not sent again",
    });
    expect(dispatch.published.map((event) => event.detailType)).toEqual(["MessageFailed"]);
    expect(dispatch.outcomes.map((outcome) => outcome.status)).toEqual(["failed", "superseded"]);
    expect(dispatch.counted).toContain("MessageResultsSuperseded");
  });
});

describe("release job as safety net for pending items", () => {
  it("sends a pending item the stream never delivered", async () => {
    // Prepare: the item is written, and its stream record is lost.
    const customerId = "dr-lost";
    await seedCustomer(customerId, {});
    const [push] = (await writeOutbox(customerId, decisionFor({ channels: ["push"] }))) as [OutboxMessage];
    const dispatch = createDispatch();

    // Act
    const early = await dispatch.releaseAt(new Date(DECIDED_AT.getTime() + 4 * MINUTE));
    const due = await dispatch.releaseAt(new Date(DECIDED_AT.getTime() + 6 * MINUTE));

    // Assess: the push and the derived AlertRaised event are released after five minutes.
    expect(early).toEqual({ released: 0 });
    expect(due).toEqual({ released: 2 });
    expect(dispatch.pushed).toEqual([push.messageId]);
    const item = await outboxItem(push);
    expect(item).toMatchObject({ status: "delivered" });
    expect(item?.GSI1PK).toBeUndefined();
    expect(dispatch.published.map((event) => event.detailType).sort()).toEqual([
      "AlertRaised",
      "MessageDelivered",
    ]);
  });

  it("lists a pending item in GSI1 five minutes after writing", async () => {
    const customerId = "dr-index";
    const [push] = (await writeOutbox(customerId, decisionFor({}))) as [OutboxMessage];

    const item = await outboxItem(push);

    expect(item).toMatchObject({
      status: "pending",
      GSI1PK: "OUTBOX#2026-11-03",
      GSI1SK: `2026-11-03T16:35:00.000Z#${customerId}#${push.messageId}`,
    });
  });

  it("finds nothing after a normal dispatch", async () => {
    // Prepare
    const customerId = "dr-normal";
    await seedCustomer(customerId, {});
    const [push] = (await writeOutbox(customerId, decisionFor({ channels: ["push"] }))) as [OutboxMessage];
    const dispatch = createDispatch();

    // Act: the stream delivers the item at once; the release job runs later.
    dispatch.clock.now = new Date(DECIDED_AT.getTime() + 1_000);
    await dispatchAndRecord(referenceOf(push), dispatch.deps);
    const listed = await dispatch.deps.outbox.listDue(new Date(DECIDED_AT.getTime() + 10 * MINUTE), 500);

    // Assess
    expect(listed).not.toContainEqual(referenceOf(push));
    expect(dispatch.pushed).toEqual([push.messageId]);
    expect((await outboxItem(push))?.GSI1PK).toBeUndefined();
  });

  it("skips an item that dispatch claimed after listing", async () => {
    // Prepare: the release job lists the item, then a late stream invocation claims it first.
    const customerId = "dr-race";
    await seedCustomer(customerId, {});
    const [push] = (await writeOutbox(customerId, decisionFor({ channels: ["push"] }))) as [OutboxMessage];
    const dispatch = createDispatch();
    const releaseTime = new Date(DECIDED_AT.getTime() + 6 * MINUTE);
    const listed = await dispatch.deps.outbox.listDue(releaseTime, 500);
    const claim = await dispatch.deps.outbox.claim(referenceOf(push), releaseTime, dispatch.deps.leaseMs);

    // Act
    dispatch.clock.now = releaseTime;
    await dispatchAndRecord(referenceOf(push), dispatch.deps);

    // Assess
    expect(listed).toContainEqual(referenceOf(push));
    expect(claim).toHaveProperty("claimed");
    expect(dispatch.outcomes).toEqual([{ status: "skipped", reason: "in-progress" }]);
    expect(dispatch.pushed).toEqual([]);
  });
});
