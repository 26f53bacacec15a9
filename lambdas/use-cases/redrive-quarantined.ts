import { TRANSACTION_POSTED_DETAIL_TYPE } from "../contracts/transaction-posted";
import { type ValidationReason, validateEventBody } from "../contracts/validate-event";
import { PersonalizationError } from "../domain/errors";
import type { QuarantinedEvent } from "../ports/quarantine-store";
import { type IngestDependencies, ingestCustomerEvents } from "./ingest-transaction";

/** The quarantined event to re-drive does not exist or was re-driven already. */
export class QuarantineEntryNotFoundError extends PersonalizationError {
  constructor(readonly eventId: string) {
    super(`No quarantined event with id ${eventId}; list open entries to find the id`);
  }
}

export type RedriveResult =
  | { readonly status: "applied" | "duplicate"; readonly eventId: string }
  | { readonly status: "already-redriven"; readonly eventId: string }
  | {
      readonly status: "still-invalid";
      readonly eventId: string;
      readonly reasons: readonly ValidationReason[];
    };

export interface RedriveOptions {
  /**
   * A corrected `detail` to use instead of the stored one, for events that a producer got wrong.
   * The stored body is kept as evidence; the correction is what gets applied.
   */
  readonly correctedDetail?: unknown;
}

function correctedBody(entry: QuarantinedEvent, correctedDetail: unknown): string {
  let stored: unknown;
  try {
    stored = JSON.parse(entry.body);
  } catch {
    stored = undefined;
  }
  // A stored body that was not an event at all gets a new envelope around the correction.
  const envelope =
    typeof stored === "object" && stored !== null && !Array.isArray(stored)
      ? stored
      : { source: "redrive", "detail-type": TRANSACTION_POSTED_DETAIL_TYPE };
  return JSON.stringify({ ...envelope, id: entry.eventId, detail: correctedDetail });
}

/**
 * Re-drives one quarantined event through the same validation and apply steps as the queue
 * consumer, after the producer or this service was fixed, or with a corrected detail. An event that
 * is still invalid stays quarantined with the new reasons; an applied one (or one whose transaction
 * exists already) is closed. Like any delivery, a re-drive changes the profile at most once.
 */
export async function redriveQuarantined(
  eventId: string,
  deps: IngestDependencies,
  options: RedriveOptions = {},
): Promise<RedriveResult> {
  const entry = await deps.quarantine.find(eventId);
  if (!entry) throw new QuarantineEntryNotFoundError(eventId);
  if (entry.status === "redriven") return { status: "already-redriven", eventId };

  const reference = { eventId, ...(entry.customerId && { customerId: entry.customerId }) };
  const body =
    options.correctedDetail === undefined ? entry.body : correctedBody(entry, options.correctedDetail);
  const validation = validateEventBody(body, eventId, deps.bankTimeZone);
  if (!validation.ok) {
    await deps.quarantine.recordFailedRedrive(reference, validation.reasons, deps.clock());
    return { status: "still-invalid", eventId, reasons: validation.reasons };
  }

  const [outcome] = await ingestCustomerEvents(
    [{ validation: { ...validation, eventId }, body, messageId: eventId }],
    deps,
  );
  if (outcome?.kind === "applied" || outcome?.kind === "duplicate") {
    await deps.quarantine.markRedriven(reference, deps.clock());
    return { status: outcome.kind, eventId };
  }
  const reasons = outcome?.kind === "quarantined" ? outcome.reasons : [];
  await deps.quarantine.recordFailedRedrive(reference, reasons, deps.clock());
  return { status: "still-invalid", eventId, reasons };
}
