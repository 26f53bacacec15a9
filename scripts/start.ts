import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import { openApiDocument } from "../lambdas/api/openapi";
import type { Decision } from "../lambdas/domain/decide";
import { DEFAULT_TIME_ZONE } from "../lambdas/domain/preferences";
import { createApiFunctionHandler } from "../lambdas/handlers/api/functions";
import type { DispatchOutcome } from "../lambdas/use-cases/dispatch-message";
import type { IngestOutcome } from "../lambdas/use-cases/ingest-transaction";
import type { ReminderResult } from "../lambdas/use-cases/send-payment-reminders";
import { loadInput } from "./importers/index";
import type { SourceEvent } from "./importers/source-event";
import { type LocalApi, startLocalApi } from "./local/api-server";
import {
  type DynamoDbLocal,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
} from "./local/dynamodb-local";
import { LivePipeline } from "./local/live";
import { LocalOutboxFolder } from "./local/local-channels";
import { loadLocalKeys } from "./local/local-jwt";
import { LocalRuntime } from "./local/runtime";
import { DEMO_CUSTOMERS, recipientsFor, type SeedCustomer, seedCustomers } from "./local/seed";
import {
  describeProfile,
  describeReport,
  describeSamples,
  emptyReport,
  increment,
  type ReplayReport,
  scanProfiles,
  summarizeRecurring,
} from "./local/summary";
import { ensureTable } from "./local/table";

const HELP = `Usage: npm start -- [options]

Runs the personalization pipeline on this machine: starts DynamoDB Local, creates the table,
replays transactions through the same Lambda handlers that run in AWS (ingest, the daily payment
reminders, dispatch from the table's stream, and the release of messages deferred by quiet hours),
and prints a summary. Push, e-mail and bus events go to files in --outbox-dir, never to AWS.
Then, unless --exit is given, it serves the customer API on 127.0.0.1 with the API handlers and
keeps the pipeline running for events posted to /local/events.

Options:
  --input PATH        Berka CSV folder, Plaid sandbox JSON file or folder, or JSONL file of
                      TransactionPosted events (default: the built-in demo of Vietnamese customers)
  --exit              stop after the replay instead of serving the API
  --port N            port of the local API (default: PORT, else 3000)
  --in-memory         keep no data on disk (default: data persists in --data-dir)
  --data-dir DIR      folder for DynamoDB Local's database file (default: .data/dynamodb)
  --outbox-dir DIR    folder for the local push, e-mail and event files (default: .data/outbox)
  --report FILE       write the summary as JSON to FILE
  --table NAME        table name (default: personalization)
  --lanes N           concurrent handler invocations, 1 to 64 (default: 4)
  --batch-size N      SQS records per invocation, 1 to 10 (default: 10)
  --no-timeline       replay without day-by-day reminder runs: faster, but reminders run only once, at the end
  --show-profiles N   print N customer profiles (default: all for the demo, 0 for other input)
  --samples N         print N sample messages (default: 8)
  --source NAME       EventBridge source of the events (default: core-banking)
  --help              print this help

Set AWS_ENDPOINT_URL_DYNAMODB to use a DynamoDB endpoint that is already running instead of
starting DynamoDB Local.`;

interface StartOptions {
  input?: string;
  exit: boolean;
  inMemory: boolean;
  dataDirectory: string;
  outboxDirectory: string;
  reportPath?: string;
  tableName: string;
  lanes: number;
  batchSize: number;
  timeline: boolean;
  showProfiles?: number;
  samples: number;
  source?: string;
  port: number;
}

function positiveInteger(
  value: string | undefined,
  option: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > max) {
    throw new Error(`--${option} must be a whole number from 0 to ${max}, got "${value}"`);
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
      "outbox-dir": { type: "string", default: ".data/outbox" },
      report: { type: "string" },
      table: { type: "string", default: "personalization" },
      lanes: { type: "string" },
      "batch-size": { type: "string" },
      "no-timeline": { type: "boolean", default: false },
      "show-profiles": { type: "string" },
      samples: { type: "string" },
      source: { type: "string" },
      port: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return undefined;
  const lanes = positiveInteger(values.lanes, "lanes", 4, 64);
  const batchSize = positiveInteger(values["batch-size"], "batch-size", 10, 10);
  if (lanes < 1 || batchSize < 1) throw new Error("--lanes and --batch-size must be at least 1");
  return {
    ...(values.input !== undefined && { input: values.input }),
    exit: values.exit,
    inMemory: values["in-memory"],
    dataDirectory: values["data-dir"],
    outboxDirectory: values["outbox-dir"],
    ...(values.report !== undefined && { reportPath: values.report }),
    tableName: values.table,
    lanes,
    batchSize,
    timeline: !values["no-timeline"],
    ...(values["show-profiles"] !== undefined && {
      showProfiles: positiveInteger(values["show-profiles"], "show-profiles", 0),
    }),
    samples: positiveInteger(values.samples, "samples", 8),
    ...(values.source !== undefined && { source: values.source }),
    port: positiveInteger(values.port ?? process.env.PORT, "port", 3000, 65_535),
  };
}

/**
 * Sets the environment the handlers read, as the CDK stack sets it in AWS. Handler logs go to the
 * console at ERROR unless POWERTOOLS_LOG_LEVEL says otherwise, and metrics are off locally: the
 * summary reports the counts and the quarantine reasons instead. Replays decide with the events' own
 * time, so the check that drops messages about old events is off.
 */
function configureEnvironment(options: StartOptions, endpoint: string): void {
  process.env.TABLE_NAME = options.tableName;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION ??= LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  process.env.MAX_EVENT_AGE_HOURS ??= "0";
}

/** Counts one ingest outcome into the report. */
function recordIngest(report: ReplayReport, outcome: IngestOutcome, samples: Decision[][]): void {
  switch (outcome.kind) {
    case "applied":
      report.eventsApplied += 1;
      recordDecisions(report, outcome.customerId, outcome.decisions, outcome.suppressions, samples);
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

function recordDecisions(
  report: ReplayReport,
  customerId: string,
  decisions: readonly Decision[],
  suppressions: ReadonlyArray<{ reason: string }>,
  samples: Decision[][],
): void {
  for (const suppression of suppressions) increment(report.suppressed, suppression.reason);
  for (const decision of decisions) {
    increment(decision.kind === "offer" ? report.offers : report.alerts, decision.ruleId);
    for (const channel of decision.channels) {
      increment(report.messages.byChannel, channel);
      increment(report.messages.byLanguage, decision.language);
      if (decision.notBefore) report.messages.deferredForQuietHours += 1;
    }
    samples.push([{ ...decision, triggerKey: customerId }]);
  }
}

function recordReminders(report: ReplayReport, result: ReminderResult, samples: Decision[][]): void {
  report.reminders.runs += 1;
  report.reminders.entriesChecked += result.entriesChecked;
  report.reminders.sent += result.decisions.length;
  const customerOf = new Map(result.messages.map((message) => [message.triggerKey, message.customerId]));
  for (const decision of result.decisions) {
    recordDecisions(report, customerOf.get(decision.triggerKey) ?? "", [decision], [], samples);
  }
  for (const suppression of result.suppressions) increment(report.suppressed, suppression.reason);
}

function recordDispatch(report: ReplayReport, outcome: DispatchOutcome): void {
  if (outcome.status === "delivered") increment(report.deliveries.delivered, outcome.channel);
  if (outcome.status === "failed") {
    increment(report.deliveries.failed, outcome.channel);
    if (outcome.reason) increment(report.deliveries.failureReasons, outcome.reason.replace(/: .*$/, ""));
  }
}

/** Picks varied samples: each rule once, in its customers' languages, alerts before offers. */
function pickSamples(decided: Decision[][], count: number): ReplayReport["messageSamples"] {
  // Each rule's first decision per language. Alerts and offers take turns, and every rule shows once
  // before any rule shows in its second language.
  const firsts = new Map<string, Decision>();
  for (const decision of decided.flat()) {
    const key = `${decision.ruleId}:${decision.language}`;
    if (!firsts.has(key)) firsts.set(key, decision);
  }
  const rulesShown = new Set<string>();
  const rounds: Decision[][] = [[], []];
  for (const decision of firsts.values()) {
    const round = rulesShown.has(decision.ruleId) ? 1 : 0;
    rulesShown.add(decision.ruleId);
    rounds[round]?.push(decision);
  }
  const ordered = rounds.flatMap((round) => {
    const alerts = round.filter((decision) => decision.kind !== "offer");
    const offers = round.filter((decision) => decision.kind === "offer");
    return Array.from({ length: Math.max(alerts.length, offers.length) }, (_, index) =>
      [alerts[index], offers[index]].filter((decision) => decision !== undefined),
    ).flat();
  });
  const picked: ReplayReport["messageSamples"] = [];
  for (const decision of ordered.slice(0, count)) {
    picked.push({
      customerId: decision.triggerKey,
      ruleId: decision.ruleId,
      language: decision.language,
      channels: decision.channels,
      title: decision.text.title,
      body: decision.text.body,
      ...(decision.notBefore && { deferredUntil: decision.notBefore }),
    });
  }
  return picked;
}

function customersIn(sources: readonly SourceEvent[]): Set<string> {
  const customers = new Set<string>();
  for (const source of sources) {
    if (source.kind !== "event") continue;
    const detail = source.event.detail;
    if (
      typeof detail === "object" &&
      detail !== null &&
      "customerId" in detail &&
      typeof detail.customerId === "string"
    ) {
      customers.add(detail.customerId);
    }
  }
  return customers;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(HELP);
    return;
  }
  // The SDK warns that its releases after January 2027 need Node.js 22; Lambda runs 22 already.
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
  const interrupted = () => void stop().then(() => process.exit(130));
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);

  // The bar's timer keeps the process alive until it is stopped, so every exit path stops it.
  const bar = new SingleBar({
    format: "Replaying {bar} {value}/{total} events | {percentage}% | {eta_formatted} left",
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 5_000,
    hideCursor: true,
  });
  let runtime: LocalRuntime | undefined;
  try {
    configureEnvironment(options, endpoint);
    const outbox = new LocalOutboxFolder(resolve(options.outboxDirectory));
    outbox.reset();
    const decided: Decision[][] = [];
    let live: LivePipeline | undefined;
    let replayed = 0;
    runtime = new LocalRuntime(endpoint, options.tableName, outbox, {
      onIngest: (outcome) => (live ? live.record(outcome) : recordIngest(report, outcome, decided)),
      onReminders: (result) => recordReminders(report, result, decided),
      onDispatch: (outcome) => recordDispatch(report, outcome),
      onProgress: (processed) => {
        replayed += processed;
        bar.increment(processed);
      },
    });
    const created = await ensureTable(runtime.dynamoDb, options.tableName);
    console.error(`Table ${options.tableName} ${created ? "created" : "already exists"} at ${endpoint}`);

    const seeds: SeedCustomer[] =
      input.format === "demo" ? [...DEMO_CUSTOMERS] : recipientsFor(customersIn(input.events));
    const seeded = await seedCustomers(runtime.documentClient, options.tableName, seeds, new Date());
    console.error(
      `Wrote ${seeded} settings items for ${seeds.length} customers (preferences, consents, e-mail, devices)`,
    );
    await runtime.followStream();

    bar.start(input.events.length, 0);
    const requestsBefore = runtime.requests.total();
    const started = performance.now();
    const timeZones = [
      DEFAULT_TIME_ZONE,
      ...new Set(seeds.map((seed) => seed.preferences?.timeZone ?? DEFAULT_TIME_ZONE)),
    ];
    const replay = await runtime
      .replay(input.events, {
        lanes: options.lanes,
        batchSize: options.batchSize,
        timeZones: [...new Set(timeZones)],
        timeline: options.timeline,
      })
      .catch((error: unknown) => {
        throw new Error(
          `The replay stopped after ${replayed} of ${input.events.length} events: ${messageOf(error)}`,
          { cause: error },
        );
      });
    bar.stop();
    report.elapsedSeconds = (performance.now() - started) / 1000;
    report.eventsPerSecond = input.events.length / Math.max(report.elapsedSeconds, 0.001);
    report.eventsDeadLettered = replay.deadLettered.length;
    report.dynamodb.requestsPerEvent =
      (runtime.requests.total() - requestsBefore) / Math.max(input.events.length, 1);

    console.error("Dispatching messages from the table's stream…");
    await runtime.dispatchFromStream();
    await runtime.releaseDue();
    await runtime.dispatchFromStream();
    report.dynamodb.requests = runtime.requests.snapshot();
    const customerMessages = Object.values(report.messages.byChannel).reduce((sum, count) => sum + count, 0);
    const settled = [
      ...Object.entries(report.deliveries.delivered),
      ...Object.entries(report.deliveries.failed),
    ]
      .filter(([channel]) => channel !== "event")
      .reduce((sum, [, count]) => sum + count, 0);
    report.deliveries.waiting = Math.max(0, customerMessages - settled);
    report.messageSamples = pickSamples(decided, options.samples);

    const profiles = await scanProfiles(runtime.documentClient, options.tableName);
    report.recurringPayees = summarizeRecurring(profiles);

    console.log("");
    for (const line of describeReport(report)) console.log(line);
    for (const sample of report.quarantineSamples) {
      for (const reason of sample.reasons)
        console.log(`  quarantined ${sample.eventId}: ${reason.field} ${reason.message}`);
    }
    for (const messageId of replay.deadLettered.slice(0, 5)) {
      console.log(`  dead-lettered message ${messageId}: failed 5 times; see the error log above`);
    }
    if (report.messageSamples.length > 0) {
      console.log(`\nSample messages (local push, e-mail and event files in ${outbox.folder})`);
      for (const line of describeSamples(report.messageSamples)) console.log(line);
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
    if (options.exit) return;
    live = new LivePipeline(runtime);
    live.start();
    const api = await serveApi(options, live);
    console.log(`
The customer API is serving ${api.url} (OpenAPI document: ${api.url}/openapi.json).
Try it with a local token for a demo customer:
  TOKEN=$(npm run -s dev-token -- demo-an)
  curl -s -H "Authorization: Bearer $TOKEN" ${api.url}/v1/me/home
Post TransactionPosted events to ${api.url}/local/events to run them through the pipeline.
DynamoDB Local is serving table ${options.tableName} at ${endpoint}. Press Ctrl+C to stop.`);
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    await new Promise<void>((resolvePromise) => {
      process.once("SIGINT", () => resolvePromise());
      process.once("SIGTERM", () => resolvePromise());
    });
    console.error("Stopping…");
    live.stop();
    await api.close();
  } finally {
    bar.stop();
    runtime?.close();
    await stop();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Serves the customer API with the same handlers as the Lambda functions, on 127.0.0.1 only. */
async function serveApi(options: StartOptions, live: LivePipeline): Promise<LocalApi> {
  const keys = await loadLocalKeys();
  const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
  const serverUrl = `http://127.0.0.1:${options.port}`;
  try {
    return await startLocalApi({
      port: options.port,
      keys,
      createHandler: (functionName) => createApiFunctionHandler(functionName),
      openApi: openApiDocument({ version, serverUrl }),
      localEvents: (body) => live.post(body),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(`Port ${options.port} is in use; choose another with --port N or PORT=N`);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  const message = messageOf(error);
  console.error(`Error: ${message}${/option/i.test(message) ? "; see npm start -- --help" : ""}`);
  process.exitCode = 1;
  // Cleanup released every handle this script opened. Should a library still keep one open, the
  // process exits anyway after 5 s. The timer is unreferenced, so it never delays an exit that is due.
  setTimeout(() => process.exit(1), 5_000).unref();
});
