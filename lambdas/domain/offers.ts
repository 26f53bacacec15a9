import type { Decision } from "./decide";

/** An offer shown to a customer, kept for the offers list until it expires or gets feedback. */
export interface OfferRecord {
  /** One live offer per rule: a new decision of the same rule replaces the old offer. */
  readonly offerId: string;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly productCode: string;
  readonly priority: number;
  readonly presentedAt: string;
  /** Last local date on which the offer is valid, "YYYY-MM-DD". */
  readonly validUntil: string;
  readonly language: Decision["language"];
  readonly title: string;
  readonly body: string;
  readonly triggerKey: string;
}

export function offerRecordOf(decision: Decision): OfferRecord | undefined {
  if (decision.kind !== "offer" || !decision.offer) return undefined;
  return {
    offerId: decision.ruleId,
    ruleId: decision.ruleId,
    ruleVersion: decision.ruleVersion,
    productCode: decision.offer.productCode,
    priority: decision.priority,
    presentedAt: decision.decidedAt,
    validUntil: decision.offer.validUntil,
    language: decision.language,
    title: decision.text.title,
    body: decision.text.body,
    triggerKey: decision.triggerKey,
  };
}
