import type { ConsentPurpose, ConsentRecord, Consents } from "../domain/consents";
import type { OfferFeedback, OfferFeedbackAction, OfferFeedbackRecord } from "../domain/offer-feedback";
import type { OfferRecord } from "../domain/offers";
import type { Preferences } from "../domain/preferences";
import type { CustomerProfile, MonthAggregate } from "../domain/profile";
import type { DevicePlatform, InboxEntry } from "./delivery";

export type { OfferFeedback, OfferFeedbackAction, OfferFeedbackRecord } from "../domain/offer-feedback";

export interface StoredOffer extends OfferRecord {
  readonly status: "presented" | OfferFeedbackAction;
}

export interface InboxPage {
  readonly entries: ReadonlyArray<InboxEntry & { readonly read: boolean }>;
  /** Opaque cursor of the next page, absent on the last page. */
  readonly nextCursor?: string;
}

export interface ServiceFeedback {
  readonly rating: number;
  readonly comment?: string;
  readonly channel?: string;
  readonly at: string;
}

/** The write failed its version check: someone changed the item since it was read. */
export class VersionConflictError extends Error {
  override name = "VersionConflictError";
}

/** The page cursor was not one this store handed out. */
export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}

/** Everything the customer API reads and writes, always within one customer's partition. */
export interface CustomerDataStore {
  getPreferences(customerId: string): Promise<{ preferences: Preferences; version: number }>;
  /** Writes preferences if the stored version is `expectedVersion`; throws VersionConflictError otherwise. */
  putPreferences(
    customerId: string,
    preferences: Preferences,
    expectedVersion: number,
    at: Date,
  ): Promise<number>;

  getConsents(customerId: string): Promise<{ consents: Consents; version: number }>;
  /** Records a grant or withdrawal and its evidence atomically; throws VersionConflictError on a concurrent change. */
  setConsent(
    customerId: string,
    purpose: ConsentPurpose,
    record: ConsentRecord,
    expectedVersion: number,
  ): Promise<void>;

  putDevice(
    customerId: string,
    deviceId: string,
    platform: DevicePlatform,
    token: string,
    at: Date,
  ): Promise<void>;
  deleteDevice(customerId: string, deviceId: string): Promise<void>;

  getProfile(customerId: string): Promise<CustomerProfile>;
  /** Month aggregates for the months asked, from the profile's window and archived month items. */
  getMonths(customerId: string, months: readonly string[]): Promise<Record<string, MonthAggregate>>;
  displayName(customerId: string): Promise<string | undefined>;

  listOffers(customerId: string): Promise<StoredOffer[]>;
  getOfferFeedback(customerId: string): Promise<OfferFeedback>;
  /** Records feedback on an offer; returns false when the customer has no such offer. */
  recordOfferFeedback(customerId: string, offerId: string, feedback: OfferFeedbackRecord): Promise<boolean>;

  /** A page of the inbox, newest first; throws InvalidCursorError for a cursor it did not hand out. */
  listInbox(customerId: string, limit: number, cursor?: string): Promise<InboxPage>;
  /** Marks an inbox entry read by its notification id; returns false when the customer has no such entry. */
  markRead(customerId: string, notificationId: string, at: Date): Promise<boolean>;

  /** Rewrites the due-payment index entries after the time zone or reminder lead time changed. */
  reindexDueEntries(customerId: string, preferences: Preferences): Promise<void>;

  addServiceFeedback(customerId: string, feedback: ServiceFeedback): Promise<void>;
}
