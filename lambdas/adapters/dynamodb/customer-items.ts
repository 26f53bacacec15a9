import * as z from "zod/mini";
import { PreferencesSchema } from "../../api/schemas";
import { CONSENT_PURPOSES, type Consents } from "../../domain/consents";
import { CorruptItemError } from "../../domain/errors";
import type { OfferFeedback } from "../../domain/offer-feedback";
import { defaultPreferences, type Preferences } from "../../domain/preferences";
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

/** The item's version, which writers compare. Without a valid one the item cannot be updated safely. */
const StoredVersionSchema = z.object({ version: z.number() });

const ConsentRecordSchema = z.object({ granted: z.boolean(), at: z.string(), textVersion: z.string() });

const StoredConsentsSchema = z.object({
  version: z.number(),
  consents: z.partialRecord(z.enum(CONSENT_PURPOSES), ConsentRecordSchema),
});

export interface VersionedPreferences {
  readonly preferences: Preferences;
  /** 0 when the customer never saved preferences. */
  readonly version: number;
  /**
   * Names of the stored fields that broke the API's rules, such as "timeZone". Such a field was
   * replaced by its default, except "channels" and the thresholds, which lost only their invalid
   * entries. The list contains names only, so callers may log it, and is empty when all were valid.
   */
  readonly defaultedFields: readonly string[];
}

export interface VersionedConsents {
  readonly consents: Consents;
  readonly version: number;
}

const FIELD_SCHEMAS = PreferencesSchema.shape;

/**
 * Reads one stored field with the API's rules: a field the item lacks (written before the field
 * existed) or that breaks the rules gets the default, and only the second case is reported.
 */
function storedField<Field extends keyof Preferences>(
  item: Record<string, unknown>,
  field: Field,
  fallback: Preferences[Field],
  defaulted: string[],
): Preferences[Field] {
  const value = item[field];
  if (value === undefined) return fallback;
  const parsed = FIELD_SCHEMAS[field].safeParse(value);
  if (parsed.success) return parsed.data as Preferences[Field];
  defaulted.push(field);
  return fallback;
}

/** Reads a map field entry by entry, keeping the entries that pass `schema` and dropping the others. */
function storedEntries<Value>(
  value: unknown,
  schema: z.ZodMiniType<Record<string, Value>>,
  name: string,
  defaulted: string[],
): Record<string, Value> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    defaulted.push(name);
    return {};
  }
  const kept: Record<string, Value> = {};
  let dropped = false;
  for (const [key, entry] of Object.entries(value)) {
    const parsed = schema.safeParse({ [key]: entry });
    if (parsed.success) Object.assign(kept, parsed.data);
    else dropped = true;
  }
  if (dropped) defaulted.push(name);
  return kept;
}

/**
 * Reads a stored preferences item. Each field is checked with the rules the API applies when the
 * customer saves it. A value written some other way (a manual edit, an older release) then cannot
 * break the pipeline, as an invalid time zone would by making every `Intl` call throw. Invalid fields
 * fall back to their defaults one by one, valid ones are kept, and the names of the replaced fields
 * are returned for the caller to log. Throws CorruptItemError only when the version is unreadable.
 */
export function preferencesFromItem(item: Record<string, unknown> | undefined): VersionedPreferences {
  if (!item) return { preferences: defaultPreferences(), version: 0, defaultedFields: [] };
  const stored = StoredVersionSchema.safeParse(item);
  if (!stored.success)
    throw new CorruptItemError(`${String(item.PK)}/${CUSTOMER_SORT_KEYS.preferences}`, "invalid version");

  const defaults = defaultPreferences();
  const defaulted: string[] = [];
  const thresholds = item.thresholds;
  const thresholdsValid = thresholds === undefined || (typeof thresholds === "object" && thresholds !== null);
  if (!thresholdsValid) defaulted.push("thresholds");
  const storedThresholds = thresholdsValid ? (thresholds as Record<string, unknown> | undefined) : undefined;

  const preferences: Preferences = {
    language: storedField(item, "language", defaults.language, defaulted),
    timeZone: storedField(item, "timeZone", defaults.timeZone, defaulted),
    quietHours: storedField(item, "quietHours", defaults.quietHours, defaulted),
    dailyMessageCap: storedField(item, "dailyMessageCap", defaults.dailyMessageCap, defaulted),
    channels: storedEntries(item.channels, FIELD_SCHEMAS.channels, "channels", defaulted),
    thresholds: {
      lowBalance: storedEntries(
        storedThresholds?.lowBalance,
        FIELD_SCHEMAS.thresholds.shape.lowBalance,
        "thresholds.lowBalance",
        defaulted,
      ),
      largeTransaction: storedEntries(
        storedThresholds?.largeTransaction,
        FIELD_SCHEMAS.thresholds.shape.largeTransaction,
        "thresholds.largeTransaction",
        defaulted,
      ),
    },
    paymentReminderLeadDays: storedField(
      item,
      "paymentReminderLeadDays",
      defaults.paymentReminderLeadDays,
      defaulted,
    ),
    theme: storedField(item, "theme", defaults.theme, defaulted),
    homeLayout: storedField(item, "homeLayout", defaults.homeLayout, defaulted),
  };
  return { version: stored.data.version, preferences, defaultedFields: defaulted };
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
