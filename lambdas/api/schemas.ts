import * as z from "zod/mini";
import { CONSENT_PURPOSES } from "../domain/consents";
import { CURRENCY_CODES } from "../domain/money";
import {
  HOME_WIDGETS,
  isTimeZone,
  LANGUAGES,
  MAX_REMINDER_LEAD_DAYS,
  MESSAGE_CHANNELS,
  THEMES,
} from "../domain/preferences";
import catalog from "../domain/rules/catalog.json";

/**
 * Request schemas of the customer API, defined once: the handlers validate with them and
 * the OpenAPI document is generated from them. Request objects are strict, so an unknown field is an
 * error rather than silently ignored, and types are never coerced: "false" is not a boolean and an
 * empty string is not a number.
 */

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Keys of the channel choices: each alert rule's id, and "offers" for every offer. */
export const CHANNEL_KEYS: readonly string[] = [
  ...catalog.rules.filter((rule) => rule.kind === "alert").map((rule) => rule.id),
  "offers",
];

const currencyKey = z.string().check(
  z.refine((code) => CURRENCY_CODES.includes(code), {
    error: "must be an active ISO 4217 currency code such as VND",
  }),
);

const minorUnits = z
  .int({ error: "must be a whole number of minor units, such as 500000 for 500.000 ₫" })
  .check(
    z.nonnegative({ error: "must not be negative" }),
    z.maximum(Number.MAX_SAFE_INTEGER, { error: "is larger than the largest exact amount" }),
  );

export const QuietHoursSchema = z.strictObject({
  start: z.string().check(z.regex(TIME_OF_DAY, { error: 'must be a local time "HH:MM" such as "22:00"' })),
  end: z.string().check(z.regex(TIME_OF_DAY, { error: 'must be a local time "HH:MM" such as "07:00"' })),
});

export const PreferencesSchema = z.strictObject({
  language: z.enum(LANGUAGES, { error: 'must be "vi" or "en"' }),
  timeZone: z
    .string()
    .check(z.refine(isTimeZone, { error: "must be an IANA time zone such as Asia/Ho_Chi_Minh" })),
  quietHours: z.nullable(QuietHoursSchema),
  dailyMessageCap: z
    .int({ error: "must be a whole number" })
    .check(z.minimum(0, { error: "must be 0 or more" }), z.maximum(50, { error: "must be at most 50" })),
  channels: z.record(
    z.string().check(
      z.refine((key) => CHANNEL_KEYS.includes(key), {
        error: `must be an alert id or "offers": ${CHANNEL_KEYS.join(", ")}`,
      }),
    ),
    z.array(z.enum(MESSAGE_CHANNELS, { error: 'must be "push", "email" or "inbox"' })).check(
      z.refine((channels) => new Set(channels).size === channels.length, {
        error: "must not list a channel twice",
      }),
    ),
  ),
  thresholds: z.strictObject({
    lowBalance: z.record(currencyKey, minorUnits),
    largeTransaction: z.record(currencyKey, minorUnits),
  }),
  paymentReminderLeadDays: z
    .int({ error: "must be a whole number of days" })
    .check(
      z.minimum(0, { error: "must be 0 or more days" }),
      z.maximum(MAX_REMINDER_LEAD_DAYS, { error: `must be at most ${MAX_REMINDER_LEAD_DAYS} days` }),
    ),
  theme: z.enum(THEMES, { error: 'must be "light", "dark" or "system"' }),
  homeLayout: z.array(z.enum(HOME_WIDGETS, { error: `must be one of ${HOME_WIDGETS.join(", ")}` })).check(
    z.refine((widgets) => new Set(widgets).size === widgets.length, {
      error: "must not list a widget twice",
    }),
  ),
});

/** A PATCH changes only the fields it names; nested objects are replaced whole. */
export const PreferencesPatchSchema = z.partial(PreferencesSchema);

export const DeviceSchema = z.strictObject({
  platform: z.enum(["ios", "android"], { error: 'must be "ios" or "android"' }),
  token: z.string().check(
    z.regex(/^[A-Za-z0-9:_-]{32,4096}$/, {
      error: "must be the APNs or FCM registration token, 32 to 4096 characters",
    }),
  ),
});

export const DeviceIdSchema = z.string().check(
  z.regex(/^[A-Za-z0-9._-]{1,64}$/, {
    error: "must be 1 to 64 letters, digits, dots, hyphens or underscores",
  }),
);

export const ConsentPurposeSchema = z.enum(CONSENT_PURPOSES, {
  error: `must be one of ${CONSENT_PURPOSES.join(", ")}`,
});

export const ConsentChangeSchema = z.strictObject({
  granted: z.boolean({ error: "must be true or false (a JSON boolean, not a string)" }),
  textVersion: z.string().check(
    z.regex(/^[A-Za-z0-9._-]{1,32}$/, {
      error: "must name the version of the consent text the customer saw, such as 2026-01",
    }),
  ),
});

export const MonthQuerySchema = z.strictObject({
  month: z.optional(
    z
      .string()
      .check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month "YYYY-MM" such as 2026-11' })),
  ),
});

export const OFFER_FEEDBACK_ACTIONS = ["clicked", "accepted", "dismissed", "not_interested"] as const;

export const OfferFeedbackSchema = z.strictObject({
  action: z.enum(OFFER_FEEDBACK_ACTIONS, { error: `must be one of ${OFFER_FEEDBACK_ACTIONS.join(", ")}` }),
});

export const OfferIdSchema = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9-]{1,62}$/, { error: "must be an offer id from GET /v1/me/offers" }));

export const NotificationsQuerySchema = z.strictObject({
  cursor: z.optional(
    z
      .string()
      .check(z.regex(/^[A-Za-z0-9_-]{1,512}$/, { error: "must be the nextCursor of the previous page" })),
  ),
  limit: z.optional(
    z.string().check(z.regex(/^([1-9]|[1-4]\d|50)$/, { error: "must be a whole number from 1 to 50" })),
  ),
});

export const NotificationIdSchema = z
  .string()
  .check(
    z.regex(/^\d{13}-[a-f0-9]{32}$/, { error: "must be a notification id from GET /v1/me/notifications" }),
  );

export const ContextRequestSchema = z.strictObject({
  amount: z
    .string({ error: 'must be decimal text such as "25000000" or "120.50"' })
    .check(z.regex(/^\d+(\.\d+)?$/, { error: 'must be decimal text such as "25000000" or "120.50"' })),
  currency: z.string().check(
    z.refine((code) => CURRENCY_CODES.includes(code), {
      error: "must be an active ISO 4217 currency code such as VND",
    }),
  ),
  merchantName: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  mcc: z.optional(
    z
      .string()
      .check(
        z.regex(/^\d{4}$/, { error: 'must be a merchant category code of four digits, such as "5732"' }),
      ),
  ),
  country: z.optional(
    z.string().check(z.regex(/^[A-Z]{2}$/, { error: "must be an ISO 3166-1 alpha-2 code such as TH" })),
  ),
  channel: z.optional(z.enum(["card", "qr", "transfer"], { error: 'must be "card", "qr" or "transfer"' })),
});

export const ServiceFeedbackSchema = z.strictObject({
  rating: z.int({ error: "must be a whole number from 1 to 5" }).check(z.minimum(1), z.maximum(5)),
  comment: z.optional(z.string().check(z.maxLength(2000, { error: "must be at most 2000 characters" }))),
  channel: z.optional(z.enum(["mobile", "web", "chat"], { error: 'must be "mobile", "web" or "chat"' })),
});
