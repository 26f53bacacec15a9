import { bodyOf, paramOf, type RouteImplementation } from "../../api/http";
import { badRequest, notFound } from "../../api/problem";
import { NotificationsQuerySchema, OfferFeedbackSchema } from "../../api/schemas";
import { type Consents, hasAllConsents } from "../../domain/consents";
import { isOfferSuppressed } from "../../domain/offer-feedback";
import type { RuleCatalog } from "../../domain/rules/catalog";
import { toLocalTime } from "../../domain/zoned-time";
import {
  type CustomerDataStore,
  type InboxPage,
  InvalidCursorError,
  type OfferFeedback,
  type StoredOffer,
} from "../../ports/customer-data";

/** Extra rank of an offer the customer clicked and has not answered yet. */
const CLICKED_BOOST = 10;

export interface RankedOffer {
  readonly offerId: string;
  readonly productCode: string;
  readonly title: string;
  readonly body: string;
  readonly presentedAt: string;
  readonly validUntil: string;
  readonly score: number;
}

/**
 * Ranks the customer's live offers: expired ones, ones whose rule needs a consent the customer does
 * not give now, and ones the customer turned down are left out; a clicked offer ranks higher.
 */
export function rankOffers(
  offers: readonly StoredOffer[],
  feedback: OfferFeedback,
  consents: Consents,
  catalog: RuleCatalog,
  today: string,
  now: number,
): RankedOffer[] {
  const rules = new Map(catalog.rules.map((rule) => [rule.id, rule]));
  return offers
    .filter((offer) => offer.validUntil >= today)
    .filter((offer) => hasAllConsents(consents, rules.get(offer.ruleId)?.consents ?? ["marketing"]))
    .filter((offer) => !isOfferSuppressed(feedback[offer.offerId], now))
    .map((offer) => ({
      offerId: offer.offerId,
      productCode: offer.productCode,
      title: offer.title,
      body: offer.body,
      presentedAt: offer.presentedAt,
      validUntil: offer.validUntil,
      score: offer.priority + (feedback[offer.offerId]?.action === "clicked" ? CLICKED_BOOST : 0),
    }))
    .sort((a, b) => b.score - a.score || b.presentedAt.localeCompare(a.presentedAt));
}

/** The offers routes. */
export function offerRoutes(
  store: CustomerDataStore,
  catalog: RuleCatalog,
): Record<string, RouteImplementation> {
  return {
    listOffers: async (request) => {
      const [offers, feedback, { consents }, { preferences }] = await Promise.all([
        store.listOffers(request.customerId),
        store.getOfferFeedback(request.customerId),
        store.getConsents(request.customerId),
        store.getPreferences(request.customerId),
      ]);
      const today = toLocalTime(request.now.getTime(), preferences.timeZone).date;
      return {
        status: 200,
        body: { offers: rankOffers(offers, feedback, consents, catalog, today, request.now.getTime()) },
      };
    },
    giveOfferFeedback: async (request) => {
      const { action } = bodyOf(request, OfferFeedbackSchema);
      const offerId = paramOf(request, "offerId");
      const recorded = await store.recordOfferFeedback(request.customerId, offerId, {
        action,
        at: request.now.toISOString(),
      });
      if (!recorded) throw notFound(`You have no offer ${offerId}; list them with GET /v1/me/offers`);
      return { status: 204 };
    },
  };
}

/** The notification inbox routes. */
export function inboxRoutes(store: CustomerDataStore): Record<string, RouteImplementation> {
  return {
    listNotifications: async (request) => {
      const query = NotificationsQuerySchema.parse(request.query);
      let page: InboxPage;
      try {
        page = await store.listInbox(request.customerId, Number(query.limit ?? 20), query.cursor);
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
        throw badRequest("The cursor is not valid", [
          {
            field: "query.cursor",
            message: "must be the nextCursor of the previous page; leave it out for the first page",
          },
        ]);
      }
      return {
        status: 200,
        body: {
          notifications: page.entries.map((entry) => ({
            id: `${Date.parse(entry.createdAt)}-${entry.messageId}`,
            kind: entry.kind,
            severity: entry.severity,
            ruleId: entry.ruleId,
            title: entry.title,
            body: entry.body,
            createdAt: entry.createdAt,
            read: entry.read,
          })),
          ...(page.nextCursor && { nextCursor: page.nextCursor }),
        },
      };
    },
    markNotificationRead: async (request) => {
      const id = paramOf(request, "notificationId");
      if (!(await store.markRead(request.customerId, id, request.now))) {
        throw notFound(`You have no notification ${id}; list them with GET /v1/me/notifications`);
      }
      return { status: 204 };
    },
  };
}
