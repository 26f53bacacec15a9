import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { createDocumentClient } from "../../adapters/aws/clients";
import { DynamoDbLedgerStore } from "../../adapters/dynamodb/ledger-store";
import { DynamoDbQuarantineStore } from "../../adapters/dynamodb/quarantine-store";
import { CountryCodeSchema, DaysSchema, parseEnvironment, TableNameSchema } from "../../config/environment";
import { DEFAULT_TIME_ZONE, isTimeZone } from "../../domain/preferences";
import { defaultRuleSet } from "../../domain/rules/default-catalog";
import { createRuleDecider } from "../../use-cases/decide-messages";
import type { IngestOutcome } from "../../use-cases/ingest-transaction";
import type { IngestHandlerDependencies } from "./handler";

export const IngestEnvironmentSchema = z.object({
  TABLE_NAME: TableNameSchema,
  /** Time zone whose calendar gives statement dates and months. */
  BANK_TIME_ZONE: z._default(
    z.string().check(z.refine(isTimeZone, { error: "must be an IANA time zone such as Asia/Ho_Chi_Minh" })),
    DEFAULT_TIME_ZONE,
  ),
  /** Country whose merchants count as domestic for travel detection. */
  HOME_COUNTRY: z._default(CountryCodeSchema, "VN"),
  TRANSACTION_RETENTION_DAYS: z._default(DaysSchema, 400),
  QUARANTINE_RETENTION_DAYS: z._default(DaysSchema, 400),
  /**
   * Hours after which a transaction is too old for non-critical messages ("0" turns the check off, as
   * replays of history do): a late event should not announce what the customer saw days ago.
   */
  MAX_EVENT_AGE_HOURS: z._default(
    z.coerce.number().check(z.int({ error: "must be a whole number of hours" }), z.nonnegative()),
    72,
  ),
});

export interface IngestDependencyOverrides {
  readonly documentClient?: DynamoDBDocumentClient;
  readonly onOutcome?: (outcome: IngestOutcome) => void;
}

/**
 * Builds the ingest function's dependencies from its environment. The Lambda entry point and the
 * local runtime both call this, so they run the same configuration; the local runtime only adds an
 * outcome listener and a client that counts requests.
 */
export function createIngestDependencies(
  overrides: IngestDependencyOverrides = {},
  environment: Record<string, string | undefined> = process.env,
): IngestHandlerDependencies {
  const settings = parseEnvironment(IngestEnvironmentSchema, environment);
  const documentClient = overrides.documentClient ?? createDocumentClient();

  return {
    ledger: new DynamoDbLedgerStore(documentClient, {
      tableName: settings.TABLE_NAME,
      retentionDays: settings.TRANSACTION_RETENTION_DAYS,
    }),
    quarantine: new DynamoDbQuarantineStore(documentClient, {
      tableName: settings.TABLE_NAME,
      retentionDays: settings.QUARANTINE_RETENTION_DAYS,
    }),
    bankTimeZone: settings.BANK_TIME_ZONE,
    decideMessages: createRuleDecider({
      rules: defaultRuleSet(),
      homeCountry: settings.HOME_COUNTRY,
      maxEventAgeMs: settings.MAX_EVENT_AGE_HOURS * 3_600_000,
    }),
    homeCountry: settings.HOME_COUNTRY,
    clock: () => new Date(),
    maxAttempts: 8,
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
    logger: new Logger({ serviceName: "ingest" }),
    metrics: new Metrics({ namespace: "BankPersonalization", serviceName: "ingest" }),
    ...(overrides.onOutcome && { onOutcome: overrides.onOutcome }),
  };
}
