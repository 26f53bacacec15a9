import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { createDocumentClient } from "../../adapters/aws/clients";
import { DynamoDbDueIndex } from "../../adapters/dynamodb/due-index";
import { DynamoDbLedgerStore } from "../../adapters/dynamodb/ledger-store";
import { DaysSchema, parseEnvironment, TableNameSchema } from "../../config/environment";
import { defaultRuleSet } from "../../domain/rules/default-catalog";
import type { ReminderHandlerDependencies } from "./handler";

export const ReminderEnvironmentSchema = z.object({
  TABLE_NAME: TableNameSchema,
  TRANSACTION_RETENTION_DAYS: z._default(DaysSchema, 400),
});

/** Builds the reminder job's dependencies from its environment, for the Lambda entry point and the local runtime. */
export function createReminderDependencies(
  overrides: { readonly documentClient?: DynamoDBDocumentClient; readonly clock?: () => Date } = {},
  environment: Record<string, string | undefined> = process.env,
): ReminderHandlerDependencies {
  const settings = parseEnvironment(ReminderEnvironmentSchema, environment);
  const documentClient = overrides.documentClient ?? createDocumentClient();
  return {
    ledger: new DynamoDbLedgerStore(documentClient, {
      tableName: settings.TABLE_NAME,
      retentionDays: settings.TRANSACTION_RETENTION_DAYS,
    }),
    dueIndex: new DynamoDbDueIndex(documentClient, settings.TABLE_NAME),
    rules: defaultRuleSet(),
    maxAttempts: 8,
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
    clock: overrides.clock ?? (() => new Date()),
    logger: new Logger({ serviceName: "reminders" }),
    metrics: new Metrics({ namespace: "BankPersonalization", serviceName: "reminders" }),
  };
}
