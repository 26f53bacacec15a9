import * as z from "zod/mini";
import { CONSENT_PURPOSES, type Consents } from "../../domain/consents";
import { CorruptItemError } from "../../domain/errors";
import type { OfferFeedback } from "../../domain/offer-feedback";
import {
  defaultPreferences,
  HOME_WIDGETS,
  LANGUAGES,
  MESSAGE_CHANNELS,
  type Preferences,
  THEMES,
} from "../../domain/preferences";
import { customerPartitionKey } from "./keys";

/**
 * Items of what a customer chose: preferences (one item), the current state of each consent (one
 * item), and contact details the bank provisions. Each is versioned, so writers can use the version
 * as an ETag and never overwrite another device's change unseen.
 */

export const CUSTOMER_SORT_KEYS = {
  preferences: "PREFERENCES",
  consents: "CONSENTS",
  contact: "CONTACT",
  offerFeedback: "OFFER_FEEDBACK",
} as const;

export function customerItemKey(customerId: string, sortKey: string): { PK: string; SK: string } {
  return { PK: customerPartitionKey(customerId), SK: sortKey };
}

const minorByCurrency = z.record(z.string(), z.number());

/** Stored preferences; fields added after an item was written fall back to the defaults. */
const StoredPreferencesSchema = z.object({
  version: z.number(),
  language: z.optional(z.enum(LANGUAGES)),
  timeZone: z.optional(z.string()),
  quietHours: z.optional(z.nullable(z.object({ start: z.string(), end: z.string() }))),
  dailyMessageCap: z.optional(z.number()),
  channels: z.optional(z.record(z.string(), z.array(z.enum(MESSAGE_CHANNELS)))),
  thresholds: z.optional(
    z.object({ lowBalance: z.optional(minorByCurrency), largeTransaction: z.optional(minorByCurrency) }),
  ),
  paymentReminderLeadDays: z.optional(z.number()),
  theme: z.optional(z.enum(THEMES)),
  homeLayout: z.optional(z.array(z.enum(HOME_WIDGETS))),
});

const ConsentRecordSchema = z.object({ granted: z.boolean(), at: z.string(), textVersion: z.string() });

const StoredConsentsSchema = z.object({
  version: z.number(),
  consents: z.partialRecord(z.enum(CONSENT_PURPOSES), ConsentRecordSchema),
});

export interface VersionedPreferences {
  readonly preferences: Preferences;
  /** 0 when the customer never saved preferences. */
  readonly version: number;
}

export interface VersionedConsents {
  readonly consents: Consents;
  readonly version: number;
}

export function preferencesFromItem(item: Record<string, unknown> | undefined): VersionedPreferences {
  if (!item) return { preferences: defaultPreferences(), version: 0 };
  const parsed = StoredPreferencesSchema.safeParse(item);
  if (!parsed.success)
    throw new CorruptItemError(`${String(item.PK)}/${CUSTOMER_SORT_KEYS.preferences}`, "invalid preferences");
  const defaults = defaultPreferences();
  const stored = parsed.data;
  return {
    version: stored.version,
    preferences: {
      language: stored.language ?? defaults.language,
      timeZone: stored.timeZone ?? defaults.timeZone,
      quietHours: stored.quietHours === undefined ? defaults.quietHours : stored.quietHours,
      dailyMessageCap: stored.dailyMessageCap ?? defaults.dailyMessageCap,
      channels: stored.channels ?? defaults.channels,
      thresholds: {
        lowBalance: stored.thresholds?.lowBalance ?? {},
        largeTransaction: stored.thresholds?.largeTransaction ?? {},
      },
      paymentReminderLeadDays: stored.paymentReminderLeadDays ?? defaults.paymentReminderLeadDays,
      theme: stored.theme ?? defaults.theme,
      homeLayout: stored.homeLayout ?? defaults.homeLayout,
    },
  };
}

export function preferencesToItem(
  customerId: string,
  preferences: Preferences,
  version: number,
  updatedAt: Date,
): Record<string, unknown> {
  return {
    ...customerItemKey(customerId, CUSTOMER_SORT_KEYS.preferences),
    ...preferences,
    version,
    updatedAt: updatedAt.toISOString(),
  };
}

export function consentsFromItem(item: Record<string, unknown> | undefined): VersionedConsents {
  if (!item) return { consents: {}, version: 0 };
  const parsed = StoredConsentsSchema.safeParse(item);
  if (!parsed.success)
    throw new CorruptItemError(`${String(item.PK)}/${CUSTOMER_SORT_KEYS.consents}`, "invalid consents");
  return { consents: parsed.data.consents, version: parsed.data.version };
}

export function consentsToItem(
  customerId: string,
  consents: Consents,
  version: number,
): Record<string, unknown> {
  return { ...customerItemKey(customerId, CUSTOMER_SORT_KEYS.consents), consents, version };
}

const OfferFeedbackItemSchema = z.object({
  feedback: z.record(
    z.string(),
    z.object({ action: z.enum(["clicked", "accepted", "dismissed", "not_interested"]), at: z.string() }),
  ),
});

/** The latest feedback per offer; an item that does not parse counts as no feedback. */
export function offerFeedbackFromItem(item: Record<string, unknown> | undefined): OfferFeedback {
  const parsed = OfferFeedbackItemSchema.safeParse(item ?? { feedback: {} });
  return parsed.success ? parsed.data.feedback : {};
}
