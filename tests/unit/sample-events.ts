import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EventBridgeEvent } from "../../lambdas/contracts/event-bus";
import { type TransactionPosted, TransactionPostedSchema } from "../../lambdas/contracts/transaction-posted";
import { type PostedTransaction, toPostedTransaction } from "../../lambdas/domain/transaction";

/** Folder of the sample EventBridge events shared with producers. Its `invalid/` folder contains events to be rejected. */
export const EVENTS_DIR = fileURLToPath(new URL("../../events/", import.meta.url));
export const INVALID_EVENTS_DIR = join(EVENTS_DIR, "invalid");

export const CARD_PURCHASE = "transaction-posted.card-purchase.json";
export const CARD_ABROAD = "transaction-posted.card-abroad.json";
export const BILL_PAYMENT = "transaction-posted.bill-payment.json";
export const SALARY = "transaction-posted.salary.json";
export const USD_TRANSFER = "transaction-posted.usd-transfer.json";

/** A sample event with a detail loose enough to be edited into invalid shapes. */
export type SampleEvent = EventBridgeEvent<Record<string, unknown>>;

const loadedEvents = new Map<string, SampleEvent>();

/** Lists the names of the JSON files directly inside `folder`, sorted. */
export function jsonFileNames(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort();
}

/** Returns a copy of the sample event at `path`, relative to `events/`, that a test may change freely. */
export function sampleEvent(path: string): SampleEvent {
  let event = loadedEvents.get(path);
  if (event === undefined) {
    event = JSON.parse(readFileSync(join(EVENTS_DIR, path), "utf8")) as SampleEvent;
    loadedEvents.set(path, event);
  }
  return structuredClone(event);
}

/**
 * Parses the detail of a sample event with some fields replaced, using the contract's schema. A field
 * set to `undefined` in `changes` is removed, as if the producer had left it out.
 */
export function sampleDetail(path: string, changes: Record<string, unknown> = {}): TransactionPosted {
  const merged = { ...sampleEvent(path).detail, ...structuredClone(changes) };
  const detail = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  return TransactionPostedSchema.parse(detail);
}

/** Converts a sample detail, with fields replaced as in {@link sampleDetail}, into the domain form. */
export function samplePosted(path: string, changes: Record<string, unknown> = {}): PostedTransaction {
  return toPostedTransaction(sampleDetail(path, changes));
}
