import type { BundleMeasurement } from "./bundles";
import type { CostLine } from "./cost";
import { type Figure, quantile, sectionFigures } from "./figures";
import { INGEST_BATCH_SIZE, INGEST_LANES, type IngestMeasurement, latencySummary } from "./ingest-local";
import type { PureEvaluation } from "./pure-evaluation";
import type { UnitComparison } from "./request-units";
import type { RuleEngineComparison } from "./rules-engine";

/** Everything one run measured, from which the figures are built. */
export interface BenchResults {
  readonly ingest: IngestMeasurement;
  readonly pure: PureEvaluation;
  readonly rules: RuleEngineComparison;
  readonly units: UnitComparison;
  readonly dispatchUnits: { readonly writeUnitsPerMessage: number; readonly readUnitsPerMessage: number };
  readonly cost: { readonly lines: readonly CostLine[]; readonly total: number };
  readonly bundles: readonly BundleMeasurement[];
}

const MB = 1024 * 1024;
/** Bundle sizes are reported in kB of 1,000 bytes, as esbuild and npm print them. */
const KB = 1000;

function percentile(values: readonly number[], q: number): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    q,
  );
}

function ingestFigures({ ingest }: BenchResults): Figure[] {
  const latency = latencySummary(ingest.latenciesMs);
  const roundTrips = ingest.recorder.roundTripMs.ingest;
  const roundTrip = (operation: string) =>
    `${operation} p50 ${percentile(roundTrips[operation] ?? [], 0.5).toFixed(0)} ms, p99 ${percentile(roundTrips[operation] ?? [], 0.99).toFixed(0)} ms`;
  const { node, dynamoDbLocal } = ingest.cpuSeconds;
  const cpuShare =
    dynamoDbLocal === undefined
      ? "DynamoDB Local's CPU time could not be read"
      : `DynamoDB Local's JVM used ${dynamoDbLocal.toFixed(0)} CPU-seconds and this Node.js process ${node.toFixed(0)} in ${ingest.elapsedSeconds.toFixed(0)} s on 2 cores`;
  const requests = ingest.recorder.totals.ingest;
  return sectionFigures(
    `1. Ingest through DynamoDB Local (real handler, ${INGEST_LANES} lanes, batch size ${INGEST_BATCH_SIZE}, in memory)`,
    [
      { id: "ingest.applied", label: "events applied", value: ingest.applied, unit: `of ${ingest.events}` },
      {
        id: "ingest.notApplied",
        label: "events duplicate, quarantined or dead-lettered",
        value: ingest.duplicates + ingest.quarantined + ingest.deadLettered,
        unit: "events",
      },
      {
        id: "ingest.eventsPerSecond",
        label: "throughput",
        value: ingest.eventsPerSecond,
        unit: "events/s",
        target: { comparison: ">=", value: 500 },
        missCause: `the replay waits on DynamoDB Local: ${cpuShare}`,
      },
      {
        id: "ingest.latencyP50Ms",
        label: "event-to-outbox latency p50",
        value: latency.p50,
        unit: "ms",
      },
      {
        id: "ingest.latencyP99Ms",
        label: "event-to-outbox latency p99",
        value: latency.p99,
        unit: "ms",
        target: { comparison: "<=", value: 50 },
        missCause: `an event waits for its customer's load and commit on a saturated DynamoDB Local (round trips: ${roundTrip("BatchGetItem")}; ${roundTrip("TransactWriteItems")}); ${cpuShare}`,
      },
      {
        id: "ingest.peakRssMb",
        label: "peak RSS of the local runtime (JVM excluded)",
        value: ingest.peakRssBytes / MB,
        unit: "MB",
        target: { comparison: "<", value: 512 },
        missCause: "the process holds the input events, the table's shadow copy and the handlers' state",
      },
      {
        id: "ingest.invocationMsMean",
        label: "ingest invocation duration, mean",
        value: ingest.invocationMs.reduce((sum, ms) => sum + ms, 0) / Math.max(ingest.invocationMs.length, 1),
        unit: "ms",
        note: `${ingest.invocationMs.length} invocations`,
      },
      {
        id: "ingest.requestsPerEvent",
        label: "DynamoDB requests per event",
        value: requests.requests / ingest.events,
        unit: "requests",
      },
    ],
  );
}

function pureFigures({ pure, rules }: BenchResults): Figure[] {
  const slowest = [...pure.stages].sort((a, b) => a.eventsPerCpuSecond - b.eventsPerCpuSecond)[0];
  const ratio = rules.compiled.perCpuSecond / rules.engine.perCpuSecond;
  const perSecond = (value: number) => `${Math.round(value).toLocaleString("en-US")} per wall-clock second`;
  return sectionFigures("2. Evaluation on one thread, storage in memory (per CPU-second)", [
    {
      id: "pure.eventsPerCpuSecond",
      label: "ingest handler without I/O",
      value: pure.handler.eventsPerCpuSecond,
      unit: "events/s",
      target: { comparison: ">=", value: 50_000 },
      missCause: `${
        slowest
          ? `the slowest stage alone, ${slowest.stage}, reaches ${Math.round(slowest.eventsPerCpuSecond).toLocaleString("en-US")} events/s`
          : "no stage was timed"
      }; CPU profile by source: ${pure.cpuProfile
        .map((entry) => `${entry.source} ${(entry.share * 100).toFixed(0)}%`)
        .join(", ")}`,
      note: perSecond(pure.handler.eventsPerSecond),
    },
    ...pure.stages.map((stage, index) => ({
      id: `pure.stage${index + 1}EventsPerCpuSecond`,
      label: `  ${stage.stage}`,
      value: stage.eventsPerCpuSecond,
      unit: "events/s",
      note: perSecond(stage.eventsPerSecond),
    })),
    {
      id: "rules.catalogCompatible",
      label: "catalog rules accepted by json-rules-engine",
      value: rules.convertedRules,
      unit: `of ${rules.catalogRules}`,
    },
    {
      id: "rules.compiledEvaluationsPerCpuSecond",
      label: `rule evaluation, compiled catalog (${rules.rulesPerEvaluation} rules)`,
      value: rules.compiled.perCpuSecond,
      unit: "evaluations/s",
      note: perSecond(rules.compiled.perSecond),
    },
    {
      id: "rules.engineEvaluationsPerCpuSecond",
      label: "rule evaluation, json-rules-engine",
      value: rules.engine.perCpuSecond,
      unit: "evaluations/s",
      note: perSecond(rules.engine.perSecond),
    },
    {
      id: "rules.speedRatio",
      label: "compiled catalog / json-rules-engine",
      value: ratio,
      unit: "x",
      target: { comparison: ">=", value: 100 },
      missCause: "json-rules-engine's cost per run is lower than the compiled predicates' on this data",
    },
    {
      id: "rules.mismatches",
      label: "events whose matching rules differ",
      value: rules.mismatches.length,
      unit: `of ${rules.evaluations}`,
    },
  ]);
}

function unitFigures({ units, dispatchUnits, ingest }: BenchResults): Figure[] {
  const { ours, oursOneEventPerCommit: single, baseline, meanItemBytes } = units;
  const total = (side: { writeUnits: number; readUnits: number }) => side.writeUnits + side.readUnits;
  const ratio = total(ours.all) / total(baseline.all);
  const approximations = ingest.recorder.totals.ingest.approximateUpdates;
  return sectionFigures("3. DynamoDB request units per applied event (AWS's item-size formulas)", [
    {
      id: "units.noMessage.write",
      label: "ours: WRU per event that decides no message",
      value: ours.noMessage.writeUnits,
      unit: "WRU",
      target: { comparison: "<=", value: 4 },
      missCause: `a transaction record of ${meanItemBytes.transaction ?? 0} bytes costs 2 WRU in a transaction, and the ${meanItemBytes.profile ?? 0}-byte profile is written (doubled) once per commit of ${units.meanEventsPerCommit.toFixed(1)} events`,
      note: `${ours.noMessage.events} events`,
    },
    {
      id: "units.noMessage.read",
      label: "ours: RRU per event that decides no message",
      value: ours.noMessage.readUnits,
      unit: "RRU",
    },
    {
      id: "units.all.write",
      label: "ours: WRU per applied event",
      value: ours.all.writeUnits,
      unit: "WRU",
      note: `${ours.all.indexWriteUnits.toFixed(3)} of it GSI1 writes`,
    },
    { id: "units.all.read", label: "ours: RRU per applied event", value: ours.all.readUnits, unit: "RRU" },
    {
      id: "baseline.noMessage.write",
      label: "baseline: WRU per event that decides no message",
      value: baseline.noMessage.writeUnits,
      unit: "WRU",
    },
    {
      id: "baseline.all.write",
      label: "baseline: WRU per applied event",
      value: baseline.all.writeUnits,
      unit: "WRU",
    },
    {
      id: "baseline.all.read",
      label: "baseline: RRU per applied event",
      value: baseline.all.readUnits,
      unit: "RRU",
    },
    {
      id: "units.ratio",
      label: "ours / baseline, WRU + RRU per applied event",
      value: ratio,
      unit: "x",
      target: { comparison: "<=", value: 0.6 },
      missCause: `ours ${total(ours.all).toFixed(2)} against the baseline's ${total(baseline.all).toFixed(2)} units per event`,
    },
    {
      id: "units.oneEventPerCommit.noMessage.write",
      label: "estimate, one event per commit: WRU per event that decides no message",
      value: single.noMessage.writeUnits,
      unit: "WRU",
      target: { comparison: "<=", value: 4 },
      missCause: `alone in its commit an event pays the transactional profile write (a ${meanItemBytes.profile ?? 0}-byte profile is 2 WRU, doubled) besides its own 2 WRU transaction record`,
    },
    {
      id: "units.oneEventPerCommit.all.read",
      label: "estimate, one event per commit: RRU per applied event",
      value: single.all.readUnits,
      unit: "RRU",
      note: "the load reads the profile, preferences, consents and offer feedback: 4 keys, each at least 1 RRU",
    },
    {
      id: "units.oneEventPerCommit.ratio",
      label: "estimate, one event per commit: ours / baseline, WRU + RRU",
      value: total(single.all) / total(baseline.all),
      unit: "x",
      target: { comparison: "<=", value: 0.6 },
      missCause: `ours ${total(single.all).toFixed(2)} against the baseline's ${total(baseline.all).toFixed(2)} units per event: without several events per commit, the transaction doubles every write and the load reads 4 keys`,
    },
    {
      id: "units.noMessage.ratio",
      label: "ours / baseline, events that decide no message",
      value: total(ours.noMessage) / total(baseline.noMessage),
      unit: "x",
    },
    {
      id: "dispatch.writePerMessage",
      label: "dispatch: WRU per outbox message",
      value: dispatchUnits.writeUnitsPerMessage,
      unit: "WRU",
    },
    {
      id: "dispatch.readPerMessage",
      label: "dispatch: RRU per outbox message",
      value: dispatchUnits.readUnitsPerMessage,
      unit: "RRU",
    },
    {
      id: "units.sizeCheckDiffering",
      label: "items whose formula units differ from DynamoDB Local's",
      value: ingest.sizeCheck.differing.length,
      unit: `of ${ingest.sizeCheck.items}`,
      note: "ConsumedCapacity of a PutItem of each item into a table without index",
    },
    {
      id: "units.approximateUpdates",
      label: "ingest updates sized approximately",
      value: approximations,
      unit: "updates",
    },
  ]);
}

function costFigures({ cost }: BenchResults): Figure[] {
  const largest = [...cost.lines].sort((a, b) => b.dollars - a.dollars)[0];
  return sectionFigures("4. Cost per million transactions (us-east-1 on-demand prices, December 2026)", [
    ...cost.lines.map((line, index) => ({
      id: `cost.line${index + 1}`,
      label: line.item,
      value: line.dollars,
      unit: "USD",
      note: line.basis,
    })),
    {
      id: "cost.total",
      label: "total",
      value: cost.total,
      unit: "USD",
      target: { comparison: "<=", value: 5 },
      missCause: largest ? `the largest line is ${largest.item} at $${largest.dollars.toFixed(2)}` : "",
    },
  ]);
}

function bundleFigures({ bundles }: BenchResults): Figure[] {
  return sectionFigures(
    "5. Lambda bundles (esbuild with ServiceFunction's options) and module initialization (median of 5 CPU times)",
    bundles.flatMap((bundle) => [
      {
        id: `bundle.${bundle.handler}.kB`,
        label: `${bundle.handler}: minified bundle`,
        value: bundle.bytes / KB,
        unit: "kB",
        target: { comparison: "<=" as const, value: 150 },
        missCause: `largest inputs ${bundle.largestInputs
          .map((input) => `${input.input} ${(input.bytes / KB).toFixed(0)} kB`)
          .join(", ")}`,
      },
      {
        id: `bundle.${bundle.handler}.initCpuMs`,
        label: `${bundle.handler}: module initialization`,
        value: bundle.medianCpuMs,
        unit: "ms CPU",
        target: { comparison: "<=" as const, value: 100 },
        missCause: `importing ${bundle.externals.join(", ")} takes ${bundle.medianSdkCpuMs.toFixed(0)} ms, the bundle's own modules ${bundle.medianBundleCpuMs.toFixed(0)} ms`,
        note: `${bundle.medianWallMs.toFixed(0)} ms wall-clock`,
      },
    ]),
  );
}

export function buildFigures(results: BenchResults): Figure[] {
  return [
    ...ingestFigures(results),
    ...pureFigures(results),
    ...unitFigures(results),
    ...costFigures(results),
    ...bundleFigures(results),
  ];
}
