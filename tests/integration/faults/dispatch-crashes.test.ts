import { describe, expect, it } from "vitest";
import { CrashPlan, type CrashPoint, describeCrashPoint } from "../../helpers/fault-injection";
import { runFaultScenario, sweepCrashPoints } from "../../helpers/fault-run";
import { buildScenario, redeliveredCopy, type ScenarioEvent } from "../../helpers/fault-scenario";

/**
 * The dispatch function's or the release job's process dies at a step boundary: the stream batch is
 * delivered again to a new process, and later release-job runs take over claims whose lease ran out.
 * Every decided message must be delivered once, or recorded as failed with its reason, and its result
 * must reach the bus.
 */

async function runWithDispatchCrash(prefix: string, points: readonly CrashPoint[], customers = 3) {
  const scenario = buildScenario({ prefix, customers, eventsPerCustomer: 6, seed: 11, poisonEvery: 6 });
  const deliveries = [...scenario.events, redeliveredCopy(scenario.events[2] as ScenarioEvent, 1)];
  const crashes = new CrashPlan(points);
  const result = await runFaultScenario({
    tablePrefix: prefix,
    scenario,
    deliveries,
    dispatchCrashes: crashes,
    lanes: 1,
  });
  return { ...result, crashes };
}

describe("dispatch crash and redelivery", () => {
  const points: CrashPoint[] = [
    { operation: "claim", occurrence: 1, moment: "before" },
    { operation: "claim", occurrence: 1, moment: "after" },
    { operation: "claim", occurrence: 5, moment: "after" },
    { operation: "read-devices", occurrence: 1, moment: "after" },
    { operation: "push", occurrence: 1, moment: "before" },
    { operation: "push", occurrence: 1, moment: "after" },
    { operation: "deactivate-device", occurrence: 1, moment: "after" },
    { operation: "email", occurrence: 1, moment: "after" },
    { operation: "inbox-put", occurrence: 1, moment: "after" },
    { operation: "record", occurrence: 1, moment: "before" },
    { operation: "record", occurrence: 1, moment: "after" },
    { operation: "record", occurrence: 4, moment: "after" },
    { operation: "events", occurrence: 1, moment: "after" },
    { operation: "settle-event", occurrence: 1, moment: "after" },
  ];

  it.each(points.map((point) => [describeCrashPoint(point), point] as const))(
    "reconciles after a crash %s",
    async (_label, point) => {
      const result = await runWithDispatchCrash("dispatch-crash", [point]);

      expect(result.crashes.fired).toEqual([describeCrashPoint(point)]);
      expect(result.problems.ledger).toEqual([]);
      expect(result.problems.aggregates).toEqual([]);
      expect(result.problems.deliveries).toEqual([]);
    },
  );

  it("reconciles after crashes in the stream and the release job", async () => {
    // The first claim's lease runs out, and the release run that takes it over dies after claiming.
    const points: CrashPoint[] = [
      { operation: "claim", occurrence: 1, moment: "after" },
      { operation: "list-due", occurrence: 1, moment: "after" },
      { operation: "record", occurrence: 6, moment: "before" },
    ];

    const result = await runWithDispatchCrash("dispatch-crash-many", points);

    expect([...result.crashes.fired].sort()).toEqual(points.map(describeCrashPoint).sort());
    expect(result.problems.deliveries).toEqual([]);
  });

  it("reconciles after a crash at every request boundary", async () => {
    // Prepare: a run without faults counts the dispatch requests and provider calls.
    const baseline = await runWithDispatchCrash("dispatch-sweep", [], 2);
    const requestCount = baseline.crashes.requests.length;

    // Act: one run per request and moment, each on a table of its own.
    const failures = await sweepCrashPoints(requestCount, (point) =>
      runWithDispatchCrash("dispatch-sweep", [point], 2),
    );

    // Assess
    expect(requestCount).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  }, 900_000);
});
