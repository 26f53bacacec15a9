import { afterAll } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../scripts/local/dynamodb-local";
import type { ProviderLog } from "./fake-providers";
import type { CrashPlan, CrashPoint } from "./fault-injection";
import {
  FaultPipeline,
  type FaultPipelineOptions,
  type FaultPipelineStats,
  scanTable,
} from "./fault-pipeline";
import { type Scenario, type ScenarioEvent, seedScenario, sourcesOf } from "./fault-scenario";
import { createLocalTable } from "./local-table";
import {
  decidedMessageIds,
  predictedMessageIds,
  reconcileAggregates,
  reconcileDeliveries,
  reconcileLedger,
  sortTable,
  summarize,
  type TableContents,
} from "./reconcile";

/** Problems found by each reconciliation check, empty when it holds. */
export interface Reconciliation {
  readonly ledger: readonly string[];
  readonly aggregates: readonly string[];
  readonly deliveries: readonly string[];
}

export interface FaultRunResult {
  readonly problems: Reconciliation;
  readonly stats: FaultPipelineStats;
  readonly providers: ProviderLog;
  readonly summary: ReturnType<typeof summarize>;
  /** The table's items at the end of the run. */
  readonly contents: TableContents;
  /** Messages that ingestion reported as decided, or that the scenario predicts. */
  readonly decided: number;
}

export interface FaultRunOptions extends Omit<FaultPipelineOptions, "table"> {
  readonly tablePrefix: string;
  readonly scenario: Scenario;
  /** Delivered messages in delivery order; defaults to the scenario's events. */
  readonly deliveries?: readonly ScenarioEvent[];
  /** Runs between ingestion and settling, for example to deliver the input a second time. */
  readonly afterIngest?: (pipeline: FaultPipeline) => Promise<void>;
}

/**
 * DynamoDB Local of the test file that imports this module, started at its first run and stopped
 * after its last test. The shared instance of the integration tests slows down as the other files
 * write to it. In one full run, the dispatch crash sweep took 423 s there and 66 s on its own instance.
 */
let fileLocal: Promise<DynamoDbLocal> | undefined;

function fileDynamoDbLocal(): Promise<string> {
  fileLocal ??= startDynamoDbLocal();
  return fileLocal.then((local) => local.endpoint);
}

afterAll(async () => {
  await (await fileLocal)?.stop();
});

/**
 * Runs a scenario on a table of its own: seeds the customers, ingests the deliveries, dispatches and
 * releases until every message is settled, and reconciles the table and the providers' logs with
 * the deliveries.
 */
export async function runFaultScenario(options: FaultRunOptions): Promise<FaultRunResult> {
  const { tablePrefix, scenario, deliveries = scenario.events, afterIngest, ...pipelineOptions } = options;
  const table = await createLocalTable(tablePrefix, await fileDynamoDbLocal());
  const pipeline = await FaultPipeline.create({ ...pipelineOptions, table });
  try {
    await seedScenario(table.documentClient, table.tableName, scenario);
    await pipeline.ingest(sourcesOf(deliveries));
    await afterIngest?.(pipeline);
    await pipeline.settle();

    const contents = sortTable(await scanTable(table.documentClient, table.tableName));
    const decided = new Set([...decidedMessageIds(pipeline.ingested), ...predictedMessageIds(deliveries)]);
    return {
      problems: {
        ledger: reconcileLedger(contents, deliveries),
        aggregates: reconcileAggregates(contents),
        deliveries: reconcileDeliveries(contents, pipeline.providers.log, decided),
      },
      stats: pipeline.stats,
      providers: pipeline.providers.log,
      summary: summarize(contents),
      contents,
      decided: decided.size,
    };
  } finally {
    pipeline.close();
    await table.drop();
  }
}

/**
 * Runs a scenario once per request boundary: a crash before, then after, each of `requestCount`
 * requests, every run on a table of its own. Returns one line per reconciliation problem and per
 * crash that did not fire exactly once, each labelled with the crash point.
 */
export async function sweepCrashPoints(
  requestCount: number,
  run: (point: CrashPoint) => Promise<FaultRunResult & { crashes: CrashPlan }>,
): Promise<string[]> {
  const failures: string[] = [];
  for (let occurrence = 1; occurrence <= requestCount; occurrence += 1) {
    for (const moment of ["before", "after"] as const) {
      const result = await run({ occurrence, moment });
      const fired = result.crashes.fired.join(", ");
      const label = `crash ${fired || `${moment} request #${occurrence} (did not fire)`}`;
      const { ledger, aggregates, deliveries } = result.problems;
      for (const problem of [...ledger, ...aggregates, ...deliveries]) failures.push(`${label}: ${problem}`);
      if (result.crashes.fired.length !== 1) failures.push(`${label}: the crash did not fire once`);
    }
  }
  return failures;
}
