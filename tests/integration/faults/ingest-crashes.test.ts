import { describe, expect, it } from "vitest";
import { CrashPlan, type CrashPoint, describeCrashPoint } from "../../helpers/fault-injection";
import { runFaultScenario, sweepCrashPoints } from "../../helpers/fault-run";
import {
  buildScenario,
  redeliveredCopy,
  type Scenario,
  type ScenarioEvent,
} from "../../helpers/fault-scenario";

/**
 * The ingest function's process dies at a step boundary, the whole SQS batch it was handling fails,
 * and the queue delivers it again to a new process. Every event must end applied exactly once or
 * quarantined, the aggregates must match the transaction records, and every decided message must be
 * delivered once or recorded as failed.
 */

function crashScenario(prefix: string): { scenario: Scenario; deliveries: ScenarioEvent[] } {
  const scenario = buildScenario({ prefix, customers: 3, eventsPerCustomer: 6, seed: 7, poisonEvery: 5 });
  // Two events arrive twice, as EventBridge's at-least-once delivery allows.
  const deliveries = [...scenario.events, redeliveredCopy(scenario.events[1] as ScenarioEvent, 1)];
  deliveries.splice(4, 0, redeliveredCopy(scenario.events[3] as ScenarioEvent, 1));
  return { scenario, deliveries };
}

async function runWithIngestCrash(prefix: string, points: readonly CrashPoint[]) {
  const { scenario, deliveries } = crashScenario(prefix);
  const crashes = new CrashPlan(points);
  const result = await runFaultScenario({
    tablePrefix: prefix,
    scenario,
    deliveries,
    ingestCrashes: crashes,
    lanes: 1,
    batchSize: 4,
  });
  return { ...result, crashes };
}

describe("ingest crash and redelivery", () => {
  const points: CrashPoint[] = [
    { operation: "load", occurrence: 1, moment: "before" },
    { operation: "load", occurrence: 1, moment: "after" },
    { operation: "load", occurrence: 4, moment: "after" },
    { operation: "commit", occurrence: 1, moment: "before" },
    { operation: "commit", occurrence: 1, moment: "after" },
    { operation: "commit", occurrence: 3, moment: "after" },
    { operation: "quarantine", occurrence: 1, moment: "before" },
    { operation: "quarantine", occurrence: 1, moment: "after" },
  ];

  it.each(points.map((point) => [describeCrashPoint(point), point] as const))(
    "reconciles after a crash %s",
    async (_label, point) => {
      const result = await runWithIngestCrash("ingest-crash", [point]);

      expect(result.crashes.fired).toEqual([describeCrashPoint(point)]);
      expect(result.stats.deadLettered).toBe(0);
      expect(result.problems.ledger).toEqual([]);
      expect(result.problems.aggregates).toEqual([]);
      expect(result.problems.deliveries).toEqual([]);
    },
  );

  it("reconciles after two crashes in one run", async () => {
    const points: CrashPoint[] = [
      { operation: "commit", occurrence: 2, moment: "after" },
      { operation: "commit", occurrence: 4, moment: "before" },
    ];

    const result = await runWithIngestCrash("ingest-crash-twice", points);

    expect(result.crashes.fired).toEqual(points.map(describeCrashPoint));
    expect(result.problems.ledger).toEqual([]);
    expect(result.problems.aggregates).toEqual([]);
    expect(result.problems.deliveries).toEqual([]);
  });

  it("reconciles after a crash at every request boundary", async () => {
    // Prepare: a run without faults counts the ingest requests.
    const baseline = await runWithIngestCrash("ingest-sweep", []);
    const requestCount = baseline.crashes.requests.length;

    // Act: one run per request and moment, each on a table of its own.
    const failures = await sweepCrashPoints(requestCount, (point) =>
      runWithIngestCrash("ingest-sweep", [point]),
    );

    // Assess
    expect(requestCount).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  }, 600_000);
});
