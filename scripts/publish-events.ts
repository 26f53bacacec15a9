import { parseArgs } from "node:util";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { DEFAULT_CORE_BANKING_SOURCE } from "../lambdas/contracts/event-bus";
import { loadInput } from "./importers/index";
import type { SourceEvent } from "./importers/source-event";

const HELP = `Usage: npm run publish-events -- --input PATH --bus NAME [options]

Publishes transactions to an EventBridge bus with PutEvents, for staging loads. Reads the same
input as npm start: a Berka CSV folder, a Plaid sandbox JSON file or folder, or a JSONL file.

Options:
  --input PATH      the input to publish (required)
  --bus NAME        event bus name or ARN (required)
  --source NAME     EventBridge source of the events (default: ${DEFAULT_CORE_BANKING_SOURCE})
  --limit N         publish only the first N events
  --dry-run         build and check the entries without sending them
  --help            print this help

Credentials and region come from the standard AWS chain (AWS_PROFILE, AWS_REGION).`;

/** PutEvents takes at most 10 entries and 256 KiB per request. */
const MAX_ENTRIES_PER_REQUEST = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 5;

/** Size of an entry as EventBridge counts it: UTF-8 bytes of source, detail-type, detail and resources, plus 14 for the time. */
function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => Buffer.byteLength(text ?? "", "utf8");
  return bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Time ? 14 : 0);
}

function entryOf(source: SourceEvent, busName: string): PutEventsRequestEntry | undefined {
  let event: Record<string, unknown>;
  if (source.kind === "event") {
    event = { ...source.event };
  } else {
    try {
      const parsed: unknown = JSON.parse(source.text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
      event = { ...parsed };
    } catch {
      return undefined;
    }
  }
  if (typeof event.source !== "string" || typeof event["detail-type"] !== "string") return undefined;
  const time = typeof event.time === "string" ? new Date(event.time) : undefined;
  return {
    EventBusName: busName,
    Source: event.source,
    DetailType: event["detail-type"],
    Detail: JSON.stringify(event.detail ?? {}),
    ...(time && !Number.isNaN(time.getTime()) && { Time: time }),
  };
}

function batches(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const result: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (
      current.length === MAX_ENTRIES_PER_REQUEST ||
      (current.length > 0 && bytes + size > MAX_REQUEST_BYTES)
    ) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * Sends one batch, resending only the entries that PutEvents reports as failed (it answers 200 with
 * FailedEntryCount and a per-entry ErrorCode) until they succeed or the attempts run out.
 */
async function publishBatch(client: EventBridgeClient, batch: PutEventsRequestEntry[]): Promise<string[]> {
  let pending = batch;
  let lastErrors: string[] = [];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS && pending.length > 0; attempt += 1) {
    const response = await client.send(new PutEventsCommand({ Entries: pending }));
    if (!response.FailedEntryCount) return [];
    const failed: PutEventsRequestEntry[] = [];
    lastErrors = [];
    (response.Entries ?? []).forEach((result, index) => {
      if (result.ErrorCode) {
        failed.push(pending[index] as PutEventsRequestEntry);
        lastErrors.push(`${result.ErrorCode}: ${result.ErrorMessage ?? "no message"}`);
      }
    });
    pending = failed;
    if (pending.length > 0) await new Promise((wait) => setTimeout(wait, 100 * 2 ** attempt));
  }
  return lastErrors;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      input: { type: "string" },
      bus: { type: "string" },
      source: { type: "string" },
      limit: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (!values.input || !values.bus) throw new Error("--input and --bus are required; see --help");
  const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
  if (!(limit > 0) || (values.limit !== undefined && !Number.isInteger(limit))) {
    throw new Error(`--limit must be a whole number above 0, got "${values.limit}"`);
  }

  const input = loadInput(values.input, values.source);
  const sources = input.events.slice(0, limit);
  const entries = sources.map((source) => entryOf(source, values.bus as string));
  const publishable = entries.filter((entry): entry is PutEventsRequestEntry => entry !== undefined);
  const skipped = entries.length - publishable.length;
  const requests = batches(publishable);
  console.log(
    `${input.description}: ${publishable.length} events in ${requests.length} PutEvents requests; ${skipped} lines are not events and are skipped`,
  );
  if (values["dry-run"]) return;

  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const client = new EventBridgeClient({});
  let failed = 0;
  for (const [index, request] of requests.entries()) {
    const errors = await publishBatch(client, request);
    failed += errors.length;
    for (const error of errors)
      console.error(`request ${index + 1}: entry not published after ${MAX_ATTEMPTS} attempts: ${error}`);
  }
  console.log(`Published ${publishable.length - failed} of ${publishable.length} events to ${values.bus}`);
  if (failed > 0) process.exitCode = 2;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `Error: ${error.message}` : error);
  process.exitCode = 1;
});
