/**
 * A message decided while applying a transaction, written in the same atomic write as the
 * transaction so that it can be neither lost nor decided twice. Dispatch delivers it from the
 * table's stream.
 */
export interface OutboxMessage {
  /** Deterministic id: deciding the same message again yields the same id. */
  readonly messageId: string;
  readonly customerId: string;
}
