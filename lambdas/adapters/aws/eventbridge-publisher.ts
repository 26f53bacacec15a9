import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import type { DerivedEvent } from "../../domain/outbox";
import type { EventPublisher } from "../../ports/delivery";
import { errorName } from "./errors";

/** `PutEvents` accepts at most 10 entries per request. */
const MAX_ENTRIES_PER_REQUEST = 10;
/** `PutEvents` accepts at most 256 KiB of entries per request, measured by {@link entrySize}. */
const MAX_REQUEST_BYTES = 256 * 1024;

type FailedEvent = { readonly event: DerivedEvent; readonly error: string };
type FailedEntry = FailedEvent & { readonly position: number };

interface PendingEntry {
  /** Position of the event in the `publish` call, so that failures are returned in that order. */
  readonly position: number;
  readonly event: DerivedEvent;
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
}

export interface EventBridgePublisherOptions {
  /** Name or ARN of the bus. */
  readonly eventBusName: string;
  /** `source` of every event, normally `PERSONALIZATION_SOURCE`. */
  readonly source: string;
}

/**
 * Publishes derived events with EventBridge `PutEvents`, in requests of at most 10 entries and
 * 256 KiB. It does not retry. It returns the failed events, and the caller sends them again.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly options: EventBridgePublisherOptions,
  ) {}

  async publish(events: readonly DerivedEvent[]): Promise<readonly FailedEvent[]> {
    const failed: FailedEntry[] = [];
    const pending: PendingEntry[] = [];
    for (const [position, event] of events.entries()) {
      const entry: PutEventsRequestEntry = {
        EventBusName: this.options.eventBusName,
        Source: this.options.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
      };
      const size = entrySize(entry);
      if (size > MAX_REQUEST_BYTES) {
        // No request can carry this entry, so it is reported without being sent.
        failed.push({
          position,
          event,
          error: `The ${event.detailType} entry is ${size} bytes, more than the ${MAX_REQUEST_BYTES} bytes that PutEvents accepts, so sending it again cannot succeed`,
        });
      } else {
        pending.push({ position, event, entry, size });
      }
    }

    for (const batch of batches(pending)) {
      const batchFailures = await this.putBatch(batch);
      failed.push(...batchFailures);
    }
    return failed.sort((a, b) => a.position - b.position).map(({ event, error }) => ({ event, error }));
  }

  /** Sends one request and returns its failed events. */
  private async putBatch(batch: readonly PendingEntry[]): Promise<FailedEntry[]> {
    let resultEntries: readonly PutEventsResultEntry[];
    let failedEntryCount: number;
    try {
      const response = await this.client.send(
        new PutEventsCommand({ Entries: batch.map(({ entry }) => entry) }),
      );
      resultEntries = response.Entries ?? [];
      failedEntryCount = response.FailedEntryCount ?? 0;
    } catch (error) {
      const name = errorName(error);
      return batch.map(({ position, event }) => ({ position, event, error: name }));
    }

    // The result entries are in the order of the request entries. A successful entry has an EventId,
    // so an entry with neither an EventId nor an ErrorCode is counted as failed.
    const failed: FailedEntry[] = [];
    batch.forEach(({ position, event }, index) => {
      const result = resultEntries[index];
      if (result?.ErrorCode) {
        const error = result.ErrorMessage ? `${result.ErrorCode}: ${result.ErrorMessage}` : result.ErrorCode;
        failed.push({ position, event, error });
      } else if (!result?.EventId) {
        failed.push({ position, event, error: "PutEvents returned no result for this entry" });
      }
    });
    if (failed.length < failedEntryCount) {
      // FailedEntryCount counts more failures than the entries show, so it is unknown which entries
      // failed. Every entry of the request is reported, and the caller sends them all again.
      return batch.map(({ position, event }) => ({
        position,
        event,
        error: `PutEvents reported ${failedEntryCount} failed entries but marked only ${failed.length}`,
      }));
    }
    return failed;
  }
}

/**
 * Size of an entry as EventBridge counts it against the 256 KiB limit: the UTF-8 bytes of Source,
 * DetailType, Detail and each resource, plus 14 bytes for Time. The bus name does not count. Source:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/calculate-putevents-entry-size.html
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (text) size += Buffer.byteLength(text, "utf8");
  }
  return size;
}

/** Splits entries, in order, into requests of at most 10 entries and 256 KiB. */
function batches(entries: readonly PendingEntry[]): PendingEntry[][] {
  const result: PendingEntry[][] = [];
  let current: PendingEntry[] = [];
  let currentSize = 0;
  for (const entry of entries) {
    if (current.length === MAX_ENTRIES_PER_REQUEST || currentSize + entry.size > MAX_REQUEST_BYTES) {
      result.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(entry);
    currentSize += entry.size;
  }
  if (current.length > 0) result.push(current);
  return result;
}
