import { Logger } from "@aws-lambda-powertools/logger";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { profileKey } from "../../lambdas/adapters/dynamodb/ledger-items";
import type { SourceEvent } from "../../scripts/importers/source-event";
import { createLocalTable, type LocalTable } from "../helpers/local-table";
import { createRuntimeHarness, type RuntimeHarness, vndEvent } from "../helpers/runtime-harness";

const ZONE = "Asia/Ho_Chi_Minh";

let table: LocalTable;
let harness: RuntimeHarness;

beforeAll(async () => {
  table = await createLocalTable("reminder-runs");
  harness = await createRuntimeHarness(table);
});

afterAll(async () => {
  harness.close();
  await table.drop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Builds an electricity bill of 1 049 000 VND paid at 08:30 on `date` ("YYYY-MM-DD"). */
function bill(customerId: string, date: string, balanceAfter: number): SourceEvent {
  return vndEvent(customerId, `${date}T08:30`, {
    amount: 1_049_000,
    balanceAfter,
    channel: "bill_payment",
    purposeCode: "ELEC",
    merchant: undefined,
    counterparty: { name: "EVN HCMC" },
  });
}

/** Builds a café card payment of 65 000 VND at 12:15 on `date`. */
function coffee(customerId: string, date: string, balanceAfter: number): SourceEvent {
  return vndEvent(customerId, `${date}T12:15`, { amount: 65_000, balanceAfter });
}

/** Returns the dates from `first` to `last`, both included, `stepDays` apart. */
function datesFrom(first: string, last: string, stepDays: number): string[] {
  const dates: string[] = [];
  for (
    let day = Date.parse(`${first}T00:00:00Z`);
    day <= Date.parse(`${last}T00:00:00Z`);
    day += stepDays * 86_400_000
  )
    dates.push(new Date(day).toISOString().slice(0, 10));
  return dates;
}

/** Sums what the reminder runs since `runsBefore` decided. */
function remindersSince(runsBefore: number) {
  const runs = harness.reminders.slice(runsBefore);
  return {
    runs: runs.length,
    ruleIds: runs.flatMap((run) => run.decisions.map((decision) => decision.ruleId)),
    failedCustomers: runs.reduce((sum, run) => sum + run.failedCustomers, 0),
  };
}

describe("reminder runs of a timeline replay", () => {
  it("run on mornings without events", async () => {
    // Prepare: three monthly bills make the next one due on 10 April. Nothing happens between 11 March
    // and 20 April, so the reminder morning of 7 April has no events before it.
    const customerId = "rr-sparse";
    await harness.seed([{ customerId }]);
    const events = [
      bill(customerId, "2026-01-10", 30_000_000),
      bill(customerId, "2026-02-10", 28_000_000),
      bill(customerId, "2026-03-10", 26_000_000),
      coffee(customerId, "2026-04-20", 25_935_000),
    ];
    const runsBefore = harness.reminders.length;

    // Act
    await harness.replay(events);

    // Assess: one run each morning from 11 January to 21 April, and the reminder on 7 April at 08:00.
    const reminders = remindersSince(runsBefore);
    expect(reminders.runs).toBe(datesFrom("2026-01-11", "2026-04-21", 1).length);
    expect(reminders.ruleIds).toEqual(["payment-due"]);
    const decisions = harness.reminders.slice(runsBefore).flatMap((run) => run.decisions);
    expect(decisions[0]?.decidedAt).toBe("2026-04-07T01:00:00.000Z");
  });

  it("send nothing on a second replay of the same events", async () => {
    // Prepare: four monthly bills, the last one four months ago, leave the payee's next payment due
    // on the 10th of that next month, and it never comes. Dates are relative to today, so the outbox
    // items of the first replay (kept 180 days from their decision time) still exist in the second.
    // A card payment yesterday is decided more than 90 days (the longest cooldown) after that
    // reminder, which drops it from the profile's cooldown state.
    const customerId = "rr-twice";
    await harness.seed([{ customerId }]);
    const today = new Date();
    const monthDay = (monthsBack: number, day: number) =>
      new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - monthsBack, day))
        .toISOString()
        .slice(0, 10);
    const yesterday = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const events = [
      ...[8, 7, 6, 5].map((monthsBack, index) =>
        bill(customerId, monthDay(monthsBack, 10), 50_000_000 - index * 1_049_000),
      ),
      coffee(customerId, monthDay(4, 6), 45_000_000),
      coffee(customerId, yesterday, 44_935_000),
    ];
    const runsBefore = harness.reminders.length;
    await harness.replay(events);
    const first = remindersSince(runsBefore);
    const outboxBefore = (await harness.items(customerId, "OUT#")).length;
    const runsBetween = harness.reminders.length;

    // Act
    await harness.replay(events);

    // Assess
    // One reminder for the fourth bill, which came, and one for the fifth, which never did.
    expect(first.ruleIds).toEqual(["payment-due", "payment-due"]);
    expect(outboxBefore).toBeGreaterThan(0);
    const second = remindersSince(runsBetween);
    expect(second.runs).toBe(first.runs);
    expect(second.ruleIds).toEqual([]);
    expect(second.failedCustomers).toBe(0);
    expect(await harness.items(customerId, "OUT#")).toHaveLength(outboxBefore);
  });
});

describe("reminder job", () => {
  it("goes on after one customer fails", async () => {
    // Prepare: two customers pay the same bill monthly; one profile item is then made unreadable.
    const [broken, healthy] = ["rr-broken", "rr-healthy"];
    await harness.seed([{ customerId: broken }, { customerId: healthy }]);
    await harness.replay(
      [broken, healthy].flatMap((customerId) => [
        bill(customerId, "2026-05-12", 20_000_000),
        bill(customerId, "2026-06-12", 18_000_000),
        bill(customerId, "2026-07-12", 16_000_000),
      ]),
    );
    await table.documentClient.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: profileKey(broken),
        UpdateExpression: "SET #version = :text",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":text": "not a number" },
      }),
    );
    const logged = vi.spyOn(Logger.prototype, "error");
    const runsBefore = harness.reminders.length;

    // Act: the morning job of 9 August, three days before the bills' next date.
    await harness.runtime.runReminders([ZONE], Date.parse("2026-08-09T01:00:00Z"), 0);

    // Assess
    const [run] = harness.reminders.slice(runsBefore);
    expect(run?.failedCustomers).toBe(1);
    expect(run?.messages.map((message) => message.customerId)).toContain(healthy);
    expect(run?.messages.map((message) => message.customerId)).not.toContain(broken);
    const failures = logged.mock.calls.filter(([message]) => String(message).startsWith("Payment reminders"));
    expect(failures).toHaveLength(1);
    expect(failures[0]?.[1]).toMatchObject({
      customerId: broken,
      timeZone: ZONE,
      localDate: "2026-08-09",
      error: { name: "CorruptItemError" },
    });
  });
});
