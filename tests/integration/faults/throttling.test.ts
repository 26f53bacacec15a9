import { describe, expect, it } from "vitest";
import { CrashPlan, SeededRandom } from "../../helpers/fault-injection";
import { runFaultScenario } from "../../helpers/fault-run";
import {
  buildScenario,
  changedRepublish,
  redeliveredCopy,
  type Scenario,
  type ScenarioEvent,
} from "../../helpers/fault-scenario";

/**
 * DynamoDB throttles a fifth of all requests (a seeded random choice; which requests it hits also
 * depends on how the concurrent invocations interleave). The SDK retries most of them. The rest
 * reach the product, which must hand the events back to the queue or the messages back to the
 * release job without losing or doubling anything.
 */

const THROTTLE_RATE = 0.2;

/** A scenario with redelivered copies and changed re-publishes spread through it. */
function busyScenario(prefix: string, seed: number): { scenario: Scenario; deliveries: ScenarioEvent[] } {
  const scenario = buildScenario({ prefix, customers: 10, eventsPerCustomer: 10, seed, poisonEvery: 7 });
  const deliveries = [...scenario.events];
  const random = new SeededRandom(seed);
  for (let copy = 0; copy < 8; copy += 1) {
    const original = random.pick(scenario.events);
    deliveries.splice(Math.floor(random.next() * deliveries.length), 0, redeliveredCopy(original, copy));
  }
  for (let change = 0; change < 2; change += 1) {
    const original = random.pick(scenario.events.filter((event) => event.expected.kind === "transaction"));
    deliveries.push(changedRepublish(original));
  }
  return { scenario, deliveries };
}

describe("DynamoDB throttling", () => {
  it("reconciles with a fifth of requests throttled", async () => {
    const { scenario, deliveries } = busyScenario("throttled", 2026);

    const result = await runFaultScenario({
      tablePrefix: "throttled",
      scenario,
      deliveries,
      throttleRate: THROTTLE_RATE,
      seed: 2026,
      lanes: 4,
    });

    expect(result.stats.dynamoDb.throttled).toBeGreaterThan(100);
    expect(result.stats.dynamoDb.cancelledByThrottling).toBeGreaterThan(0);
    expect(result.stats.ingestRedeliveries).toBeGreaterThan(0);
    expect(result.problems.ledger).toEqual([]);
    expect(result.problems.aggregates).toEqual([]);
    expect(result.problems.deliveries).toEqual([]);
  }, 300_000);

  it("reconciles with throttling, crashes and failing providers at once", async () => {
    const { scenario, deliveries } = busyScenario("chaos", 4711);
    const random = new SeededRandom(4711);

    const result = await runFaultScenario({
      tablePrefix: "chaos",
      scenario,
      deliveries,
      throttleRate: THROTTLE_RATE,
      ingestCrashes: new CrashPlan([], { rate: 0.03, source: random }),
      dispatchCrashes: new CrashPlan([], { rate: 0.03, source: random }),
      providerFaults: {
        pushServerErrorRate: 0.2,
        flakyTokenFailureRate: 0.5,
        emailThrottleRate: 0.3,
        eventEntryFailureRate: 0.2,
      },
      seed: 4711,
      lanes: 4,
    });

    expect(result.stats.crashes.length).toBeGreaterThan(5);
    expect(result.problems.ledger).toEqual([]);
    expect(result.problems.aggregates).toEqual([]);
    expect(result.problems.deliveries).toEqual([]);
  }, 300_000);
});
