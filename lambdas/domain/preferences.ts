/**
 * A customer's preferences: language, time zone, quiet hours, daily message cap, thresholds, channels
 * per alert type, payment reminder lead time, and how the app looks. Stored as one item, versioned
 * for optimistic concurrency; a customer who never set any gets {@link defaultPreferences}.
 */

export const LANGUAGES = ["vi", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export const MESSAGE_CHANNELS = ["push", "email", "inbox"] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export const THEMES = ["light", "dark", "system"] as const;
export type Theme = (typeof THEMES)[number];

/** Widgets of the home screen, in the order the customer arranged them. */
export const HOME_WIDGETS = [
  "balance",
  "insights",
  "offers",
  "upcoming_bills",
  "shortcuts",
  "notifications",
] as const;
export type HomeWidget = (typeof HOME_WIDGETS)[number];

/** Local wall-clock window, "HH:MM" to "HH:MM"; an end before the start spans midnight. */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

export interface Preferences {
  readonly language: Language;
  /** IANA time zone for quiet hours, "today" and reminder times. */
  readonly timeZone: string;
  /** Null turns quiet hours off. */
  readonly quietHours: QuietHours | null;
  /** Most non-critical messages per local day; critical alerts are not counted or capped. */
  readonly dailyMessageCap: number;
  /** Channels per alert rule id (and "offers" for all offers); a rule the map does not name uses its defaults. */
  readonly channels: Readonly<Record<string, readonly MessageChannel[]>>;
  /** Customer thresholds in minor units by currency; a missing currency uses the rule catalog's default. */
  readonly thresholds: {
    readonly lowBalance: Readonly<Record<string, number>>;
    readonly largeTransaction: Readonly<Record<string, number>>;
  };
  /** Days before a recurring payment's expected date on which the reminder is sent. */
  readonly paymentReminderLeadDays: number;
  readonly theme: Theme;
  readonly homeLayout: readonly HomeWidget[];
}

export const DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh";

/** Upper bound of the reminder lead time, which also bounds how far ahead the reminder job looks. */
export const MAX_REMINDER_LEAD_DAYS = 14;

export function defaultPreferences(): Preferences {
  return {
    language: "vi",
    timeZone: DEFAULT_TIME_ZONE,
    quietHours: { start: "22:00", end: "07:00" },
    dailyMessageCap: 5,
    channels: {},
    thresholds: { lowBalance: {}, largeTransaction: {} },
    paymentReminderLeadDays: 3,
    theme: "system",
    homeLayout: ["balance", "insights", "upcoming_bills", "offers", "shortcuts"],
  };
}

/** Returns true when the IANA time zone name is one that this runtime's `Intl` knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
