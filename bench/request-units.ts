import { createHash } from "node:crypto";
import { marshall } from "@aws-sdk/util-dynamodb";
import { itemSize, readUnits, writeUnits } from "./item-size";
import type { CommitItem, CommitRecord } from "./unit-recorder";

/**
 * Request units per applied event, from the ingest commits the recorder saw, and the same work done
 * the common way (the baseline), computed from the same item sizes.
 *
 * Attribution: a commit writes several events of one customer. Each event owns its transaction
 * record and the outbox items and offers it decided; the profile, month items and due-payment
 * entries, and the reads that loaded the customer, are shared equally among the commit's events.
 *
 * The replay delivers each customer's history back to back, so a batch of 10 holds about 9 events
 * of one customer. Live traffic rarely puts two events of one customer in one batch, so the
 * comparison also estimates one event per commit: each event then pays the customer's load and
 * the transactional profile write alone, with the profile's size at that event.
 */

export interface Units {
  /** Events counted. */
  readonly events: number;
  /** Write request units per event, the table's and the index's. */
  readonly writeUnits: number;
  /** Of which index writes (GSI1), per event. */
  readonly indexWriteUnits: number;
  readonly readUnits: number;
}

export interface UnitComparison {
  readonly ours: { readonly all: Units; readonly noMessage: Units };
  /** Estimate for one event per commit, from the same item sizes. */
  readonly oursOneEventPerCommit: { readonly all: Units; readonly noMessage: Units };
  readonly baseline: { readonly all: Units; readonly noMessage: Units };
  /** Mean sizes in bytes of the items written, by kind, as the profile item after each commit. */
  readonly meanItemBytes: Readonly<Record<string, number>>;
  readonly meanEventsPerCommit: number;
}

interface Accumulator {
  events: number;
  writeUnits: number;
  indexWriteUnits: number;
  readUnits: number;
}

function accumulator(): Accumulator {
  return { events: 0, writeUnits: 0, indexWriteUnits: 0, readUnits: 0 };
}

function add(target: Accumulator, write: number, index: number, read: number): void {
  target.events += 1;
  target.writeUnits += write + index;
  target.indexWriteUnits += index;
  target.readUnits += read;
}

function perEvent(total: Accumulator): Units {
  const events = Math.max(total.events, 1);
  return {
    events: total.events,
    writeUnits: total.writeUnits / events,
    indexWriteUnits: total.indexWriteUnits / events,
    readUnits: total.readUnits / events,
  };
}

/**
 * The item of Powertools' DynamoDB idempotency layer (its default attribute names): the key is the
 * function name and a base64 MD5 digest of the payload, with expiry times in seconds and
 * milliseconds; a completed record stores the handler's result as JSON.
 */
function idempotencyItem(eventId: string, customerId: string, completed: boolean, messages: number) {
  const nowSeconds = 1_790_000_000;
  return marshall({
    id: `personalization-ingest.processRecord#${createHash("md5").update(eventId).digest("base64")}`,
    expiration: nowSeconds + 3_600,
    in_progress_expiration: nowSeconds * 1000 + 30_000,
    status: completed ? "COMPLETED" : "INPROGRESS",
    ...(completed && { data: JSON.stringify({ kind: "applied", eventId, customerId, messages }) }),
  });
}

/** Standard (non-transactional) units of an item that a commit wrote in a transaction. */
function standardUnits(item: CommitItem): number {
  return writeUnits(Math.max(item.sizeBefore, item.sizeAfter));
}

export function compareUnits(
  commits: readonly CommitRecord[],
  eventsWithMessages: ReadonlySet<string>,
): UnitComparison {
  const ours = { all: accumulator(), noMessage: accumulator() };
  const single = { all: accumulator(), noMessage: accumulator() };
  const baseline = { all: accumulator(), noMessage: accumulator() };
  const sizes = new Map<string, { bytes: number; count: number }>();
  let events = 0;

  for (const commit of commits) {
    const transactions = commit.items.filter((item) => item.kind === "transaction" && item.eventId);
    const count = transactions.length;
    if (count === 0) continue;
    events += count;
    for (const item of commit.items) {
      const entry = sizes.get(item.kind) ?? { bytes: 0, count: 0 };
      entry.bytes += item.sizeAfter;
      entry.count += 1;
      sizes.set(item.kind, entry);
    }

    const shared = commit.items.filter((item) => item.eventId === undefined);
    const sharedWrite = shared.reduce((sum, item) => sum + item.writeUnits, 0) / count;
    const sharedIndex = shared.reduce((sum, item) => sum + item.indexWriteUnits, 0) / count;
    const sharedRead = commit.readUnits / count;

    // The baseline writes the profile once per event. Its size per event is interpolated between
    // the size read and the size written by the commit, since only those two are observed.
    const profile = commit.items.find((item) => item.kind === "profile");
    const profileBefore = commit.profileSizeRead;
    const profileAfter = profile?.sizeAfter ?? profileBefore;
    const otherShared = shared.filter((item) => item.kind !== "profile");
    const baselineSharedWrite = otherShared.reduce((sum, item) => sum + standardUnits(item), 0) / count;
    const otherSharedWrite = otherShared.reduce((sum, item) => sum + item.writeUnits, 0) / count;

    transactions.forEach((transaction, position) => {
      const eventId = transaction.eventId as string;
      const owned = commit.items.filter((item) => item.eventId === eventId);
      const ownWrite = owned.reduce((sum, item) => sum + item.writeUnits, 0);
      const ownIndex = owned.reduce((sum, item) => sum + item.indexWriteUnits, 0);
      const decided = eventsWithMessages.has(eventId);
      for (const target of decided ? [ours.all] : [ours.all, ours.noMessage]) {
        add(target, ownWrite + sharedWrite, ownIndex + sharedIndex, sharedRead);
      }

      const sizeBefore = profileBefore + ((profileAfter - profileBefore) * position) / count;
      const sizeAfter = profileBefore + ((profileAfter - profileBefore) * (position + 1)) / count;
      const singleWrite = ownWrite + 2 * writeUnits(Math.max(sizeBefore, sizeAfter)) + otherSharedWrite;
      for (const target of decided ? [single.all] : [single.all, single.noMessage]) {
        add(target, singleWrite, ownIndex + sharedIndex, commit.readUnits);
      }

      const messages = owned.filter((item) => item.kind === "outbox").length;
      const inProgress = itemSize(idempotencyItem(eventId, commit.partitionKey, false, messages));
      const completed = itemSize(idempotencyItem(eventId, commit.partitionKey, true, messages));
      const baselineWrite =
        writeUnits(inProgress) +
        owned.reduce((sum, item) => sum + standardUnits(item), 0) +
        writeUnits(Math.max(sizeBefore, sizeAfter)) +
        baselineSharedWrite +
        writeUnits(Math.max(inProgress, completed));
      const baselineRead = readUnits(sizeBefore, "strong");
      for (const target of decided ? [baseline.all] : [baseline.all, baseline.noMessage]) {
        add(target, baselineWrite, ownIndex + sharedIndex, baselineRead);
      }
    });
  }

  const meanItemBytes: Record<string, number> = {};
  for (const [kind, entry] of sizes) meanItemBytes[kind] = Math.round(entry.bytes / entry.count);
  return {
    ours: { all: perEvent(ours.all), noMessage: perEvent(ours.noMessage) },
    oursOneEventPerCommit: { all: perEvent(single.all), noMessage: perEvent(single.noMessage) },
    baseline: { all: perEvent(baseline.all), noMessage: perEvent(baseline.noMessage) },
    meanItemBytes,
    meanEventsPerCommit: events / Math.max(commits.length, 1),
  };
}
