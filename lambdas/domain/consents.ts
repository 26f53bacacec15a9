/**
 * Consent per purpose, as Vietnam's Personal Data Protection Law and Decree 356/2025 require:
 * explicit, per purpose, withdrawable, and never implied by silence. Each grant or withdrawal keeps
 * the time and the version of the consent text the customer saw, as evidence.
 */

export const CONSENT_PURPOSES = ["marketing", "personalized_insights", "location_based_services"] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export interface ConsentRecord {
  readonly granted: boolean;
  /** When the customer granted or withdrew it, ISO 8601. */
  readonly at: string;
  /** Version of the consent text shown to the customer. */
  readonly textVersion: string;
}

export type Consents = Readonly<Partial<Record<ConsentPurpose, ConsentRecord>>>;

/** True only for an explicit, current grant: a purpose never answered counts as not consented. */
export function hasConsent(consents: Consents, purpose: ConsentPurpose): boolean {
  return consents[purpose]?.granted === true;
}

export function hasAllConsents(consents: Consents, purposes: readonly ConsentPurpose[]): boolean {
  return purposes.every((purpose) => hasConsent(consents, purpose));
}
