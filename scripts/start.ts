import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SingleBar } from "cli-progress";
import { createDocumentClient } from "../lambdas/adapters/aws/clients";
import { createIngestDependencies } from "../lambdas/handlers/ingest/dependencies";
import { createIngestHandler } from "../lambdas/handlers/ingest/handler";
import type { IngestOutcome } from "../lambdas/use-cases/ingest-transaction";
import { loadInput } from "./importers/index";
import {
  type DynamoDbLocal,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
} from "./local/dynamodb-local";
import { replayThroughQueue } from "./local/replay";
import { RequestCounter } from "./local/request-counter";
import {
  describeProfile,
  describeReport,
  emptyReport,
  type ReplayReport,
  scanProfiles,
  summarizeRecurring,
} from "./local/summary";
import { ensureTable } from "./local/table";

const HELP = `Usage: npm start -- [options]

Runs the personalization pipeline on this machine: starts DynamoDB Local, creates the table,
replays transactions through the same Lambda handlers that run in AWS, and prints a summary.

Options:
  --input PATH        Berka CSV folder, Plaid sandbox JSON file or folder, or JSONL file of
                      TransactionPosted events (default: the built-in demo of Vietnamese customers)
  --exit              stop after the replay instead of keeping DynamoDB Local running
  --in-memory         keep no data on disk (default: data persists in --data-dir)
  --data-dir DIR      folder for DynamoDB Local's database file (default: .data/dynamodb)
  --report FILE       write the summary as JSON to FILE
  --table NAME        table name (default: personalization)
  --lanes N           concurrent handler invocations (default: 4)
  --batch-size N      SQS records per invocation, 1 to 10 (default: 10)
  --show-profiles N   print N customer profiles (default: all for the demo, 0 for other input)
  --source NAME       EventBridge source of the events (default: core-banking)
  --help              print this help

Set AWS_ENDPOINT_URL_DYNAMODB to use a DynamoDB endpoint that is already running instead of
starting DynamoDB Local.`;

interface StartOptions {
  input?: string;
  exit: boolean;
  inMemory: boolean;
  dataDirectory: string;
  reportPath?: string;
  tableName: string;
  lanes: number;
  batchSize: number;
  showProfiles?: number;
  source?: string;
}

function positiveInteger(
  value: string | undefined,
  option: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new Error(`--${option} must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return number;
}

function parseOptions(argv: string[]): StartOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      input: { type: "string" },
      exit: { type: "boolean", default: false },
      "in-memory": { type: "boolean", default: false },
      "data-dir": { type: "string", default: ".data/dynamodb" },
      report: { type: "string" },
      table: { type: "string", default: "personalization" },
      lanes: { type: "string" },
      "batch-size": { type: "string" },
      "show-profiles": { type: "string" },
      source: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return undefined;
  return {
    ...(values.input !== undefined && { input: values.input }),
    exit: values.exit,
    inMemory: values["in-memory"],
    dataDirectory: values["data-dir"],
    ...(values.report !== undefined && { reportPath: values.report }),
    tableName: values.table,
    lanes: positiveInteger(values.lanes, "lanes", 4, 64),
    batchSize: positiveInteger(values["batch-size"], "batch-size", 10, 10),
    ...(values["show-profiles"] !== undefined && {
      showProfiles: positiveInteger(values["show-profiles"], "show-profiles", 0),
    }),
    ...(values.source !== undefined && { source: values.source }),
  };
}

/**
 * Sets the environment the handlers read, as the CDK stack sets it in AWS. Handler logs go to the
 * console at ERROR unless POWERTOOLS_LOG_LEVEL says otherwise, and metrics are off locally: the
 * summary reports the counts and the quarantine reasons instead.
 */
function configureEnvironment(options: StartOptions, endpoint: string): void {
  process.env.TABLE_NAME = options.tableName;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION ??= LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
}

function recordOutcome(report: ReplayReport, outcome: IngestOutcome): void {
  switch (outcome.kind) {
    case "applied":
      report.eventsApplied += 1;
      break;
    case "duplicate":
      report.eventsDuplicate += 1;
      break;
    case "quarantined":
      if (outcome.alreadyQuarantined) {
        report.eventsDuplicate += 1;
      } else {
        report.eventsQuarantined += 1;
        if (report.quarantineSamples.length < 5) {
          report.quarantineSamples.push({ eventId: outcome.eventId, reasons: outcome.reasons });
        }
      }
      break;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(HELP);
    return;
  }
  // The SDK warns that releases after January 2027 need Node.js 22; Lambda runs 22 already.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

  const input = loadInput(options.input, options.source);
  const report = emptyReport(input.format, input.description);
  report.eventsRead = input.events.length;

  let dynamoDbLocal: DynamoDbLocal | undefined;
  let endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint) {
    console.error(
      `Starting DynamoDB Local (${options.inMemory ? "in memory" : `data in ${options.dataDirectory}`})…`,
    );
    dynamoDbLocal = await startDynamoDbLocal(
      options.inMemory ? {} : { dataDirectory: options.dataDirectory },
    );
    endpoint = dynamoDbLocal.endpoint;
  }
  const stop = async () => {
    await dynamoDbLocal?.stop();
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));

  try {
    configureEnvironment(options, endpoint);
    const dynamoDb = new DynamoDBClient({});
    const counter = new RequestCounter();
    counter.attach(dynamoDb);
    const documentClient = createDocumentClient(dynamoDb);
    const created = await ensureTable(dynamoDb, options.tableName);
    console.error(`Table ${options.tableName} ${created ? "created" : "already exists"} at ${endpoint}`);

    const ingest = createIngestHandler(
      createIngestDependencies({ documentClient, onOutcome: (outcome) => recordOutcome(report, outcome) }),
    );

    const bar = new SingleBar({
      format: "Replaying {bar} {value}/{total} events | {percentage}% | {eta_formatted} left",
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      hideCursor: true,
    });
    bar.start(input.events.length, 0);
    const requestsBefore = counter.total();
    const started = performance.now();
    const replay = await replayThroughQueue(input.events, ingest, {
      lanes: options.lanes,
      batchSize: options.batchSize,
      maxReceiveCount: 5,
      functionName: "personalization-ingest",
      onBatch: (processed) => bar.increment(processed),
    });
    bar.stop();

    report.elapsedSeconds = (performance.now() - started) / 1000;
    report.eventsPerSecond = input.events.length / Math.max(report.elapsedSeconds, 0.001);
    report.eventsDeadLettered = replay.deadLettered.length;
    report.dynamodb.requests = counter.snapshot();
    report.dynamodb.requestsPerEvent = (counter.total() - requestsBefore) / Math.max(input.events.length, 1);

    const profiles = await scanProfiles(documentClient, options.tableName);
    report.recurringPayees = summarizeRecurring(profiles);

    console.log("");
    for (const line of describeReport(report)) console.log(line);
    for (const sample of report.quarantineSamples) {
      for (const reason of sample.reasons)
        console.log(`  quarantined ${sample.eventId}: ${reason.field} ${reason.message}`);
    }
    const profilesToShow = options.showProfiles ?? (input.format === "demo" ? profiles.length : 0);
    if (profilesToShow > 0) {
      console.log(`\nCustomer profiles (${Math.min(profilesToShow, profiles.length)} of ${profiles.length})`);
      for (const profile of profiles.slice(0, profilesToShow)) {
        for (const line of describeProfile(profile)) console.log(line);
      }
    }
    if (options.reportPath) {
      writeFileSync(options.reportPath, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`\nReport written to ${options.reportPath}`);
    }
    for (const messageId of replay.deadLettered.slice(0, 5)) {
      console.log(`  dead-lettered message ${messageId}: failed ${5} times; see the error log above`);
    }

    if (options.exit) return;
    console.log(
      `\nDynamoDB Local is serving table ${options.tableName} at ${endpoint}. Press Ctrl+C to stop.`,
    );
    await new Promise(() => undefined);
  } finally {
    if (options.exit) await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `Error: ${error.message}` : error);
  process.exitCode = 1;
});
