/** Feedback actions on an offer, from the offers API. */
export type OfferFeedbackAction = "clicked" | "accepted" | "dismissed" | "not_interested";

export interface OfferFeedbackRecord {
  readonly action: OfferFeedbackAction;
  readonly at: string;
}

/** The latest feedback per offer id (which is the offer rule's id). */
export type OfferFeedback = Readonly<Record<string, OfferFeedbackRecord>>;

const DAY_MS = 86_400_000;

/**
 * How long each answer keeps an offer away, in days: a product the customer took or does not want is
 * not offered again for a long time; a dismissed offer may come back after a month.
 */
export const SUPPRESSION_DAYS = { accepted: 365, not_interested: 180, dismissed: 30 } as const;

/** True when the customer's latest feedback on an offer still keeps it from being shown or decided. */
export function isOfferSuppressed(feedback: OfferFeedbackRecord | undefined, now: number): boolean {
  if (!feedback || feedback.action === "clicked") return false;
  return now - Date.parse(feedback.at) < SUPPRESSION_DAYS[feedback.action] * DAY_MS;
}
