import type { ValidationReason } from "../contracts/validate-event";

/** Lifecycle of a quarantined event: open until a re-drive applies it. */
export type QuarantineStatus = "open" | "redriven";

export interface QuarantineEntry {
  readonly eventId: string;
  readonly customerId?: string;
  /** The SQS message id that carried the event, for tracing back to the queue. */
  readonly messageId?: string;
  readonly reasons: readonly ValidationReason[];
  /** The message body exactly as received, so nothing is lost and a re-drive can replay it. */
  readonly body: string;
  readonly quarantinedAt: Date;
}

export interface QuarantinedEvent extends QuarantineEntry {
  readonly status: QuarantineStatus;
  readonly redriveAttempts: number;
  readonly redrivenAt?: Date;
}

/** A reference that finds one quarantined event. */
export interface QuarantineReference {
  readonly eventId: string;
  readonly customerId?: string;
}

export interface QuarantineStore {
  /** Stores an entry once; a second call with the same event id reports `already-quarantined`. */
  quarantine(entry: QuarantineEntry): Promise<"stored" | "already-quarantined">;
  /** Lists open entries, oldest first, at most `limit`. */
  listOpen(limit: number): Promise<QuarantinedEvent[]>;
  find(eventId: string): Promise<QuarantinedEvent | undefined>;
  /** Records a failed re-drive: the new reasons replace the old ones and the attempt is counted. */
  recordFailedRedrive(
    reference: QuarantineReference,
    reasons: readonly ValidationReason[],
    at: Date,
  ): Promise<void>;
  /** Closes the entry after its event was applied or found to be a duplicate. */
  markRedriven(reference: QuarantineReference, at: Date): Promise<void>;
}
