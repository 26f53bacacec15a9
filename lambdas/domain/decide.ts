import { addDays } from "./calendar";
import { type Consents, hasAllConsents } from "./consents";
import type { MessageParams, MessageRenderer, RenderedText } from "./messages/render";
import { isOfferSuppressed, type OfferFeedback } from "./offer-feedback";
import type { MessageChannel, Preferences } from "./preferences";
import { MESSAGE_CHANNELS } from "./preferences";
import type { NotificationState } from "./profile";
import type { CompiledRule, CooldownScope, RuleCatalog, Severity } from "./rules/catalog";
import type { DuePayment, Facts } from "./rules/facts";
import type { PostedTransaction } from "./transaction";
import { endOfQuietHours, isInQuietHours, toLocalTime } from "./zoned-time";

/**
 * From matched rules to messages: consent, the customer's answers to offers, cooldown, channels,
 * daily cap, quiet hours and language, in that order. Pure: the clock is an argument, so a replay of
 * history decides as it would have then.
 */

export type SuppressionReason = "consent" | "feedback" | "cooldown" | "channels-off" | "daily-cap" | "stale";

export interface Suppression {
  readonly ruleId: string;
  readonly reason: SuppressionReason;
}

/** One message the customer should get, on one or more channels. */
export interface Decision {
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly kind: "alert" | "offer";
  readonly severity: Severity;
  readonly priority: number;
  /** What the decision is about: a transaction id, or "<payeeKey>:<dueDate>" for a payment reminder. */
  readonly triggerKey: string;
  readonly channels: readonly MessageChannel[];
  readonly language: Preferences["language"];
  /** Decision time, ISO 8601: the event's time for transactions, the job's time for reminders. */
  readonly decidedAt: string;
  /**
   * Set when quiet hours defer a non-critical message: the earliest time to send it by push or
   * e-mail. The inbox entry is not held, because it makes no sound.
   */
  readonly notBefore?: string;
  readonly text: RenderedText;
  readonly offer?: { readonly productCode: string; readonly validUntil: string };
}

export interface DecisionResult {
  readonly decisions: readonly Decision[];
  readonly suppressions: readonly Suppression[];
  readonly notifications: NotificationState;
}

/** What triggered the evaluation, with the values its templates print. */
export type DecisionTrigger =
  | { readonly kind: "transaction"; readonly transaction: PostedTransaction }
  | { readonly kind: "payment_due"; readonly payment: DuePayment; readonly daysUntilDue: number };

export interface DecisionInput {
  readonly trigger: DecisionTrigger;
  readonly facts: Facts;
  readonly preferences: Preferences;
  readonly consents: Consents;
  /** Latest answers per offer id; absent means no offer was ever answered. */
  readonly offerFeedback?: OfferFeedback;
  readonly notifications: NotificationState | undefined;
  /** The decision clock, epoch milliseconds. */
  readonly now: number;
  /** Processing time; a non-critical message about an event older than `maxEventAgeMs` is dropped. */
  readonly processedAt: number;
  readonly maxEventAgeMs: number;
}

const MS_PER_HOUR = 3_600_000;

function scopeKey(scope: CooldownScope, trigger: DecisionTrigger): string {
  if (trigger.kind === "payment_due") {
    return scope === "payee"
      ? `${trigger.payment.payeeKey}:${trigger.payment.dueDate}`
      : trigger.payment.payeeKey;
  }
  const { transaction } = trigger;
  switch (scope) {
    case "customer":
      return "";
    case "account":
      return transaction.accountId;
    case "category":
      return transaction.category;
    case "country":
      return transaction.merchantCountry ?? "";
    case "payee":
      return transaction.payee?.key ?? "";
    case "transaction":
      return transaction.transactionId;
  }
}

function triggerKeyOf(trigger: DecisionTrigger): string {
  return trigger.kind === "transaction"
    ? trigger.transaction.transactionId
    : `${trigger.payment.payeeKey}:${trigger.payment.dueDate}`;
}

/** Channels for a rule: the customer's choice for the rule (or for all offers), else the rule's defaults. */
function channelsFor(rule: CompiledRule, preferences: Preferences): MessageChannel[] {
  const chosen =
    preferences.channels[rule.id] ?? (rule.kind === "offer" ? preferences.channels.offers : undefined);
  const channels = chosen ?? rule.channels;
  return MESSAGE_CHANNELS.filter((channel) => channels.includes(channel));
}

function pruneLastFired(
  lastFired: Readonly<Record<string, string>>,
  now: number,
  keepMs: number,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, at] of Object.entries(lastFired)) {
    if (now - Date.parse(at) < keepMs) kept[key] = at;
  }
  return kept;
}

/** Values the templates print, formatted for the customer's language and time zone. */
function templateParams(input: DecisionInput, rule: CompiledRule, renderer: MessageRenderer): MessageParams {
  const { language, timeZone } = input.preferences;
  const { facts, trigger } = input;
  const money = (minor: number | undefined, currency: string) =>
    minor === undefined || Number.isNaN(minor) ? "" : renderer.money(Math.round(minor), currency, language);
  const validUntil = rule.offer
    ? renderer.date(addDays(toLocalTime(input.now, timeZone).date, rule.offer.validDays), language)
    : "";

  if (trigger.kind === "payment_due") {
    const { payment } = trigger;
    return {
      payee: payment.name,
      amount: money(payment.amountMinor, payment.currency),
      dueDate: renderer.date(payment.dueDate, language),
      days: trigger.daysUntilDue,
      validUntil,
    };
  }

  const { transaction } = trigger;
  const { currency } = transaction;
  const ratio = facts.category?.spendingRatio ?? Number.NaN;
  return {
    amount: money(transaction.amountMinor, currency),
    balance: money(transaction.balanceAfterMinor, currency),
    threshold: money(facts.thresholds?.lowBalanceMinor, currency),
    merchant: transaction.merchantName ?? "none",
    payer: transaction.direction === "credit" ? (transaction.payee?.name ?? "none") : "none",
    time: renderer.time(transaction.bookedAtMs, language, timeZone),
    category: renderer.category(transaction.category, language),
    monthToDate: money(facts.category?.monthToDateMinor, currency),
    average: money(facts.category?.trailingAverageMinor, currency),
    percent: Number.isNaN(ratio) ? 0 : Math.round((ratio - 1) * 100),
    country: transaction.merchantCountry ? renderer.country(transaction.merchantCountry, language) : "",
    foreignCurrency: transaction.originalAmount
      ? renderer.currencyName(transaction.originalAmount.currency, language)
      : "",
    validUntil,
  };
}

/**
 * Decides which matched rules become messages. Rules are taken in priority order. Critical alerts
 * skip the daily cap and quiet hours. Everything else counts against the cap, and its push and e-mail
 * wait for the end of quiet hours. The returned notification state records what fired, for later
 * cooldowns.
 */
export function decide(
  rules: readonly CompiledRule[],
  input: DecisionInput,
  catalog: Pick<RuleCatalog, "rules">,
  renderer: MessageRenderer,
): DecisionResult {
  const { preferences, now } = input;
  const longestCooldownMs = Math.max(0, ...catalog.rules.map((rule) => rule.cooldownHours)) * MS_PER_HOUR;
  const lastFired = pruneLastFired(input.notifications?.lastFired ?? {}, now, longestCooldownMs);
  // A late event counts against the newest day on record, so it cannot reopen a day whose cap was
  // reached; an event of a later day starts a new count.
  const eventDate = toLocalTime(now, preferences.timeZone).date;
  const stored = input.notifications?.today;
  const localDate = stored !== undefined && stored.date > eventDate ? stored.date : eventDate;
  let sentToday = stored?.date === localDate ? stored.count : 0;
  const decisions: Decision[] = [];
  const suppressions: Suppression[] = [];
  const stale = input.maxEventAgeMs > 0 && input.processedAt - now > input.maxEventAgeMs;

  for (const rule of rules) {
    if (!rule.matches(input.facts)) continue;
    const suppress = (reason: SuppressionReason) => suppressions.push({ ruleId: rule.id, reason });
    const critical = rule.severity === "critical";

    if (!hasAllConsents(input.consents, rule.consents)) {
      suppress("consent");
      continue;
    }
    if (rule.kind === "offer" && isOfferSuppressed(input.offerFeedback?.[rule.id], now)) {
      suppress("feedback");
      continue;
    }
    if (stale && !critical) {
      suppress("stale");
      continue;
    }
    const cooldownKey = `${rule.id}:${scopeKey(rule.cooldownScope, input.trigger)}`;
    const firedAt = lastFired[cooldownKey];
    if (firedAt !== undefined && now - Date.parse(firedAt) < Math.max(rule.cooldownHours * MS_PER_HOUR, 1)) {
      suppress("cooldown");
      continue;
    }
    const channels = channelsFor(rule, preferences);
    if (channels.length === 0) {
      suppress("channels-off");
      continue;
    }
    if (!critical) {
      if (sentToday >= preferences.dailyMessageCap) {
        suppress("daily-cap");
        continue;
      }
      sentToday += 1;
    }

    const deferred = !critical && isInQuietHours(now, preferences.quietHours, preferences.timeZone);
    const params = templateParams(input, rule, renderer);
    lastFired[cooldownKey] = new Date(now).toISOString();
    decisions.push({
      ruleId: rule.id,
      ruleVersion: rule.version,
      kind: rule.kind,
      severity: rule.severity,
      priority: rule.priority,
      triggerKey: triggerKeyOf(input.trigger),
      channels,
      language: preferences.language,
      decidedAt: new Date(now).toISOString(),
      ...(deferred &&
        preferences.quietHours && {
          notBefore: new Date(
            endOfQuietHours(now, preferences.quietHours, preferences.timeZone),
          ).toISOString(),
        }),
      text: renderer.render(preferences.language, rule.template, params),
      ...(rule.offer && {
        offer: {
          productCode: rule.offer.productCode,
          validUntil: addDays(toLocalTime(now, preferences.timeZone).date, rule.offer.validDays),
        },
      }),
    });
  }

  return {
    decisions,
    suppressions,
    notifications: { lastFired, ...(sentToday > 0 && { today: { date: localDate, count: sentToday } }) },
  };
}
