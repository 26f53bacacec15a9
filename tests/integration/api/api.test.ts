import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod/mini";
import { customerPartitionKey } from "../../../lambdas/adapters/dynamodb/keys";
import { openApiDocument } from "../../../lambdas/api/openapi";
import { RESPONSE_SCHEMAS, type ResponseSchemaName } from "../../../lambdas/api/responses";
import { ROUTES, type RouteDefinition } from "../../../lambdas/api/routes";
import { CHANNEL_KEYS } from "../../../lambdas/api/schemas";
import { createApiFunctionHandler } from "../../../lambdas/handlers/api/functions";
import { type LocalApi, startLocalApi } from "../../../scripts/local/api-server";
import { LivePipeline } from "../../../scripts/local/live";
import { LocalOutboxFolder } from "../../../scripts/local/local-channels";
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  type LocalJwtKeys,
  loadLocalKeys,
  signLocalToken,
} from "../../../scripts/local/local-jwt";
import { LocalRuntime } from "../../../scripts/local/runtime";
import { type SeedCustomer, seedCustomers } from "../../../scripts/local/seed";
import { createLocalTable, type LocalTable } from "../../helpers/local-table";

process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
// The events below are booked in November 2026, so messages about "old" events must not be dropped.
process.env.MAX_EVENT_AGE_HOURS = "0";

/**
 * The API's clock starts at noon of 20 November 2026 in Vietnam and moves one second each time a
 * handler reads it, which is once per request. So every write gets its own time, and "today" stays
 * within the validity of the offers made in November.
 */
const API_START_MS = Date.parse("2026-11-20T05:00:00Z");
let apiRequests = 0;
function apiClock(): Date {
  apiRequests += 1;
  return new Date(API_START_MS + apiRequests * 1000);
}

const LAPTOP_SHOP = { name: "Thế Giới Di Động", mcc: "5732", country: "VN" };
const GROCERY = { name: "WinMart", mcc: "5411", country: "VN" };

const MARKETING_AND_INSIGHTS = ["marketing", "personalized_insights"] as const;

/** Customers with a display name no response text could contain by chance, so a leak is visible. */
const CUSTOMERS = {
  happy: { customerId: "api-happy", displayName: "Hạnh Okapi" },
  preferences: { customerId: "api-preferences", displayName: "Phương Tapir" },
  consents: { customerId: "api-consents", displayName: "Công Lemur" },
  offers: { customerId: "api-offers", displayName: "Oanh Dugong" },
  inbox: { customerId: "api-inbox", displayName: "Ích Numbat" },
  pipeline: { customerId: "api-pipeline", displayName: "Phúc Narwhal" },
  fuzz: { customerId: "api-fuzz", displayName: "Quý Pangolin" },
  values: { customerId: "api-values", displayName: "Vân Quokka" },
} as const;

const ISOLATED = [
  { customerId: "iso-linh", displayName: "Linh Axolotl" },
  { customerId: "iso-minh", displayName: "Minh Caracal" },
  { customerId: "iso-ngoc", displayName: "Ngọc Wombat" },
] as const;

function seedOf(customer: { customerId: string; displayName: string }): SeedCustomer {
  return {
    ...customer,
    consents: [...MARKETING_AND_INSIGHTS],
    preferences: {},
    devices: [
      {
        deviceId: `${customer.customerId}-phone`,
        platform: "android",
        token: `local-${customer.customerId}`,
      },
    ],
    email: true,
  };
}

let transactionSequence = 0;

/** Builds a TransactionPosted detail in VND for a customer, booked at a local time in Vietnam. */
function transaction(
  customerId: string,
  localTime: string,
  fields: { amount: number; balanceAfter: number } & Record<string, unknown>,
): Record<string, unknown> {
  transactionSequence += 1;
  const { amount, balanceAfter, ...rest } = fields;
  return {
    schemaVersion: "1.0",
    transactionId: `${customerId}-${transactionSequence}`,
    customerId,
    accountId: `${customerId}-current`,
    bookingTime: `${localTime}:00+07:00`,
    amount: String(amount),
    currency: "VND",
    direction: "debit",
    balanceAfter: String(balanceAfter),
    channel: "card",
    merchant: GROCERY,
    ...rest,
  };
}

function salary(customerId: string, localTime: string, balanceAfter: number) {
  return transaction(customerId, localTime, {
    amount: 30_000_000,
    balanceAfter,
    direction: "credit",
    channel: "transfer",
    purposeCode: "SALA",
    merchant: undefined,
    counterparty: { name: "CONG TY ABC" },
  });
}

function laptop(customerId: string, localTime: string, balanceAfter: number) {
  return transaction(customerId, localTime, { amount: 25_000_000, balanceAfter, merchant: LAPTOP_SHOP });
}

/** Builds a month of salary, a large card purchase and groceries, which make alerts, an offer and insights. */
function monthOf(customerId: string) {
  return [
    salary(customerId, "2026-11-03T10:00", 80_000_000),
    laptop(customerId, "2026-11-05T15:00", 55_000_000),
    transaction(customerId, "2026-11-08T12:00", { amount: 450_000, balanceAfter: 54_550_000 }),
  ];
}

interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

interface SendOptions {
  /** The customer whose token to send, unless `authorization` is given. */
  readonly as?: string;
  /** The exact Authorization value, or null for none. */
  readonly authorization?: string | null;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

let table: LocalTable;
let keys: LocalJwtKeys;
let keyFolder: string;
let outboxFolder: string;
let runtime: LocalRuntime;
/** The pipeline behind /local/events, to which the runtime's ingest listener reports each outcome. */
let live: LivePipeline | undefined;
let api: LocalApi;
const tokens = new Map<string, string>();

async function tokenOf(customerId: string): Promise<string> {
  const known = tokens.get(customerId);
  if (known) return known;
  const token = await signLocalToken(keys, customerId);
  tokens.set(customerId, token);
  return token;
}

async function send(method: string, path: string, options: SendOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) {
    if (options.authorization !== null) headers.authorization = options.authorization;
  } else if (options.as) {
    headers.authorization = `Bearer ${await tokenOf(options.as)}`;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${api.url}${path}`, { method, headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function jsonOf(response: ApiResponse): Record<string, unknown> {
  return JSON.parse(response.text) as Record<string, unknown>;
}

/** Parses a response body with its strict schema, so a field the schema does not describe fails the test. */
function parseAs<Name extends ResponseSchemaName>(
  name: Name,
  response: ApiResponse,
): z.infer<(typeof RESPONSE_SCHEMAS)[Name]> {
  const result = RESPONSE_SCHEMAS[name].safeParse(JSON.parse(response.text));
  expect(result.success ? [] : result.error.issues, `${name} response`).toEqual([]);
  return result.data as z.infer<(typeof RESPONSE_SCHEMAS)[Name]>;
}

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

function problemOf(response: ApiResponse): Problem {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return JSON.parse(response.text) as Problem;
}

function fieldsOf(response: ApiResponse): string[] {
  return (problemOf(response).errors ?? []).map((error) => error.field);
}

/** Posts TransactionPosted details to /local/events, which ingests them and dispatches their messages. */
async function ingest(details: Record<string, unknown>[]) {
  const response = await send("POST", "/local/events", { body: details });
  expect(response.status).toBe(200);
  const result = jsonOf(response) as {
    events: Array<{
      eventId: string;
      result: string;
      messages?: Array<{ ruleId: string; kind: string; language: string; channels: string[]; title: string }>;
      suppressed?: Array<{ ruleId: string; reason: string }>;
    }>;
    deadLettered: string[];
  };
  expect(result.deadLettered).toEqual([]);
  expect(result.events.map((event) => event.result)).toEqual(details.map(() => "applied"));
  return result.events;
}

async function partitionItems(customerId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await table.documentClient.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": customerPartitionKey(customerId) },
        ExclusiveStartKey: cursor,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

async function scanTable(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await table.documentClient.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: cursor, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  const keyOf = (item: Record<string, unknown>) => `${String(item.PK)}\u0000${String(item.SK)}`;
  return items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

async function notificationIdsOf(customerId: string): Promise<string[]> {
  const response = await send("GET", "/v1/me/notifications?limit=50", { as: customerId });
  expect(response.status).toBe(200);
  return parseAs("Notifications", response).notifications.map((notification) => notification.id);
}

async function etagOf(customerId: string): Promise<string> {
  const response = await send("GET", "/v1/me/preferences", { as: customerId });
  expect(response.status).toBe(200);
  return response.headers.get("etag") ?? "";
}

beforeAll(async () => {
  table = await createLocalTable("api");
  keyFolder = mkdtempSync(join(tmpdir(), "personalization-api-keys-"));
  keys = await loadLocalKeys(join(keyFolder, "local-jwt-key.json"));
  outboxFolder = mkdtempSync(join(tmpdir(), "personalization-api-outbox-"));
  const outbox = new LocalOutboxFolder(outboxFolder);
  outbox.reset();
  runtime = new LocalRuntime(table.endpoint, table.tableName, outbox, {
    onIngest: (outcome) => live?.record(outcome),
  });
  const pipeline = new LivePipeline(runtime);
  live = pipeline;
  await runtime.followStream();
  api = await startLocalApi({
    port: 0,
    keys,
    createHandler: (functionName) =>
      createApiFunctionHandler(
        functionName,
        { documentClient: table.documentClient, clock: apiClock },
        { TABLE_NAME: table.tableName },
      ),
    openApi: openApiDocument({ version: "test" }),
    localEvents: (body) => pipeline.post(body),
  });

  await seedCustomers(
    table.documentClient,
    table.tableName,
    [...Object.values(CUSTOMERS), ...ISOLATED].map(seedOf),
    new Date("2026-11-01T00:00:00Z"),
  );
  const inbox = CUSTOMERS.inbox.customerId;
  await ingest([
    ...[CUSTOMERS.happy, CUSTOMERS.offers, CUSTOMERS.fuzz, CUSTOMERS.values, ...ISOLATED].flatMap(
      (customer) => monthOf(customer.customerId),
    ),
    salary(inbox, "2026-11-01T10:00", 150_000_000),
    ...[2, 3, 4, 5, 6].map((day) =>
      laptop(inbox, `2026-11-0${day}T15:00`, 150_000_000 - (day - 1) * 25_000_000),
    ),
  ]);
});

afterAll(async () => {
  await api?.close();
  runtime?.close();
  await table?.drop();
  rmSync(keyFolder, { recursive: true, force: true });
  rmSync(outboxFolder, { recursive: true, force: true });
});

interface HappyCase {
  readonly operationId: string;
  readonly send: (customerId: string) => Promise<ApiResponse>;
  readonly assess?: (response: ApiResponse, customerId: string) => Promise<void> | void;
}

/** One successful request per route, run in this order against the same customer. */
const HAPPY_CASES: readonly HappyCase[] = [
  {
    operationId: "getPreferences",
    send: (customerId) => send("GET", "/v1/me/preferences", { as: customerId }),
    assess: (response) => {
      expect(response.headers.get("etag")).toBe('"v1"');
      expect(parseAs("Preferences", response)).toMatchObject({ language: "vi", version: 1 });
    },
  },
  {
    operationId: "replacePreferences",
    send: async (customerId) => {
      const current = jsonOf(await send("GET", "/v1/me/preferences", { as: customerId }));
      const { version: _version, ...preferences } = current;
      return send("PUT", "/v1/me/preferences", {
        as: customerId,
        headers: { "if-match": '"v1"' },
        body: { ...preferences, theme: "dark", dailyMessageCap: 8 },
      });
    },
    assess: (response) => {
      expect(response.headers.get("etag")).toBe('"v2"');
      expect(parseAs("Preferences", response)).toMatchObject({
        theme: "dark",
        dailyMessageCap: 8,
        version: 2,
      });
    },
  },
  {
    operationId: "updatePreferences",
    send: (customerId) =>
      send("PATCH", "/v1/me/preferences", {
        as: customerId,
        headers: { "if-match": '"v2"' },
        body: { quietHours: { start: "23:00", end: "06:00" } },
      }),
    assess: (response) => {
      expect(response.headers.get("etag")).toBe('"v3"');
      expect(parseAs("Preferences", response)).toMatchObject({
        theme: "dark",
        quietHours: { start: "23:00", end: "06:00" },
        version: 3,
      });
    },
  },
  {
    operationId: "registerDevice",
    send: (customerId) =>
      send("PUT", "/v1/me/devices/tablet-1", {
        as: customerId,
        body: { platform: "ios", token: "a".repeat(40) },
      }),
    assess: async (_response, customerId) => {
      const device = (await partitionItems(customerId)).find((item) => item.SK === "DEVICE#tablet-1");
      expect(device).toMatchObject({
        deviceId: "tablet-1",
        platform: "ios",
        token: "a".repeat(40),
        active: true,
      });
    },
  },
  {
    operationId: "removeDevice",
    send: (customerId) => send("DELETE", "/v1/me/devices/tablet-1", { as: customerId }),
    assess: async (_response, customerId) => {
      const items = await partitionItems(customerId);
      expect(items.find((item) => item.SK === "DEVICE#tablet-1")).toBeUndefined();
      expect(items.find((item) => item.SK === `DEVICE#${customerId}-phone`)).toBeDefined();
    },
  },
  {
    operationId: "listConsents",
    send: (customerId) => send("GET", "/v1/me/consents", { as: customerId }),
    assess: (response) => {
      const { consents } = parseAs("Consents", response);
      expect(consents.map((consent) => [consent.purpose, consent.granted])).toEqual([
        ["marketing", true],
        ["personalized_insights", true],
        ["location_based_services", false],
      ]);
    },
  },
  {
    operationId: "getConsent",
    send: (customerId) => send("GET", "/v1/me/consents/marketing", { as: customerId }),
    assess: (response) => {
      expect(parseAs("Consent", response)).toEqual({
        purpose: "marketing",
        granted: true,
        at: "2026-11-01T00:00:00.000Z",
        textVersion: "2026-01",
      });
    },
  },
  {
    operationId: "setConsent",
    send: (customerId) =>
      send("PUT", "/v1/me/consents/location_based_services", {
        as: customerId,
        body: { granted: true, textVersion: "2026-02" },
      }),
    assess: (response) => {
      expect(parseAs("Consent", response)).toMatchObject({
        purpose: "location_based_services",
        granted: true,
        textVersion: "2026-02",
      });
    },
  },
  {
    operationId: "getInsights",
    send: (customerId) => send("GET", "/v1/me/insights?month=2026-11", { as: customerId }),
    assess: (response) => {
      const insights = parseAs("Insights", response);
      expect(insights.month).toBe("2026-11");
      expect(insights.currency).toBe("VND");
      expect(insights.spendingTotal.amountMinor).toBe(25_450_000);
      expect(insights.income.total.amountMinor).toBe(30_000_000);
    },
  },
  {
    operationId: "getHome",
    send: (customerId) => send("GET", "/v1/me/home", { as: customerId }),
    assess: (response) => {
      const home = parseAs("Home", response);
      expect(home.greeting.text).toContain(CUSTOMERS.happy.displayName);
      expect(home.theme).toBe("dark");
      expect(home.topOffer?.offerId).toBe("instalment-offer");
    },
  },
  {
    operationId: "getContextTips",
    send: (customerId) =>
      send("POST", "/v1/me/context", {
        as: customerId,
        body: { amount: "12000000", currency: "VND", merchantName: "FPT Shop", mcc: "5732", channel: "card" },
      }),
    assess: (response) => {
      const tips = parseAs("ContextTips", response);
      expect(tips.category).toBe("shopping");
      expect(tips.instalment).toMatchObject({ eligible: true });
      expect(tips.foreignFees).toBeNull();
    },
  },
  {
    operationId: "listOffers",
    send: (customerId) => send("GET", "/v1/me/offers", { as: customerId }),
    assess: (response) => {
      const { offers } = parseAs("Offers", response);
      expect(offers.map((offer) => offer.offerId)).toContain("instalment-offer");
    },
  },
  {
    operationId: "giveOfferFeedback",
    send: (customerId) =>
      send("POST", "/v1/me/offers/instalment-offer/feedback", {
        as: customerId,
        body: { action: "clicked" },
      }),
    assess: async (_response, customerId) => {
      const offer = (await partitionItems(customerId)).find((item) => item.SK === "OFFER#instalment-offer");
      expect(offer).toMatchObject({ status: "clicked" });
    },
  },
  {
    operationId: "listNotifications",
    send: (customerId) => send("GET", "/v1/me/notifications", { as: customerId }),
    assess: (response) => {
      const { notifications } = parseAs("Notifications", response);
      expect(notifications.map((notification) => [notification.ruleId, notification.kind]).sort()).toEqual([
        ["income-received", "alert"],
        ["instalment-offer", "offer"],
        ["large-transaction", "alert"],
      ]);
      expect(notifications.every((notification) => !notification.read)).toBe(true);
    },
  },
  {
    operationId: "markNotificationRead",
    send: async (customerId) => {
      const [id] = await notificationIdsOf(customerId);
      return send("POST", `/v1/me/notifications/${id}/read`, { as: customerId });
    },
    assess: async (_response, customerId) => {
      const { notifications } = parseAs(
        "Notifications",
        await send("GET", "/v1/me/notifications", { as: customerId }),
      );
      expect(notifications.map((notification) => notification.read)).toEqual([true, false, false]);
    },
  },
  {
    operationId: "giveServiceFeedback",
    send: (customerId) =>
      send("POST", "/v1/me/feedback", {
        as: customerId,
        // Two spaces, and "Ứ" written as "Ư" and a combining acute accent: the API stores the NFC form.
        body: { rating: 4, comment: "\u01af\u0301ng dụng  dễ dùng", channel: "mobile" },
      }),
    assess: async (_response, customerId) => {
      const feedback = (await partitionItems(customerId)).filter((item) =>
        String(item.SK).startsWith("FEEDBACK#"),
      );
      expect(feedback).toHaveLength(1);
      expect(feedback[0]).toMatchObject({ rating: 4, comment: "\u1ee8ng dụng dễ dùng", channel: "mobile" });
    },
  },
];

describe("customer API over HTTP", () => {
  it("has a successful case for every route", () => {
    expect(HAPPY_CASES.map((entry) => entry.operationId).sort()).toEqual(
      ROUTES.map((route) => route.operationId).sort(),
    );
  });

  it.each(HAPPY_CASES.map((entry) => [entry.operationId, entry] as const))(
    "serves %s",
    async (operationId, entry) => {
      // Prepare
      const route = ROUTES.find((candidate) => candidate.operationId === operationId) as RouteDefinition;
      const customerId = CUSTOMERS.happy.customerId;

      // Act
      const response = await entry.send(customerId);

      // Assess
      expect(response.status, response.text).toBe(route.success.status);
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      if (route.success.schema) {
        expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
        parseAs(route.success.schema as ResponseSchemaName, response);
      } else {
        expect(response.text).toBe("");
      }
      await entry.assess?.(response, customerId);
    },
  );
});

/** The version number in an ETag such as "v3". */
function versionOf(etag: string): number {
  return Number(/^"v(\d+)"$/.exec(etag)?.[1]);
}

describe("preferences", () => {
  const customerId = CUSTOMERS.preferences.customerId;

  it("returns the stored version as ETag", async () => {
    // Act
    const response = await send("GET", "/v1/me/preferences", { as: customerId });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"v1"');
    expect(parseAs("Preferences", response).version).toBe(1);
  });

  it("applies a PATCH with the current ETag and bumps it", async () => {
    // Prepare
    const etag = await etagOf(customerId);

    // Act
    const response = await send("PATCH", "/v1/me/preferences", {
      as: customerId,
      headers: { "if-match": etag },
      body: { language: "en", dailyMessageCap: 3 },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe(`"v${versionOf(etag) + 1}"`);
    const stored = parseAs("Preferences", await send("GET", "/v1/me/preferences", { as: customerId }));
    expect(stored).toMatchObject({
      language: "en",
      dailyMessageCap: 3,
      timeZone: "Asia/Ho_Chi_Minh",
      version: versionOf(etag) + 1,
    });
  });

  it("rejects a stale If-Match with 412", async () => {
    // Prepare
    const before = await send("GET", "/v1/me/preferences", { as: customerId });
    const current = before.headers.get("etag") ?? "";

    // Act
    const response = await send("PATCH", "/v1/me/preferences", {
      as: customerId,
      headers: { "if-match": `"v${versionOf(current) - 1}"` },
      body: { theme: "light" },
    });

    // Assess
    expect(response.status).toBe(412);
    expect(response.headers.get("etag")).toBe(current);
    const problem = problemOf(response);
    expect(problem.type).toBe("urn:bank-personalization:problem:precondition-failed");
    expect(problem.errors).toEqual([
      { field: "headers.if-match", message: `does not match the current ETag ${current}` },
    ]);
    const after = await send("GET", "/v1/me/preferences", { as: customerId });
    expect(after.text).toBe(before.text);
  });

  it.each([
    ["*", () => "*"],
    ["a list with the current ETag", (etag: string) => `"v0", ${etag}`],
  ])("accepts If-Match %s", async (_label, ifMatch) => {
    // Prepare
    const etag = await etagOf(customerId);

    // Act
    const response = await send("PATCH", "/v1/me/preferences", {
      as: customerId,
      headers: { "if-match": ifMatch(etag) },
      body: { theme: "dark" },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe(`"v${versionOf(etag) + 1}"`);
  });

  it("rejects a weak If-Match with 412", async () => {
    // Prepare
    const etag = await etagOf(customerId);

    // Act
    const response = await send("PATCH", "/v1/me/preferences", {
      as: customerId,
      headers: { "if-match": `W/${etag}` },
      body: { theme: "dark" },
    });

    // Assess
    expect(response.status).toBe(412);
  });

  it("lets one of two concurrent PATCHes win", async () => {
    // Prepare
    const etag = await etagOf(customerId);
    const patch = (theme: string) =>
      send("PATCH", "/v1/me/preferences", { as: customerId, headers: { "if-match": etag }, body: { theme } });

    // Act
    const [dark, light] = await Promise.all([patch("dark"), patch("light")]);

    // Assess
    expect([dark.status, light.status].sort()).toEqual([200, 412]);
    const winner = dark.status === 200 ? "dark" : "light";
    const stored = parseAs("Preferences", await send("GET", "/v1/me/preferences", { as: customerId }));
    expect(stored.theme).toBe(winner);
    expect(`"v${stored.version}"`).toBe(
      dark.status === 200 ? dark.headers.get("etag") : light.headers.get("etag"),
    );
    expect(stored.version).toBe(versionOf(etag) + 1);
  });

  it("returns 428 for a PATCH without If-Match", async () => {
    // Act
    const response = await send("PATCH", "/v1/me/preferences", { as: customerId, body: { theme: "dark" } });

    // Assess
    expect(response.status).toBe(428);
    expect(fieldsOf(response)).toEqual(["headers.if-match"]);
  });
});

describe("consents", () => {
  const customerId = CUSTOMERS.consents.customerId;

  it("records withdrawal and grant evidence", async () => {
    // Act
    const withdrawn = await send("PUT", "/v1/me/consents/marketing", {
      as: customerId,
      body: { granted: false, textVersion: "2026-03" },
    });
    const afterWithdrawal = await send("GET", "/v1/me/consents/marketing", { as: customerId });
    const granted = await send("PUT", "/v1/me/consents/marketing", {
      as: customerId,
      body: { granted: true, textVersion: "2026-04" },
    });
    const afterGrant = await send("GET", "/v1/me/consents", { as: customerId });

    // Assess
    expect(withdrawn.status).toBe(200);
    const withdrawal = parseAs("Consent", withdrawn);
    expect(withdrawal).toMatchObject({ purpose: "marketing", granted: false, textVersion: "2026-03" });
    expect(Date.parse(withdrawal.at ?? "")).toBeGreaterThan(API_START_MS);
    expect(parseAs("Consent", afterWithdrawal)).toEqual(withdrawal);

    expect(granted.status).toBe(200);
    const grant = parseAs("Consent", granted);
    expect(grant).toMatchObject({ purpose: "marketing", granted: true, textVersion: "2026-04" });
    expect(Date.parse(grant.at ?? "")).toBeGreaterThan(Date.parse(withdrawal.at ?? ""));
    expect(parseAs("Consents", afterGrant).consents).toEqual([
      grant,
      {
        purpose: "personalized_insights",
        granted: true,
        at: "2026-11-01T00:00:00.000Z",
        textVersion: "2026-01",
      },
      { purpose: "location_based_services", granted: false, at: null, textVersion: null },
    ]);
    const evidence = (await partitionItems(customerId))
      .filter((item) => String(item.SK).startsWith("CONSENT_EVIDENCE#"))
      .map((item) => [item.purpose, item.granted, item.at, item.textVersion]);
    expect(evidence).toEqual([
      ["marketing", false, withdrawal.at, "2026-03"],
      ["marketing", true, grant.at, "2026-04"],
    ]);
  });

  it("rejects an unknown purpose", async () => {
    // Act
    const response = await send("PUT", "/v1/me/consents/profiling", {
      as: customerId,
      body: { granted: true, textVersion: "2026-04" },
    });

    // Assess
    expect(response.status).toBe(400);
    expect(fieldsOf(response)).toEqual(["path.purpose"]);
  });
});

describe("offers", () => {
  const customerId = CUSTOMERS.offers.customerId;

  it("leaves a dismissed offer out of the list", async () => {
    // Prepare
    const before = parseAs("Offers", await send("GET", "/v1/me/offers", { as: customerId }));

    // Act
    const feedback = await send("POST", "/v1/me/offers/instalment-offer/feedback", {
      as: customerId,
      body: { action: "dismissed" },
    });

    // Assess
    expect(before.offers.map((offer) => offer.offerId)).toContain("instalment-offer");
    expect(feedback.status).toBe(204);
    const after = parseAs("Offers", await send("GET", "/v1/me/offers", { as: customerId }));
    expect(after.offers.map((offer) => offer.offerId)).not.toContain("instalment-offer");
    expect(after.offers).toHaveLength(before.offers.length - 1);
    const home = parseAs("Home", await send("GET", "/v1/me/home", { as: customerId }));
    expect(home.topOffer?.offerId).not.toBe("instalment-offer");
  });

  it("rejects feedback on an unknown offer", async () => {
    // Prepare
    const before = await partitionItems(customerId);

    // Act
    const response = await send("POST", "/v1/me/offers/no-such-offer/feedback", {
      as: customerId,
      body: { action: "clicked" },
    });

    // Assess
    expect(response.status).toBe(404);
    expect(problemOf(response)).toMatchObject({
      type: "urn:bank-personalization:problem:not-found",
      detail: "You have no offer no-such-offer; list them with GET /v1/me/offers",
    });
    expect(await partitionItems(customerId)).toEqual(before);
  });
});

describe("notification inbox", () => {
  const customerId = CUSTOMERS.inbox.customerId;

  it("pages through each notification once", async () => {
    // Prepare
    const all = await notificationIdsOf(customerId);

    // Act
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const query = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const response = await send("GET", `/v1/me/notifications${query}`, { as: customerId });
      expect(response.status).toBe(200);
      const page = parseAs("Notifications", response);
      pages.push(page.notifications.map((notification) => notification.id));
      cursor = page.nextCursor;
    } while (cursor && pages.length < 20);

    // Assess
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(2);
    expect(pages.flat()).toEqual(all);
    expect(new Set(all).size).toBe(all.length);
    const createdAt = all.map((id) => Number(id.split("-")[0]));
    expect(createdAt).toEqual([...createdAt].sort((a, b) => b - a));
  });

  it.each([
    ["a sort key outside the inbox", Buffer.from("PROFILE").toString("base64url")],
    ["an offer's sort key", Buffer.from("OFFER#instalment-offer").toString("base64url")],
    ["base64 with trailing bits", `${Buffer.from("INBOX#2026").toString("base64url")}B`],
    ["characters outside base64url", "SU5CT1gj+w=="],
  ])("returns 400 for a cursor with %s", async (_case, cursor) => {
    // Act
    const response = await send("GET", `/v1/me/notifications?cursor=${encodeURIComponent(cursor)}`, {
      as: customerId,
    });

    // Assess
    expect(response.status).toBe(400);
    expect(fieldsOf(response)).toEqual(["query.cursor"]);
  });

  it("marks a notification read", async () => {
    // Prepare
    const [first, ...others] = await notificationIdsOf(customerId);

    // Act
    const response = await send("POST", `/v1/me/notifications/${first}/read`, { as: customerId });
    const again = await send("POST", `/v1/me/notifications/${first}/read`, { as: customerId });

    // Assess
    expect(response.status).toBe(204);
    expect(again.status).toBe(204);
    const { notifications } = parseAs(
      "Notifications",
      await send("GET", "/v1/me/notifications?limit=50", { as: customerId }),
    );
    expect(notifications.find((notification) => notification.id === first)?.read).toBe(true);
    expect(
      notifications.filter((notification) => others.includes(notification.id)).map((entry) => entry.read),
    ).toEqual(others.map(() => false));
  });

  it("returns 404 for an unknown notification", async () => {
    // Act
    const response = await send("POST", `/v1/me/notifications/1700000000000-${"0".repeat(32)}/read`, {
      as: customerId,
    });

    // Assess
    expect(response.status).toBe(404);
    expect(problemOf(response).type).toBe("urn:bank-personalization:problem:not-found");
  });
});

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

interface TokenOptions {
  readonly claims?: Record<string, unknown>;
  readonly subject?: string | undefined;
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresAt?: number;
  readonly signingKeys?: LocalJwtKeys;
}

let otherKeyPair: LocalJwtKeys | undefined;

/** A key pair of another issuer, whose tokens the local server must reject. */
async function otherKeys(): Promise<LocalJwtKeys> {
  otherKeyPair ??= await loadLocalKeys(join(keyFolder, "other-key.json"));
  return otherKeyPair;
}

/** Signs a token as the local issuer does, with the given claims and settings changed. */
async function signToken(options: TokenOptions = {}): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: "personalization/me", ...options.claims })
    .setProtectedHeader({ alg: "ES256", typ: "JWT" })
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(nowSeconds - 60)
    .setExpirationTime(options.expiresAt ?? nowSeconds + 3600);
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  return jwt.sign((options.signingKeys ?? keys).privateKey);
}

/** Tokens that API Gateway's JWT authorizer, and so the local server, must not accept. */
const BAD_AUTHORIZATIONS: ReadonlyArray<readonly [string, () => Promise<string | null>]> = [
  ["no Authorization header", async () => null],
  ["Basic credentials", async () => "Basic YXBpLWhhcHB5OnNlY3JldA=="],
  ["a token that is not a JWT", async () => "Bearer not-a-token"],
  [
    "an expired token",
    async () =>
      `Bearer ${await signToken({ subject: CUSTOMERS.happy.customerId, expiresAt: Math.floor(Date.now() / 1000) - 60 })}`,
  ],
  [
    "a token signed by another key",
    async () =>
      `Bearer ${await signToken({ subject: CUSTOMERS.happy.customerId, signingKeys: await otherKeys() })}`,
  ],
  [
    "alg none",
    async () => {
      const header = base64url({ alg: "none", typ: "JWT" });
      const payload = base64url({
        sub: CUSTOMERS.happy.customerId,
        iss: LOCAL_ISSUER,
        aud: LOCAL_AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 3600,
      });
      return `Bearer ${header}.${payload}.`;
    },
  ],
  [
    "HS256 with a guessed secret",
    async () => {
      const token = await new SignJWT({ sub: CUSTOMERS.happy.customerId })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode("secret"));
      return `Bearer ${token}`;
    },
  ],
  [
    "another audience",
    async () => `Bearer ${await signToken({ subject: CUSTOMERS.happy.customerId, audience: "other-app" })}`,
  ],
  [
    "another issuer",
    async () =>
      `Bearer ${await signToken({ subject: CUSTOMERS.happy.customerId, issuer: "urn:other-issuer" })}`,
  ],
  ["no sub", async () => `Bearer ${await signToken({ subject: undefined })}`],
  ["a sub that is not a customer id", async () => `Bearer ${await signToken({ subject: "cust#1" })}`],
];

describe("authentication", () => {
  it.each(BAD_AUTHORIZATIONS)("returns 401 for %s", async (_case, authorization) => {
    // Act
    const response = await send("GET", "/v1/me/home", { authorization: await authorization() });

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(problemOf(response).type).toBe("urn:bank-personalization:problem:unauthorized");
    expect(response.text).not.toContain(CUSTOMERS.happy.displayName);
  });
});

/** Data of one customer, read before the isolation property starts. */
interface CustomerData {
  readonly customerId: string;
  readonly displayName: string;
  readonly notificationIds: readonly string[];
  readonly offerIds: readonly string[];
  readonly cursor: string;
  readonly deviceId: string;
}

async function customerDataOf(customer: { customerId: string; displayName: string }): Promise<CustomerData> {
  const { customerId } = customer;
  const firstPage = parseAs(
    "Notifications",
    await send("GET", "/v1/me/notifications?limit=1", { as: customerId }),
  );
  const { offers } = parseAs("Offers", await send("GET", "/v1/me/offers", { as: customerId }));
  return {
    ...customer,
    notificationIds: await notificationIdsOf(customerId),
    offerIds: offers.map((offer) => offer.offerId),
    cursor: firstPage.nextCursor ?? "",
    deviceId: `${customerId}-phone`,
  };
}

interface AttackRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** Requests in which the signed-in customer names another customer's ids in every place a request has. */
function attacksOn(victim: CustomerData): fc.Arbitrary<AttackRequest> {
  const victimId = victim.customerId;
  return fc.oneof(
    fc
      .constantFrom(...victim.notificationIds)
      .map((id) => ({ method: "POST", path: `/v1/me/notifications/${id}/read` })),
    fc
      .tuple(
        fc.constantFrom(...victim.offerIds, "instalment-offer"),
        fc.constantFrom("clicked", "accepted", "dismissed", "not_interested"),
      )
      .map(([offerId, action]) => ({
        method: "POST",
        path: `/v1/me/offers/${offerId}/feedback`,
        body: { action },
      })),
    fc.constant({ method: "DELETE", path: `/v1/me/devices/${victim.deviceId}` }),
    fc.constant({
      method: "PUT",
      path: `/v1/me/devices/${victim.deviceId}`,
      body: { platform: "android", token: "b".repeat(40) },
    }),
    fc
      .constantFrom(
        `/v1/customers/${victimId}/preferences`,
        `/v1/me/${victimId}/preferences`,
        `/v1/${victimId}/home`,
        `/v1/me/preferences/${victimId}`,
        `/v1/me/../${victimId}/home`,
        `/v1/me/consents/${encodeURIComponent(`C#${victimId}`)}`,
        `/v1/me/devices/${encodeURIComponent(`../C#${victimId}`)}`,
      )
      .chain((path) =>
        fc.constantFrom("GET", "PUT", "PATCH", "POST", "DELETE").map((method) => ({ method, path })),
      ),
    fc
      .constantFrom(
        { method: "PATCH", path: "/v1/me/preferences", body: { language: "en", customerId: victimId } },
        {
          method: "PUT",
          path: "/v1/me/consents/marketing",
          body: { granted: false, textVersion: "1", customerId: victimId },
        },
        { method: "POST", path: "/v1/me/feedback", body: { rating: 1, customerId: victimId } },
        {
          method: "POST",
          path: "/v1/me/context",
          body: { amount: "100", currency: "VND", customerId: victimId },
        },
        {
          method: "POST",
          path: "/v1/me/offers/instalment-offer/feedback",
          body: { action: "dismissed", sub: victimId },
        },
      )
      .map((request): AttackRequest => request),
    fc
      .constantFrom(
        `/v1/me/notifications?cursor=${victim.cursor}`,
        `/v1/me/notifications?customerId=${victimId}`,
        `/v1/me/home?customerId=${victimId}`,
        `/v1/me/insights?month=2026-11&customerId=${victimId}`,
        `/v1/me/offers?sub=${victimId}`,
        `/v1/me/preferences?customerId=${victimId}&customerId=${victimId}`,
      )
      .map((path) => ({ method: "GET", path })),
    fc
      .constantFrom(
        "/v1/me/home",
        "/v1/me/notifications?limit=50",
        "/v1/me/offers",
        "/v1/me/preferences",
        "/v1/me/consents",
        "/v1/me/insights?month=2026-11",
      )
      .map((path) => ({ method: "GET", path })),
  );
}

/** Claims that an identity provider might add and that must never choose the customer. */
const CUSTOMER_CLAIMS = ["customerId", "custom:customerId", "cognito:username", "username", "customer_id"];

describe("isolation between customers", () => {
  it("keeps other customers' data out of reach", async () => {
    // Prepare
    const customers = await Promise.all(ISOLATED.map(customerDataOf));
    for (const customer of customers) {
      expect(customer.notificationIds.length).toBeGreaterThan(0);
      expect(customer.cursor).not.toBe("");
    }
    const pairs = fc
      .tuple(fc.nat(customers.length - 1), fc.nat(customers.length - 2))
      .map(([attacker, offset]) => ({
        attacker: customers[attacker] as CustomerData,
        victim: customers[(attacker + 1 + offset) % customers.length] as CustomerData,
      }));
    const scenarios = pairs.chain(({ attacker, victim }) =>
      fc.record({
        attacker: fc.constant(attacker),
        victim: fc.constant(victim),
        request: attacksOn(victim),
        claims: fc.subarray(CUSTOMER_CLAIMS),
        victimHeaders: fc.boolean(),
      }),
    );

    // Act and Assess
    await fc.assert(
      fc.asyncProperty(scenarios, async ({ attacker, victim, request, claims, victimHeaders }) => {
        const before = await partitionItems(victim.customerId);
        const token = await signToken({
          subject: attacker.customerId,
          claims: Object.fromEntries(claims.map((claim) => [claim, victim.customerId])),
        });
        const response = await send(request.method, request.path, {
          authorization: `Bearer ${token}`,
          ...(request.body !== undefined && { body: request.body }),
          headers: {
            ...(request.body !== undefined && { "if-match": '"v1"' }),
            ...(victimHeaders && {
              "x-customer-id": victim.customerId,
              "x-amzn-oidc-identity": victim.customerId,
            }),
          },
        });

        expect(response.status).toBeLessThan(500);
        expect(await partitionItems(victim.customerId)).toEqual(before);
        const sent = `${request.path} ${JSON.stringify(request.body ?? "")}`;
        const victimData = [
          victim.displayName,
          `${victim.customerId}@example.invalid`,
          `local-${victim.customerId}`,
          ...victim.notificationIds,
        ].filter((value) => !sent.includes(value));
        for (const value of victimData) expect(response.text).not.toContain(value);
        if (response.status === 200 && request.path.startsWith("/v1/me/notifications")) {
          const { notifications } = parseAs("Notifications", response);
          for (const notification of notifications)
            expect(attacker.notificationIds).toContain(notification.id);
        }
        if (response.status === 200 && request.path === "/v1/me/home") {
          expect(parseAs("Home", response).greeting.text).toContain(attacker.displayName);
        }
      }),
      { numRuns: 150 },
    );
  });
});

interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

interface RawResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}

/** Longest wait for a response, in milliseconds. A server that sends none by then would hang its clients. */
const RAW_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Sends a request with node:http rather than fetch, because fetch normalizes the path ("..", "%2e")
 * before sending it and the server must be tested with the path as a client may write it.
 */
function sendRaw(request: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolvePromise, reject) => {
    const outgoing = httpRequest(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        headers: {
          ...request.headers,
          ...(request.body !== undefined && { "content-length": String(request.body.length) }),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolvePromise({
            status: incoming.statusCode ?? 0,
            contentType: incoming.headers["content-type"],
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        incoming.on("error", reject);
      },
    );
    outgoing.setTimeout(RAW_REQUEST_TIMEOUT_MS, () =>
      outgoing.destroy(new Error(`No response within ${RAW_REQUEST_TIMEOUT_MS} ms`)),
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

/** Path segments that routers often mishandle: dot segments, encoded slashes, bad percent-encoding. */
const SEGMENT_EDGE_CASES = [
  "..",
  ".",
  "%2e%2e",
  "%2E.",
  "%2F",
  "%5C",
  "%00",
  "%E0%A4%A",
  "%",
  "%25",
  "%C0%AF",
  "%ff",
  "~",
];

const segments = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SEGMENT_EDGE_CASES) },
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,20}$/) },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 6000 }).map((length) => "d".repeat(length)) },
);

const METHODS = ["GET", "PUT", "PATCH", "POST", "DELETE", "HEAD", "OPTIONS", "PROPFIND"] as const;

/** Values that each fit some path parameter, so a request often gets past the router. */
const paramValues = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "marketing",
      "personalized_insights",
      "instalment-offer",
      "api-fuzz-phone",
      `1700000000000-${"a".repeat(32)}`,
    ),
  },
  { weight: 2, arbitrary: segments },
);

/** Paths of the routes with a parameter value, now and then a segment more, mostly with their method. */
const routeTargets = fc
  .record({
    route: fc.constantFrom(...ROUTES),
    value: paramValues,
    extra: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: segments }),
    method: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
    ),
  })
  .map(({ route, value, extra, method }) => ({
    method: method ?? route.method,
    path: `${route.path.replace(/\{\w+\}/g, value)}${extra === null ? "" : `/${extra}`}`,
  }));

const otherTargets = fc.record({
  method: fc.constantFrom(...METHODS),
  path: fc.oneof(
    fc.array(segments, { maxLength: 6 }).map((parts) => `/${parts.join("/")}`),
    fc.constantFrom(
      "/",
      "/v1",
      "/v1/me",
      "/v1/me/",
      "//v1/me/preferences",
      "//%",
      "/v1/me/offers/../preferences",
      "/v1/me/./home",
      "/V1/ME/HOME",
      "/v1/me/preferences/",
      "/v1/me/notifications/%2e%2e/home",
      "/v1/me/consents/marketing/..",
      `/v1/me/${"a/".repeat(2000)}`,
    ),
  ),
});

const targets = fc.oneof({ weight: 5, arbitrary: routeTargets }, { weight: 2, arbitrary: otherTargets });

const queryStrings = fc.oneof(
  fc.constant(""),
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom("month", "cursor", "limit", "customerId"), fc.string({ maxLength: 8 })),
        fc.oneof(
          fc.constantFrom("2026-11", "2026-13", "0000-01", "9999-12", "0", "51", "-1", "1e3", "", "SU5CT1gj"),
          fc.string({ maxLength: 40 }),
        ),
      ),
      { maxLength: 4 },
    )
    .map((pairs) =>
      pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&"),
    ),
  fc.constantFrom("%zz", "a", "=&=", "month", "&&&", "limit=%FF", "cursor=%E0%A4%A"),
);

const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);

const headerSets = fc.record(
  {
    "content-type": fc.oneof(
      fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "text/plain",
        "application/problem+json",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
      ),
      printable,
    ),
    "if-match": fc.oneof(
      fc.constantFrom('"v1"', '"v0"', "*", "v1", '"v99999999999999999999"', ""),
      printable,
    ),
    accept: fc.constantFrom("application/json", "*/*", "text/html"),
    "x-customer-id": fc.constantFrom(...ISOLATED.map((customer) => customer.customerId)),
    "x-fuzz": printable,
  },
  { requiredKeys: [] },
);

/** Nested objects 200 levels deep, as a parser that recurses without limit would fail on. */
const DEEP_JSON = `${'{"a":'.repeat(200)}1${"}".repeat(200)}`;

const bodies = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          rating: fc.anything(),
          granted: fc.anything(),
          action: fc.anything(),
          amount: fc.anything(),
          language: fc.anything(),
          quietHours: fc.anything(),
          thresholds: fc.anything(),
          platform: fc.anything(),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value) ?? "{}"),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"rating": 1e309}',
      '{"dailyMessageCap": 123456789012345678901234567890}',
      '{"rating": -0}',
      '{"thresholds": {"lowBalance": {"VND": 9007199254740993}, "largeTransaction": {}}}',
      '{"amount": "99999999999999999999999999", "currency": "VND"}',
      '{"__proto__": {"granted": true}, "textVersion": "1"}',
      '{"constructor": {"prototype": {"admin": true}}}',
      DEEP_JSON,
      `[${"[".repeat(3000)}${"]".repeat(3000)}]`,
    ),
  },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  },
  { weight: 1, arbitrary: fc.constantFrom(17_000, 1_100_000).map((size) => "x".repeat(size)) },
);

const BAD_AUTHORIZATION_KINDS = ["none", "expired", "other-key", "alg-none", "not-a-jwt", "basic"] as const;
type Authorization = "valid" | (typeof BAD_AUTHORIZATION_KINDS)[number];

const authorizations = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Authorization>("valid") },
  { weight: 1, arbitrary: fc.constantFrom<Authorization>(...BAD_AUTHORIZATION_KINDS) },
);

/**
 * Each fuzz request carries at least one defect that the API must reject before any route runs, so
 * every response must be 4xx and the table must stay as it was.
 */
type Defect = "authorization" | "query" | "body" | "path";

const fuzzRequests = fc.record({
  target: targets,
  query: queryStrings,
  headers: headerSets,
  body: bodies,
  authorization: authorizations,
  defect: fc.constantFrom<Defect>("authorization", "query", "body", "path"),
  badAuthorization: fc.constantFrom<Authorization>(...BAD_AUTHORIZATION_KINDS),
  unknownName: fc.stringMatching(/^[a-z0-9]{1,10}$/),
  unknownValue: fc.jsonValue({ maxDepth: 2 }),
});

type FuzzRequest = typeof fuzzRequests extends fc.Arbitrary<infer Value> ? Value : never;

async function authorizationHeader(kind: Authorization, customerId: string): Promise<string | undefined> {
  switch (kind) {
    case "valid":
      return `Bearer ${await tokenOf(customerId)}`;
    case "none":
      return undefined;
    case "expired":
      return `Bearer ${await signToken({ subject: customerId, expiresAt: Math.floor(Date.now() / 1000) - 1 })}`;
    case "other-key":
      return `Bearer ${await signToken({ subject: customerId, signingKeys: await otherKeys() })}`;
    case "alg-none":
      return `Bearer ${base64url({ alg: "none" })}.${base64url({ sub: customerId, iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE })}.`;
    case "not-a-jwt":
      return "Bearer a.b.c";
    case "basic":
      return `Basic ${Buffer.from(`${customerId}:password`).toString("base64")}`;
  }
}

/** Turns generated parts into a request that has its defect. */
async function rawRequestOf(fuzz: FuzzRequest, customerId: string): Promise<RawRequest> {
  let path = fuzz.target.path;
  let query = fuzz.query;
  let body = fuzz.body;
  let authorization = fuzz.authorization;
  switch (fuzz.defect) {
    case "authorization":
      authorization = fuzz.badAuthorization;
      break;
    case "query":
      // No route has a query parameter whose name starts with "zz".
      query = `${query}${query === "" ? "" : "&"}zz${fuzz.unknownName}=1`;
      break;
    case "body":
      // Every request body schema is strict, and routes without a body reject any body.
      body = JSON.stringify({
        ...(typeof fuzz.body === "string" && /^\{/.test(fuzz.body) ? safeObject(fuzz.body) : {}),
        [`zz${fuzz.unknownName}`]: fuzz.unknownValue,
      });
      break;
    case "path":
      // No path parameter allows "~", and no route path ends in one.
      path = `${path}~`;
      break;
  }
  const header = await authorizationHeader(authorization, customerId);
  return {
    method: fuzz.target.method,
    path: query === "" ? path : `${path}?${query}`,
    headers: {
      ...fuzz.headers,
      ...(header !== undefined && { authorization: header }),
    },
    ...(body !== undefined && { body: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8") }),
  };
}

function safeObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** True for a path that the local server serves outside the customer API, without a token. */
function isLocalOnly(path: string): boolean {
  let pathname: string;
  try {
    pathname = new URL(path, "http://localhost").pathname;
  } catch {
    return false;
  }
  return pathname === "/openapi.json" || pathname === "/local/events";
}

/** Values of the right JSON type, the wrong one, and at the edges of each. */
const oddValues = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(1e21, -1, 0, 2 ** 53, -(2 ** 53), 1.5, "", " ", "0", "false", "null"),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** Mostly valid values, so that most requests reach the route, and now and then an odd one. */
function validOrOdd<Value>(valid: fc.Arbitrary<Value>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: oddValues });
}

const TIME_ZONES = [
  "Asia/Ho_Chi_Minh",
  "Pacific/Kiritimati",
  "Etc/GMT+12",
  "America/St_Johns",
  "UTC",
  "Asia/Kathmandu",
];
/**
 * Currencies with 0, 2, 3 and 4 decimals, and codes that are not active ISO 4217 currencies. VND and
 * USD are listed twice, so that they come up more often.
 */
const CURRENCIES = ["VND", "USD", "JPY", "BHD", "CLF", "EUR", "VND", "USD", "XXX", "vnd"];
const localTimes = fc.stringMatching(/^([01]\d|2[0-3]):[0-5]\d$/);
const amountsByCurrency = fc.dictionary(
  fc.constantFrom(...CURRENCIES),
  fc.oneof(fc.nat(), fc.constantFrom(Number.MAX_SAFE_INTEGER, 0)),
  { maxKeys: 3 },
);

const preferenceFields = {
  language: validOrOdd(fc.constantFrom("vi", "en")),
  timeZone: validOrOdd(fc.constantFrom(...TIME_ZONES)),
  quietHours: validOrOdd(fc.oneof(fc.constant(null), fc.record({ start: localTimes, end: localTimes }))),
  dailyMessageCap: validOrOdd(fc.integer({ min: 0, max: 50 })),
  channels: validOrOdd(
    fc.dictionary(fc.constantFrom(...CHANNEL_KEYS), fc.subarray(["push", "email", "inbox"]), { maxKeys: 3 }),
  ),
  thresholds: validOrOdd(fc.record({ lowBalance: amountsByCurrency, largeTransaction: amountsByCurrency })),
  paymentReminderLeadDays: validOrOdd(fc.integer({ min: 0, max: 14 })),
  theme: validOrOdd(fc.constantFrom("light", "dark", "system")),
  homeLayout: validOrOdd(
    fc.subarray(["balance", "insights", "offers", "upcoming_bills", "shortcuts", "notifications"]),
  ),
};

interface ValueRequest {
  readonly operationId: string;
  readonly path: string;
  readonly body?: unknown;
}

/** Requests on each route whose fields mix valid values, edge values and values of the wrong type. */
function valueRequests(
  notificationIds: readonly string[],
  cursors: readonly string[],
): fc.Arbitrary<ValueRequest> {
  const deviceIds = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/), fc.constant("api-values-phone"));
  const purposes = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom("marketing", "personalized_insights", "location_based_services"),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z_]{1,20}$/) },
  );
  const request = (operationId: string, path: fc.Arbitrary<string>, body?: fc.Arbitrary<unknown>) =>
    fc.record({ operationId: fc.constant(operationId), path, ...(body && { body }) });
  return fc.oneof(
    request("getPreferences", fc.constant("/v1/me/preferences")),
    request("replacePreferences", fc.constant("/v1/me/preferences"), fc.record(preferenceFields)),
    request(
      "updatePreferences",
      fc.constant("/v1/me/preferences"),
      fc.record(preferenceFields, { requiredKeys: [] }),
    ),
    request(
      "registerDevice",
      deviceIds.map((id) => `/v1/me/devices/${encodeURIComponent(id)}`),
      fc.record({
        platform: validOrOdd(fc.constantFrom("ios", "android")),
        token: validOrOdd(fc.stringMatching(/^[A-Za-z0-9:_-]{32,80}$/)),
      }),
    ),
    request(
      "removeDevice",
      deviceIds.map((id) => `/v1/me/devices/${encodeURIComponent(id)}`),
    ),
    request("listConsents", fc.constant("/v1/me/consents")),
    request(
      "getConsent",
      purposes.map((purpose) => `/v1/me/consents/${purpose}`),
    ),
    request(
      "setConsent",
      purposes.map((purpose) => `/v1/me/consents/${purpose}`),
      fc.record({
        granted: validOrOdd(fc.boolean()),
        textVersion: validOrOdd(fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/)),
      }),
    ),
    request(
      "getInsights",
      fc.oneof(
        fc.constant("/v1/me/insights"),
        fc
          .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }))
          .map(
            ([year, month]) =>
              `/v1/me/insights?month=${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`,
          ),
      ),
    ),
    request("getHome", fc.constant("/v1/me/home")),
    request(
      "getContextTips",
      fc.constant("/v1/me/context"),
      fc.record(
        {
          amount: validOrOdd(fc.stringMatching(/^\d{1,25}(\.\d{1,6})?$/)),
          currency: validOrOdd(fc.constantFrom(...CURRENCIES)),
          merchantName: validOrOdd(fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 })),
          mcc: validOrOdd(fc.stringMatching(/^\d{4}$/)),
          country: validOrOdd(fc.constantFrom("VN", "TH", "US", "JP", "ZZ", "AQ")),
          channel: validOrOdd(fc.constantFrom("card", "qr", "transfer")),
        },
        { requiredKeys: ["amount", "currency"] },
      ),
    ),
    request("listOffers", fc.constant("/v1/me/offers")),
    request(
      "giveOfferFeedback",
      fc
        .oneof(fc.constant("instalment-offer"), fc.stringMatching(/^[a-z][a-z0-9-]{1,62}$/))
        .map((offerId) => `/v1/me/offers/${offerId}/feedback`),
      fc.record({
        action: validOrOdd(fc.constantFrom("clicked", "accepted", "dismissed", "not_interested")),
      }),
    ),
    request(
      "listNotifications",
      fc
        .record(
          {
            limit: fc.integer({ min: 1, max: 50 }),
            cursor: fc.oneof(
              fc.constantFrom(...cursors),
              fc.string({ maxLength: 40 }).map((key) => Buffer.from(`INBOX#${key}`).toString("base64url")),
            ),
          },
          { requiredKeys: [] },
        )
        .map(({ limit, cursor }) => {
          const query = new URLSearchParams();
          if (limit !== undefined) query.set("limit", String(limit));
          if (cursor !== undefined) query.set("cursor", cursor);
          return `/v1/me/notifications?${query}`;
        }),
    ),
    request(
      "markNotificationRead",
      fc
        .oneof(fc.constantFrom(...notificationIds), fc.stringMatching(/^\d{13}-[a-f0-9]{32}$/))
        .map((id) => `/v1/me/notifications/${id}/read`),
    ),
    request(
      "giveServiceFeedback",
      fc.constant("/v1/me/feedback"),
      fc.record(
        {
          rating: validOrOdd(fc.integer({ min: 1, max: 5 })),
          comment: validOrOdd(fc.string({ unit: "grapheme", maxLength: 200 })),
          channel: validOrOdd(fc.constantFrom("mobile", "web", "chat")),
        },
        { requiredKeys: ["rating"] },
      ),
    ),
  );
}

describe("local server", () => {
  it("rejects bodies over 1 MiB with 413", async () => {
    // Prepare
    const token = await tokenOf(CUSTOMERS.happy.customerId);

    // Act
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await sendRaw({
        method: "POST",
        path: "/v1/me/feedback",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: Buffer.alloc(1_100_000 + attempt * 100_000, "x"),
      });
      statuses.push(response.status);
    }
    const after = await send("GET", "/v1/me/consents", { as: CUSTOMERS.happy.customerId });

    // Assess
    expect(statuses).toEqual(statuses.map(() => 413));
    expect(after.status).toBe(200);
  });

  it.each(["//%", "//[", "//%zz/v1/me/home"])("rejects the unparsable path %s with 400", async (path) => {
    // Act
    const response = await sendRaw({ method: "GET", path, headers: {} });

    // Assess
    expect(response.status).toBe(400);
    expect(response.contentType).toBe("application/problem+json");
    expect(JSON.parse(response.text)).toMatchObject({
      status: 400,
      detail: "The request path is not valid",
    });
  });
});

describe("fuzzing", () => {
  it("rejects malformed requests without writing", async () => {
    // Prepare
    const customerId = CUSTOMERS.fuzz.customerId;
    const before = await scanTable();
    const statuses = new Map<number, number>();

    // Act and Assess
    await fc.assert(
      fc.asyncProperty(
        fuzzRequests.filter((fuzz) => !isLocalOnly(fuzz.target.path)),
        async (fuzz) => {
          const request = await rawRequestOf(fuzz, customerId);
          const response = await sendRaw(request);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          if (response.contentType !== undefined)
            expect(response.contentType).toBe("application/problem+json");
        },
      ),
      { numRuns: 400 },
    );
    const after = await scanTable();

    // Assess: nothing was written, and the requests reached the router, the token check and validation.
    expect(after).toEqual(before);
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 401, 404, 405]));
  });

  it("handles odd field values without 5xx", async () => {
    // Prepare
    const customerId = CUSTOMERS.values.customerId;
    const notificationIds = await notificationIdsOf(customerId);
    const firstPage = parseAs(
      "Notifications",
      await send("GET", "/v1/me/notifications?limit=1", { as: customerId }),
    );
    const requests = valueRequests(notificationIds, [firstPage.nextCursor ?? ""]);
    const statuses = new Map<number, number>();

    // Act and Assess
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const route = ROUTES.find(
          (candidate) => candidate.operationId === request.operationId,
        ) as RouteDefinition;
        const headers = route.ifMatch ? { "if-match": await etagOf(customerId) } : undefined;
        const response = await send(route.method, request.path, {
          as: customerId,
          ...(request.body !== undefined && { body: request.body }),
          ...(headers && { headers }),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, response.text).toBeLessThan(500);
        if (response.status < 300 && route.success.schema) {
          parseAs(route.success.schema as ResponseSchemaName, response);
        }
        if (response.status >= 400) {
          for (const field of fieldsOf(response)) expect(field).toMatch(/^(body|query|path|headers)(\.|$)/);
        }
      }),
      { numRuns: 200 },
    );

    // Assess: the run reached the routes, not only their validation.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 204, 400]));
  });
});

describe("settings take effect in the pipeline", () => {
  const customerId = CUSTOMERS.pipeline.customerId;

  it("suppresses offers without marketing consent", async () => {
    // Prepare
    const withdrawn = await send("PUT", "/v1/me/consents/marketing", {
      as: customerId,
      body: { granted: false, textVersion: "2026-05" },
    });

    // Act
    const [withoutConsent] = await ingest([laptop(customerId, "2026-11-10T15:00", 90_000_000)]);
    const offersWithout = parseAs("Offers", await send("GET", "/v1/me/offers", { as: customerId }));
    const granted = await send("PUT", "/v1/me/consents/marketing", {
      as: customerId,
      body: { granted: true, textVersion: "2026-05" },
    });
    const [withConsent] = await ingest([laptop(customerId, "2026-11-11T15:00", 65_000_000)]);
    const offersWith = parseAs("Offers", await send("GET", "/v1/me/offers", { as: customerId }));

    // Assess
    expect(withdrawn.status).toBe(200);
    expect(withoutConsent?.suppressed).toContainEqual({ ruleId: "instalment-offer", reason: "consent" });
    expect(withoutConsent?.messages?.map((message) => message.ruleId)).toEqual(["large-transaction"]);
    expect(offersWithout.offers).toEqual([]);
    expect(granted.status).toBe(200);
    expect(withConsent?.suppressed ?? []).not.toContainEqual({
      ruleId: "instalment-offer",
      reason: "consent",
    });
    expect(withConsent?.messages?.map((message) => [message.ruleId, message.kind])).toContainEqual([
      "instalment-offer",
      "offer",
    ]);
    expect(offersWith.offers.map((offer) => offer.offerId)).toEqual(["instalment-offer"]);
  });

  it("sends alerts to the chosen channels only", async () => {
    // Prepare
    const patched = await send("PATCH", "/v1/me/preferences", {
      as: customerId,
      headers: { "if-match": await etagOf(customerId) },
      body: { channels: { "large-transaction": ["inbox"] } },
    });
    const inboxBefore = await notificationIdsOf(customerId);

    // Act
    const purchase = laptop(customerId, "2026-11-12T15:00", 40_000_000);
    const [event] = await ingest([purchase]);

    // Assess
    expect(patched.status).toBe(200);
    const alert = event?.messages?.find((message) => message.ruleId === "large-transaction");
    expect(alert?.channels).toEqual(["inbox"]);
    expect(alert?.language).toBe("vi");
    // Vietnamese groups digits with dots and puts the symbol after a no-break space.
    expect(alert?.title).toContain("25.000.000\u00a0₫");
    const outbox = (await partitionItems(customerId)).filter(
      (item) =>
        String(item.SK).startsWith("OUT#") &&
        item.ruleId === "large-transaction" &&
        item.triggerKey === purchase.transactionId,
    );
    expect(outbox.map((item) => item.channel).filter((channel) => channel !== "event")).toEqual(["inbox"]);
    const inboxAfter = await notificationIdsOf(customerId);
    expect(inboxAfter).toHaveLength(inboxBefore.length + 1);
  });

  it("writes messages in the chosen language", async () => {
    // Prepare
    const patched = await send("PATCH", "/v1/me/preferences", {
      as: customerId,
      headers: { "if-match": await etagOf(customerId) },
      body: { language: "en" },
    });

    // Act
    const [event] = await ingest([laptop(customerId, "2026-11-13T15:00", 15_000_000)]);

    // Assess
    expect(patched.status).toBe(200);
    const alert = event?.messages?.find((message) => message.ruleId === "large-transaction");
    expect(alert?.language).toBe("en");
    // English groups digits with commas and puts the symbol first; no Vietnamese letter appears.
    expect(alert?.title).toContain("₫25,000,000");
    expect(alert?.title).toMatch(/^[\x20-\x7e₫]+$/);
    const { notifications } = parseAs(
      "Notifications",
      await send("GET", "/v1/me/notifications?limit=1", { as: customerId }),
    );
    expect(notifications[0]).toMatchObject({ ruleId: "large-transaction", title: alert?.title });
  });
});
