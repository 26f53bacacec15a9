import * as z from "zod/mini";
import { DEFAULT_TIME_ZONE } from "../domain/preferences";
import { type PostedTransaction, toPostedTransaction } from "../domain/transaction";
import {
  CustomerIdSchema,
  TRANSACTION_POSTED_DETAIL_TYPE,
  TransactionPostedSchema,
} from "./transaction-posted";

/** One reason an event was rejected: the field, as a dotted path from the event's root, and what to fix. */
export interface ValidationReason {
  readonly field: string;
  readonly message: string;
}

/** The EventBridge envelope fields this service reads; others are ignored. */
const EnvelopeSchema = z.object(
  {
    id: z.string({ error: "is missing; EventBridge sets it on every event" }).check(
      z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
        error: "must be an EventBridge event id (letters, digits, . _ : -, at most 128)",
      }),
    ),
    "detail-type": z.string({ error: `is missing; send "${TRANSACTION_POSTED_DETAIL_TYPE}"` }),
    source: z.string({ error: "is missing; EventBridge requires the event's source" }),
    time: z.optional(z.string()),
    detail: z.unknown(),
  },
  { error: "must be a JSON object: an EventBridge event with id, source, detail-type and detail" },
);

export type ValidatedEvent = {
  readonly ok: true;
  readonly eventId: string;
  readonly source: string;
  readonly transaction: PostedTransaction;
};

export type RejectedEvent = {
  readonly ok: false;
  /** The envelope's id, or the transport's message id when the envelope has none. */
  readonly eventId: string;
  /** Present when the detail carried a usable customer id, so the event is stored with the customer's data. */
  readonly customerId?: string;
  readonly reasons: readonly ValidationReason[];
};

export type EventValidation = ValidatedEvent | RejectedEvent;

/** Turns zod issues into reasons; an issue about the whole body is reported on the field "body". */
function toReasons(issues: readonly z.core.$ZodIssue[], prefix: string): ValidationReason[] {
  return issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || "body",
    message: issue.message,
  }));
}

function customerIdOf(detail: unknown): string | undefined {
  if (typeof detail !== "object" || detail === null || !("customerId" in detail)) return undefined;
  const parsed = CustomerIdSchema.safeParse(detail.customerId);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Validates an EventBridge event as delivered in an SQS message body. Every problem found is
 * reported, each naming its field; nothing is thrown for bad input.
 */
export function validateEventBody(
  body: string,
  fallbackEventId: string,
  bankTimeZone: string = DEFAULT_TIME_ZONE,
): EventValidation {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      eventId: fallbackEventId,
      reasons: [
        {
          field: "body",
          message: `is not valid JSON (${detail}); publish events with EventBridge PutEvents`,
        },
      ],
    };
  }

  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    return { ok: false, eventId: fallbackEventId, reasons: toReasons(envelope.error.issues, "") };
  }
  const { id: eventId, source, detail } = envelope.data;
  const detailType = envelope.data["detail-type"];

  if (detailType !== TRANSACTION_POSTED_DETAIL_TYPE) {
    return {
      ok: false,
      eventId,
      reasons: [
        {
          field: "detail-type",
          message: `"${detailType}" is not handled here; only "${TRANSACTION_POSTED_DETAIL_TYPE}" events reach this consumer, so check the bus rule`,
        },
      ],
    };
  }

  const parsed = TransactionPostedSchema.safeParse(detail);
  if (!parsed.success) {
    const customerId = customerIdOf(detail);
    return {
      ok: false,
      eventId,
      ...(customerId && { customerId }),
      reasons: toReasons(parsed.error.issues, "detail"),
    };
  }
  return { ok: true, eventId, source, transaction: toPostedTransaction(parsed.data, bankTimeZone) };
}
