import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { createDocumentClient } from "../../adapters/aws/clients";
import { DynamoDbCustomerDataStore } from "../../adapters/dynamodb/customer-data-store";
import type { ApiHandlerDependencies } from "../../api/http";
import type { ApiFunction } from "../../api/routes";
import { CountryCodeSchema, parseEnvironment, TableNameSchema } from "../../config/environment";
import { isCurrencyCode } from "../../domain/money";
import type { CustomerDataStore } from "../../ports/customer-data";
import type { InsightsSettings } from "../../use-cases/api/insights";

export const ApiEnvironmentSchema = z.object({
  TABLE_NAME: TableNameSchema,
  /** The verified token claim that holds the customer id. */
  CUSTOMER_ID_CLAIM: z._default(
    z.string().check(z.regex(/^[\w:.-]{1,64}$/, { error: "must be a claim name such as sub or username" })),
    "sub",
  ),
});

export const InsightsEnvironmentSchema = z.object({
  /** Country whose merchants are domestic; a payment elsewhere gets the foreign fee tip. */
  HOME_COUNTRY: z._default(CountryCodeSchema, "VN"),
  /** Currency of the figures of a customer who has no transactions yet. */
  HOME_CURRENCY: z._default(
    z.string().check(z.refine(isCurrencyCode, { error: "must be an ISO 4217 code such as VND" })),
    "VND",
  ),
  /** The bank's fee on card payments abroad, in percent of the amount. */
  FOREIGN_FEE_PERCENT: z._default(
    z.coerce.number().check(z.minimum(0), z.maximum(100, { error: "must be a percent from 0 to 100" })),
    2.5,
  ),
  /** Where the exchange rate of a payment abroad comes from, as the tips name it in each language. */
  EXCHANGE_RATE_SOURCE_VI: z._default(
    z.string().check(z.minLength(1)),
    "tỷ giá bán ngoại tệ của ngân hàng tại thời điểm quyết toán",
  ),
  EXCHANGE_RATE_SOURCE_EN: z._default(
    z.string().check(z.minLength(1)),
    "the bank's selling rate at the time the payment settles",
  ),
});

/** The settings of the insights routes, from the environment. */
export function insightsSettingsFrom(
  environment: Record<string, string | undefined> = process.env,
): InsightsSettings {
  const settings = parseEnvironment(InsightsEnvironmentSchema, environment);
  return {
    homeCountry: settings.HOME_COUNTRY,
    homeCurrency: settings.HOME_CURRENCY,
    foreignFees: {
      feePercent: settings.FOREIGN_FEE_PERCENT,
      exchangeRateSource: { vi: settings.EXCHANGE_RATE_SOURCE_VI, en: settings.EXCHANGE_RATE_SOURCE_EN },
    },
  };
}

export interface ApiDependencyOverrides {
  readonly documentClient?: DynamoDBDocumentClient;
  readonly clock?: () => Date;
}

export interface ApiDependencies extends ApiHandlerDependencies {
  readonly store: CustomerDataStore;
}

/**
 * Builds what every API function needs from its environment: the customer data store, a logger and
 * metrics named after the function, and the clock. The Lambda entry points and the local server both
 * call this.
 */
export function createApiDependencies(
  functionName: ApiFunction,
  overrides: ApiDependencyOverrides = {},
  environment: Record<string, string | undefined> = process.env,
): ApiDependencies {
  const settings = parseEnvironment(ApiEnvironmentSchema, environment);
  const serviceName = `api-${functionName}`;
  return {
    store: new DynamoDbCustomerDataStore(
      overrides.documentClient ?? createDocumentClient(),
      settings.TABLE_NAME,
    ),
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: "BankPersonalization", serviceName }),
    clock: overrides.clock ?? (() => new Date()),
    customerIdClaim: settings.CUSTOMER_ID_CLAIM,
  };
}
