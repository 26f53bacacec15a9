import { describe, expect, it } from "vitest";
import { CrashPlan } from "../../helpers/fault-injection";
import { runFaultScenario } from "../../helpers/fault-run";
import { buildScenario, redeliveredCopy, type ScenarioEvent } from "../../helpers/fault-scenario";

/**
 * The reconciliation must notice when a safeguard is gone. Each case takes one out of the ingest
 * function's transactional write, runs a scenario with a redelivery after a crash and a duplicated
 * event, and expects the reconciliation that passes on the real code to report problems.
 */

async function runWithDefect(prefix: string, defect: "no-exactly-once-guard" | "no-outbox") {
  const scenario = buildScenario({ prefix, customers: 3, eventsPerCustomer: 6, seed: 7, poisonEvery: 5 });
  const deliveries = [...scenario.events, redeliveredCopy(scenario.events[1] as ScenarioEvent, 1)];
  return runFaultScenario({
    tablePrefix: prefix,
    scenario,
    deliveries,
    // The first commit succeeds, then the process dies, and the batch is delivered again.
    ingestCrashes: new CrashPlan([{ operation: "commit", occurrence: 1, moment: "after" }]),
    ingestDefect: defect,
    lanes: 1,
    batchSize: 4,
  });
}

describe("reconciliation with a safeguard removed", () => {
  it("reports events applied twice when transaction records lose their condition", async () => {
    const result = await runWithDefect("defect-guard", "no-exactly-once-guard");

    const problems = [...result.problems.ledger, ...result.problems.aggregates];
    expect(problems).toContainEqual(
      expect.stringMatching(/transactionCount is \d+ but \d+ transaction records/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/differ from the transaction records'/));
  });

  it("reports decided messages that were never stored when the outbox is left out", async () => {
    const result = await runWithDefect("defect-outbox", "no-outbox");

    expect(result.decided).toBeGreaterThan(0);
    expect(result.problems.deliveries).toHaveLength(result.decided);
    expect(result.problems.deliveries).toContainEqual(
      expect.stringMatching(/^message \w+ was decided but has no outbox item$/),
    );
  });
});
