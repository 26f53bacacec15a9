import { randomUUID } from "node:crypto";
import type { IngestOutcome } from "../../lambdas/use-cases/ingest-transaction";
import { type SourceEvent, wrapTransactionPosted } from "../importers/source-event";
import type { LocalRuntime } from "./runtime";

/**
 * The pipeline kept running after `npm start`'s replay, for trying the API against it: the local
 * server's `POST /local/events` stands in for core banking publishing to the bus, and a timer runs
 * the release job as its schedule would. Posted events go through the same ingest and dispatch
 * handlers as the replay, one request at a time.
 */

/** Seconds between runs of the release job, which sends messages whose quiet hours ended. */
const RELEASE_INTERVAL_MS = 60_000;
const MAX_EVENTS_PER_POST = 100;

export interface LivePostResult {
  readonly status: number;
  readonly body: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An EventBridge envelope goes in as it is; a bare `TransactionPosted` detail gets an envelope. */
function sourceOf(item: unknown): SourceEvent {
  if (isObject(item) && "detail" in item) {
    const id = typeof item.id === "string" ? item.id : randomUUID();
    return { kind: "raw", id, text: JSON.stringify({ ...item, id }) };
  }
  if (isObject(item)) return wrapTransactionPosted(item, randomUUID());
  return { kind: "raw", id: randomUUID(), text: JSON.stringify(item) };
}

function describe(outcome: IngestOutcome) {
  switch (outcome.kind) {
    case "applied":
      return {
        eventId: outcome.eventId,
        result: "applied",
        messages: outcome.decisions.map((decision) => ({
          ruleId: decision.ruleId,
          kind: decision.kind,
          language: decision.language,
          channels: decision.channels,
          title: decision.text.title,
          body: decision.text.body,
          ...(decision.notBefore && { deferredUntil: decision.notBefore }),
        })),
        suppressed: outcome.suppressions,
      };
    case "duplicate":
      return { eventId: outcome.eventId, result: "duplicate" };
    case "quarantined":
      return { eventId: outcome.eventId, result: "quarantined", reasons: outcome.reasons };
  }
}

export class LivePipeline {
  private turn: Promise<unknown> = Promise.resolve();
  private collected: IngestOutcome[] | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly runtime: LocalRuntime) {}

  /** The runtime's ingest listener calls this, so a post can answer with what its events did. */
  record(outcome: IngestOutcome): void {
    this.collected?.push(outcome);
  }

  /** Ingests the posted events and dispatches their messages; answers with each event's outcome. */
  post(body: unknown): Promise<LivePostResult> {
    const items = Array.isArray(body) ? body : [body];
    if (items.length === 0 || items.length > MAX_EVENTS_PER_POST) {
      return Promise.resolve({
        status: 400,
        body: { detail: `Post 1 to ${MAX_EVENTS_PER_POST} events, as one object or an array` },
      });
    }
    const run = this.turn.then(async () => {
      this.collected = [];
      try {
        const { deadLettered } = await this.runtime.ingest(items.map(sourceOf));
        await this.runtime.dispatchFromStream();
        return { status: 200, body: { events: this.collected.map(describe), deadLettered } };
      } finally {
        this.collected = undefined;
      }
    });
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Starts the release job's schedule. */
  start(): void {
    this.timer = setInterval(() => {
      this.turn = this.turn
        .then(async () => {
          await this.runtime.releaseDue();
          await this.runtime.dispatchFromStream();
        })
        .catch((error: unknown) => {
          console.error(`Release job failed: ${error instanceof Error ? error.message : String(error)}`);
        });
    }, RELEASE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
