import type * as z from "zod/mini";
import {
  ConsentChangeSchema,
  ConsentPurposeSchema,
  ContextRequestSchema,
  DeviceIdSchema,
  DeviceSchema,
  MonthQuerySchema,
  NotificationIdSchema,
  NotificationsQuerySchema,
  OfferFeedbackSchema,
  OfferIdSchema,
  PreferencesPatchSchema,
  PreferencesSchema,
  ServiceFeedbackSchema,
} from "./schemas";

/**
 * The customer API's routes, defined once: the CDK stack creates an API Gateway route for each, the
 * Lambda handlers dispatch on their route keys, the local server matches requests against them, and
 * the OpenAPI document is generated from them. The customer is always the token's `sub`; no route
 * takes a customer id.
 */

export const API_FUNCTIONS = ["settings", "insights", "offers", "inbox"] as const;
/** Lambda function that serves a route; routes are grouped by the data they need to touch. */
export type ApiFunction = (typeof API_FUNCTIONS)[number];

export type HttpMethod = "GET" | "PUT" | "PATCH" | "POST" | "DELETE";

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** Path in API Gateway's syntax, with `{name}` parameters. */
  readonly path: string;
  readonly function: ApiFunction;
  readonly operationId: string;
  readonly summary: string;
  readonly params?: Readonly<Record<string, z.ZodMiniType>>;
  readonly query?: z.ZodMiniType;
  readonly body?: z.ZodMiniType;
  /** Writes that need the current ETag in If-Match, so two devices never overwrite each other unseen. */
  readonly ifMatch?: boolean;
  readonly success: {
    readonly status: 200 | 201 | 204;
    readonly description: string;
    readonly schema?: string;
  };
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    method: "GET",
    path: "/v1/me/preferences",
    function: "settings",
    operationId: "getPreferences",
    summary: "Read the customer's preferences and their ETag",
    success: { status: 200, description: "The preferences", schema: "Preferences" },
  },
  {
    method: "PUT",
    path: "/v1/me/preferences",
    function: "settings",
    operationId: "replacePreferences",
    summary: "Replace all preferences; needs If-Match with the current ETag",
    body: PreferencesSchema,
    ifMatch: true,
    success: {
      status: 200,
      description: "The stored preferences with their new ETag",
      schema: "Preferences",
    },
  },
  {
    method: "PATCH",
    path: "/v1/me/preferences",
    function: "settings",
    operationId: "updatePreferences",
    summary: "Change the named preferences; needs If-Match with the current ETag",
    body: PreferencesPatchSchema,
    ifMatch: true,
    success: {
      status: 200,
      description: "The stored preferences with their new ETag",
      schema: "Preferences",
    },
  },
  {
    method: "PUT",
    path: "/v1/me/devices/{deviceId}",
    function: "settings",
    operationId: "registerDevice",
    summary: "Register or replace the push token of one of the customer's devices",
    params: { deviceId: DeviceIdSchema },
    body: DeviceSchema,
    success: { status: 204, description: "The device is registered" },
  },
  {
    method: "DELETE",
    path: "/v1/me/devices/{deviceId}",
    function: "settings",
    operationId: "removeDevice",
    summary: "Remove a device and its push token",
    params: { deviceId: DeviceIdSchema },
    success: { status: 204, description: "The device is removed, or was not registered" },
  },
  {
    method: "GET",
    path: "/v1/me/consents",
    function: "settings",
    operationId: "listConsents",
    summary: "Read the customer's consent for every purpose",
    success: {
      status: 200,
      description: "One entry per purpose; a purpose never answered is not granted",
      schema: "Consents",
    },
  },
  {
    method: "GET",
    path: "/v1/me/consents/{purpose}",
    function: "settings",
    operationId: "getConsent",
    summary: "Read the customer's consent for one purpose",
    params: { purpose: ConsentPurposeSchema },
    success: { status: 200, description: "The consent", schema: "Consent" },
  },
  {
    method: "PUT",
    path: "/v1/me/consents/{purpose}",
    function: "settings",
    operationId: "setConsent",
    summary: "Grant or withdraw consent for a purpose, recording the time and the consent text's version",
    params: { purpose: ConsentPurposeSchema },
    body: ConsentChangeSchema,
    success: { status: 200, description: "The consent as stored", schema: "Consent" },
  },
  {
    method: "GET",
    path: "/v1/me/insights",
    function: "insights",
    operationId: "getInsights",
    summary:
      "Spending by category, income, forecast, recurring payments and savings opportunities for a month",
    query: MonthQuerySchema,
    success: { status: 200, description: "The month's insights", schema: "Insights" },
  },
  {
    method: "GET",
    path: "/v1/me/home",
    function: "insights",
    operationId: "getHome",
    summary: "The personalized home screen: greeting, theme, layout, top insight, top offer and shortcuts",
    success: { status: 200, description: "The home screen", schema: "Home" },
  },
  {
    method: "POST",
    path: "/v1/me/context",
    function: "insights",
    operationId: "getContextTips",
    summary: "Tips for a transaction the customer is about to make",
    body: ContextRequestSchema,
    success: {
      status: 200,
      description: "Budget impact, foreign fees and instalment eligibility",
      schema: "ContextTips",
    },
  },
  {
    method: "GET",
    path: "/v1/me/offers",
    function: "offers",
    operationId: "listOffers",
    summary: "Live offers, ranked, limited to what the customer's consents allow",
    success: { status: 200, description: "The offers, best first", schema: "Offers" },
  },
  {
    method: "POST",
    path: "/v1/me/offers/{offerId}/feedback",
    function: "offers",
    operationId: "giveOfferFeedback",
    summary:
      "Record the customer's reaction to an offer; it changes later ranking and can suppress the offer",
    params: { offerId: OfferIdSchema },
    body: OfferFeedbackSchema,
    success: { status: 204, description: "The feedback is recorded" },
  },
  {
    method: "GET",
    path: "/v1/me/notifications",
    function: "inbox",
    operationId: "listNotifications",
    summary: "The notification inbox, newest first, one page at a time",
    query: NotificationsQuerySchema,
    success: { status: 200, description: "A page of notifications", schema: "Notifications" },
  },
  {
    method: "POST",
    path: "/v1/me/notifications/{notificationId}/read",
    function: "inbox",
    operationId: "markNotificationRead",
    summary: "Mark a notification as read",
    params: { notificationId: NotificationIdSchema },
    success: { status: 204, description: "The notification is marked read" },
  },
  {
    method: "POST",
    path: "/v1/me/feedback",
    function: "settings",
    operationId: "giveServiceFeedback",
    summary: "Send a rating and a comment about the service to the bank",
    body: ServiceFeedbackSchema,
    success: { status: 204, description: "The feedback is stored" },
  },
];

/** API Gateway's route key of a route, such as "GET /v1/me/preferences". */
export function routeKeyOf(route: Pick<RouteDefinition, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}

export const ROUTES_BY_KEY: ReadonlyMap<string, RouteDefinition> = new Map(
  ROUTES.map((route) => [routeKeyOf(route), route]),
);

/** Matches a method and a concrete path against the routes, returning the route and its path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { route: RouteDefinition; params: Record<string, string> } | { allowed: HttpMethod[] } | undefined {
  const allowed: HttpMethod[] = [];
  for (const route of ROUTES) {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
        names.push(name);
        return "([^/]+)";
      })}$`,
    );
    const match = pattern.exec(path);
    if (!match) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params = Object.fromEntries(
      names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? "")]),
    );
    return { route, params };
  }
  return allowed.length > 0 ? { allowed } : undefined;
}
