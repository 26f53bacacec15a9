import { type ApiRequest, bodyOf, type RouteImplementation } from "../../api/http";
import { badRequest } from "../../api/problem";
import { ContextRequestSchema, MonthQuerySchema } from "../../api/schemas";
import { type Consents, hasAllConsents } from "../../domain/consents";
import {
  buildContextTips,
  type ForeignFeeSettings,
  InvalidPlannedTransactionError,
} from "../../domain/context-tips";
import { buildHome } from "../../domain/home";
import {
  buildInsights,
  type Insights,
  InvalidMonthError,
  localMonth,
  previousMonthKeys,
} from "../../domain/insights";
import type { MessageRenderer } from "../../domain/messages/render";
import { parseDecimalToMinor } from "../../domain/money";
import type { RuleCatalog } from "../../domain/rules/catalog";
import { toLocalTime } from "../../domain/zoned-time";
import type { CustomerDataStore } from "../../ports/customer-data";
import { rankOffers } from "./offers-inbox";

/** Consent that savings suggestions, which go beyond reporting the customer's own figures, need. */
const INSIGHTS_CONSENT = "personalized_insights";

export interface InsightsSettings {
  /** ISO 4217 code of the bank's currency, for a customer without transactions. */
  readonly homeCurrency: string;
  /** ISO 3166-1 alpha-2 country whose merchants are domestic. */
  readonly homeCountry: string;
  readonly foreignFees: ForeignFeeSettings;
}

/**
 * Keeps what a customer without the insights consent may still see: their own spending, income,
 * forecast and recurring payments, without the suggestions drawn from them.
 */
function withinConsent(insights: Insights, consents: Consents): Insights {
  return hasAllConsents(consents, [INSIGHTS_CONSENT]) ? insights : { ...insights, savingsOpportunities: [] };
}

/** The insights routes: the month's insights, the home screen and tips before a payment. */
export function insightsRoutes(
  store: CustomerDataStore,
  catalog: RuleCatalog,
  renderer: MessageRenderer,
  settings: InsightsSettings,
): Record<string, RouteImplementation> {
  const defaults = catalog.defaults;

  /** The profile, the month and the months it is compared with, and the customer's settings. */
  async function load(request: ApiRequest, month: (timeZone: string) => string) {
    const [{ preferences }, { consents }, profile] = await Promise.all([
      store.getPreferences(request.customerId),
      store.getConsents(request.customerId),
      store.getProfile(request.customerId),
    ]);
    const key = month(preferences.timeZone);
    const months = /^\d{4}-\d{2}$/.test(key)
      ? await store.getMonths(request.customerId, [...previousMonthKeys(key), key])
      : {};
    return { preferences, consents, profile, month: key, months };
  }

  return {
    getInsights: async (request) => {
      const query = MonthQuerySchema.parse(request.query);
      const now = request.now.getTime();
      const data = await load(request, (timeZone) => query.month ?? localMonth(now, timeZone));
      try {
        const insights = buildInsights({
          profile: data.profile,
          months: data.months,
          month: data.month,
          nowMs: now,
          preferences: data.preferences,
          renderer,
          homeCurrency: settings.homeCurrency,
          defaults,
        });
        return { status: 200, body: withinConsent(insights, data.consents) };
      } catch (error) {
        if (!(error instanceof InvalidMonthError)) throw error;
        throw badRequest(`The month ${data.month} has no insights yet`, [
          {
            field: "query.month",
            message: `must not be after the current month ${localMonth(now, data.preferences.timeZone)} in ${data.preferences.timeZone}`,
          },
        ]);
      }
    },

    getHome: async (request) => {
      const now = request.now.getTime();
      const [data, offers, feedback, displayName] = await Promise.all([
        load(request, (timeZone) => localMonth(now, timeZone)),
        store.listOffers(request.customerId),
        store.getOfferFeedback(request.customerId),
        store.displayName(request.customerId),
      ]);
      const insights = buildInsights({
        profile: data.profile,
        months: data.months,
        month: data.month,
        nowMs: now,
        preferences: data.preferences,
        renderer,
        homeCurrency: settings.homeCurrency,
        defaults,
      });
      const today = toLocalTime(now, data.preferences.timeZone).date;
      const byId = new Map(offers.map((offer) => [offer.offerId, offer]));
      const ranked = rankOffers(offers, feedback, data.consents, catalog, today, now).flatMap((offer) => {
        const stored = byId.get(offer.offerId);
        return stored ? [stored] : [];
      });
      const home = buildHome({
        profile: data.profile,
        insights: withinConsent(insights, data.consents),
        offers: ranked,
        nowMs: now,
        preferences: data.preferences,
        renderer,
        displayName,
      });
      return { status: 200, body: home };
    },

    getContextTips: async (request) => {
      const planned = bodyOf(request, ContextRequestSchema);
      const amount = parseDecimalToMinor(planned.amount, planned.currency);
      if (!amount.ok || amount.minor <= 0) {
        throw badRequest("The amount is not valid for its currency", [
          {
            field: "body.amount",
            message: `must be a positive amount of ${planned.currency} with no more decimals than the currency has`,
          },
        ]);
      }
      const now = request.now.getTime();
      const data = await load(request, (timeZone) => localMonth(now, timeZone));
      try {
        const tips = buildContextTips({
          transaction: {
            amountMinor: amount.minor,
            currency: planned.currency,
            merchantName: planned.merchantName,
            mcc: planned.mcc,
            country: planned.country,
            channel: planned.channel,
          },
          profile: data.profile,
          months: data.months,
          nowMs: now,
          preferences: data.preferences,
          renderer,
          homeCountry: settings.homeCountry,
          foreignFees: settings.foreignFees,
          defaults,
        });
        return { status: 200, body: tips };
      } catch (error) {
        if (!(error instanceof InvalidPlannedTransactionError)) throw error;
        throw badRequest("The planned payment is not valid", [{ field: "body", message: error.message }]);
      }
    },
  };
}
