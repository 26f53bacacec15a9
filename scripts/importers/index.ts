import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { findBerkaTransactionsFile, importBerka } from "./berka";
import { demoEvents } from "./demo";
import { importPlaid } from "./plaid";
import { deterministicEventId, type SourceEvent, wrapTransactionPosted } from "./source-event";

export type InputFormat = "berka" | "plaid" | "jsonl" | "demo";

export interface LoadedInput {
  readonly format: InputFormat;
  readonly description: string;
  readonly events: SourceEvent[];
}

function isPlaidFile(path: string): boolean {
  try {
    const json: unknown = JSON.parse(readFileSync(path, "utf8"));
    return (
      typeof json === "object" &&
      json !== null &&
      Array.isArray((json as Record<string, unknown>).override_accounts)
    );
  } catch {
    return false;
  }
}

/**
 * Reads a JSONL file: each line is an EventBridge event (with `detail-type` and `detail`) or a bare
 * `TransactionPosted` detail, which gets an envelope. Envelopes and lines that are not JSON are kept
 * as they are, so the replay validates or quarantines them the way the queue consumer would.
 */
export function importJsonl(path: string, source?: string): SourceEvent[] {
  const events: SourceEvent[] = [];
  readFileSync(path, "utf8")
    .split(/\r?\n/)
    .forEach((line, index) => {
      if (line.trim() === "") return;
      // The line's text and position name the event, so the same line of the same file keeps its id
      // across runs while files that share a name but differ in content do not collide.
      const id = deterministicEventId(`jsonl:${index + 1}:${line}`);
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        events.push({ kind: "raw", id, text: line });
        return;
      }
      if (typeof json !== "object" || json === null || Array.isArray(json)) {
        events.push({ kind: "raw", id, text: line });
      } else if ("detail-type" in json && "detail" in json) {
        events.push({
          kind: "raw",
          id: "id" in json && typeof json.id === "string" ? json.id : id,
          text: line,
        });
      } else {
        events.push(wrapTransactionPosted({ ...json }, id, source));
      }
    });
  return events;
}

/**
 * Reads a .json file that holds one event or an array of events, as the samples in events/ do;
 * returns undefined for anything else, which is then read as JSONL.
 */
function readJsonEvents(path: string, source?: string): SourceEvent[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  const items = Array.isArray(json) ? json : [json];
  return items.map((item, index) => {
    const text = JSON.stringify(item);
    const id = deterministicEventId(`json:${index + 1}:${text}`);
    if (typeof item === "object" && item !== null && !Array.isArray(item) && !("detail-type" in item)) {
      return wrapTransactionPosted({ ...item }, id, source);
    }
    const envelopeId =
      typeof item === "object" && item !== null && "id" in item && typeof item.id === "string" ? item.id : id;
    return { kind: "raw", id: envelopeId, text };
  });
}

/**
 * Loads replay input, detecting the format: a folder with Berka CSV files, a folder of Plaid sandbox
 * JSON files, a Plaid sandbox JSON file, or a JSONL file of events. No path means the built-in demo.
 */
export function loadInput(path: string | undefined, source?: string): LoadedInput {
  if (path === undefined) {
    return { format: "demo", description: "built-in demo of Vietnamese customers", events: demoEvents() };
  }
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) throw new Error(`Input ${path} does not exist`);

  if (stats.isDirectory()) {
    if (findBerkaTransactionsFile(path)) {
      return {
        format: "berka",
        description: `Berka CSV files in ${path}`,
        events: importBerka(path, source),
      };
    }
    const plaidFiles = readdirSync(path)
      .filter((name) => extname(name).toLowerCase() === ".json")
      .map((name) => join(path, name))
      .filter(isPlaidFile)
      .sort();
    if (plaidFiles.length > 0) {
      return {
        format: "plaid",
        description: `${plaidFiles.length} Plaid sandbox files in ${path}`,
        events: plaidFiles.flatMap((file) => importPlaid(file, source)),
      };
    }
    throw new Error(`${path} contains neither Berka CSV files (trans_test.csv) nor Plaid sandbox JSON files`);
  }

  if (isPlaidFile(path)) {
    return { format: "plaid", description: `Plaid sandbox file ${path}`, events: importPlaid(path, source) };
  }
  const wholeFile = extname(path).toLowerCase() === ".json" ? readJsonEvents(path, source) : undefined;
  if (wholeFile) return { format: "jsonl", description: `JSON events in ${path}`, events: wholeFile };
  const extension = extname(path).toLowerCase();
  if (extension === ".jsonl" || extension === ".ndjson" || extension === ".json") {
    return { format: "jsonl", description: `JSONL events in ${path}`, events: importJsonl(path, source) };
  }
  throw new Error(
    `Cannot tell the format of ${path}: pass a Berka folder, a Plaid sandbox .json file or a .jsonl file of events`,
  );
}
