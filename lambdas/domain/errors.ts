/** Base class of the errors this service raises on purpose; anything else is a bug or an outage. */
export class PersonalizationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The profile kept changing between read and write; the message is retried by the queue. */
export class ConcurrentUpdateError extends PersonalizationError {
  constructor(
    readonly customerId: string,
    readonly attempts: number,
  ) {
    super(
      `Profile of customer ${customerId} changed during each of ${attempts} attempts; the event will be retried`,
    );
  }
}

/** A stored item does not have the shape this code writes: a bug or a manual edit. */
export class CorruptItemError extends PersonalizationError {
  constructor(itemKey: string, detail: string, options?: ErrorOptions) {
    super(`Stored item ${itemKey} is not readable: ${detail}`, options);
  }
}

/** A total would leave the range of exact amounts (9,007,199,254,740,991 minor units). */
export class AmountOverflowError extends PersonalizationError {
  constructor() {
    super(
      `A total would exceed ${Number.MAX_SAFE_INTEGER} minor units, the largest exact amount this service stores`,
    );
  }
}
