import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { runFaultScenario } from "../../helpers/fault-run";
import {
  buildScenario,
  POISON_KINDS,
  poisonEvent,
  redeliveredCopy,
  type ScenarioEvent,
} from "../../helpers/fault-scenario";
import type { TableContents } from "../../helpers/reconcile";

/**
 * Events arrive out of order, more than once, in batches of any size on any number of concurrent
 * invocations, mixed with poison messages. Totals, counts and the newest balance must come out the
 * same as for an in-order delivery, and every event must be applied once or quarantined.
 */

const scenario = buildScenario({
  prefix: "disorder",
  customers: 3,
  eventsPerCustomer: 8,
  seed: 31,
  poisonEvery: 6,
});

/** Aggregates that do not depend on arrival order, per customer, as canonical JSON. */
function orderFreeAggregates(contents: TableContents): Record<string, string> {
  const snapshot: Record<string, string> = {};
  for (const [customerId, profile] of contents.profiles) {
    const months = contents.monthItems.filter((item) => item.PK === profile.PK);
    snapshot[customerId] = JSON.stringify({
      transactionCount: profile.transactionCount,
      accounts: profile.accounts,
      months: profile.months,
      monthItems: months.map(({ PK: _pk, ...item }) => item),
      debits: profile.debits,
      countries: profile.countries,
      firstBookingTime: profile.firstBookingTime,
      lastBookingTime: profile.lastBookingTime,
    });
  }
  return snapshot;
}

let inOrder: Record<string, string>;

beforeAll(async () => {
  const result = await runFaultScenario({
    tablePrefix: "disorder-baseline",
    scenario,
    lanes: 1,
    batchSize: 1,
  });
  expect(result.problems.ledger).toEqual([]);
  inOrder = orderFreeAggregates(result.contents);
}, 120_000);

describe("out-of-order, duplicated and poison messages", () => {
  it("reconciles any order, duplication and batching", async () => {
    const count = scenario.events.length;
    const plans = fc.record({
      order: fc.shuffledSubarray(
        Array.from({ length: count }, (_, index) => index),
        { minLength: count, maxLength: count },
      ),
      copies: fc.array(fc.record({ index: fc.nat({ max: count - 1 }), position: fc.nat({ max: count }) }), {
        maxLength: 8,
      }),
      batchSize: fc.integer({ min: 1, max: 10 }),
      lanes: fc.integer({ min: 1, max: 4 }),
    });

    await fc.assert(
      fc.asyncProperty(plans, async ({ order, copies, batchSize, lanes }) => {
        const deliveries: ScenarioEvent[] = order.map((index) => scenario.events[index] as ScenarioEvent);
        copies.forEach(({ index, position }, copy) => {
          deliveries.splice(position, 0, redeliveredCopy(scenario.events[index] as ScenarioEvent, copy));
        });

        const result = await runFaultScenario({
          tablePrefix: "disorder",
          scenario,
          deliveries,
          batchSize,
          lanes,
        });

        expect(result.problems.ledger).toEqual([]);
        expect(result.problems.aggregates).toEqual([]);
        expect(result.problems.deliveries).toEqual([]);
        expect(orderFreeAggregates(result.contents)).toEqual(inOrder);
      }),
      { seed: 20261204, numRuns: 8, endOnFailure: true },
    );
  }, 300_000);

  it("keeps the newest balance when events arrive newest first", async () => {
    const deliveries = [...scenario.events].reverse();

    const result = await runFaultScenario({
      tablePrefix: "newest-first",
      scenario,
      deliveries,
      lanes: 1,
      batchSize: 3,
    });

    expect(result.problems.ledger).toEqual([]);
    expect(result.problems.aggregates).toEqual([]);
    expect(result.problems.deliveries).toEqual([]);
    expect(orderFreeAggregates(result.contents)).toEqual(inOrder);
  }, 120_000);

  it("quarantines each kind of poison message once", async () => {
    const poison = POISON_KINDS.map((kind, sequence) => poisonEvent(kind, "disorder-0", sequence));
    const deliveries = [
      ...poison,
      ...scenario.events,
      ...poison.map((event) => redeliveredCopy(event, 1)),
      ...poison.map((event) => redeliveredCopy(event, 2)),
    ];

    const result = await runFaultScenario({
      tablePrefix: "poison",
      scenario,
      deliveries,
      lanes: 2,
      batchSize: 4,
    });

    expect(result.problems.ledger).toEqual([]);
    expect(result.stats.deadLettered).toBe(0);
    // The two kinds without a readable envelope id are stored under each copy's message id, so three
    // times each. The three kinds with invalid fields are stored once under their event id.
    const poisonInScenario = scenario.events.filter((event) => event.expected.kind === "quarantine").length;
    expect(result.summary.quarantined).toBe(poisonInScenario + 2 * 3 + 3);
  }, 120_000);
});
