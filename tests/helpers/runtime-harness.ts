import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { consentsToItem } from "../../lambdas/adapters/dynamodb/customer-items";
import { customerPartitionKey } from "../../lambdas/adapters/dynamodb/keys";
import type { ConsentPurpose } from "../../lambdas/domain/consents";
import type { DispatchOutcome } from "../../lambdas/use-cases/dispatch-message";
import type { IngestOutcome } from "../../lambdas/use-cases/ingest-transaction";
import type { ReminderResult } from "../../lambdas/use-cases/send-payment-reminders";
import { type SourceEvent, wrapTransactionPosted } from "../../scripts/importers/source-event";
import { LocalOutboxFolder } from "../../scripts/local/local-channels";
import { LocalRuntime } from "../../scripts/local/runtime";
import { type SeedCustomer, seedCustomers } from "../../scripts/local/seed";
import type { LocalTable } from "./local-table";

process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
// Tests replay fixed dates, so messages about "old" events must not be dropped.
process.env.MAX_EVENT_AGE_HOURS = "0";

export interface RuntimeHarness {
  readonly runtime: LocalRuntime;
  readonly ingested: IngestOutcome[];
  readonly dispatched: DispatchOutcome[];
  readonly reminders: ReminderResult[];
  /** Replays events through the ingest handler in booking order, with the daily reminder runs. */
  replay(sources: readonly SourceEvent[], timeline?: boolean): Promise<void>;
  seed(customers: readonly SeedCustomer[]): Promise<void>;
  setConsents(
    customerId: string,
    granted: Partial<Record<ConsentPurpose, boolean>>,
    version: number,
  ): Promise<void>;
  items(customerId: string, prefix: string): Promise<Record<string, unknown>[]>;
  /** Records written to a local channel file ("push.jsonl", "email.jsonl", "events.jsonl"). */
  channelFile(name: string): Record<string, unknown>[];
  close(): void;
}

export async function createRuntimeHarness(table: LocalTable): Promise<RuntimeHarness> {
  const folder = mkdtempSync(join(tmpdir(), "personalization-outbox-"));
  const outbox = new LocalOutboxFolder(folder);
  outbox.reset();
  const ingested: IngestOutcome[] = [];
  const dispatched: DispatchOutcome[] = [];
  const reminders: ReminderResult[] = [];
  const runtime = new LocalRuntime(table.endpoint, table.tableName, outbox, {
    onIngest: (outcome) => ingested.push(outcome),
    onDispatch: (outcome) => dispatched.push(outcome),
    onReminders: (result) => reminders.push(result),
  });
  await runtime.followStream();

  return {
    runtime,
    ingested,
    dispatched,
    reminders,
    replay: async (sources, timeline = true) => {
      await runtime.replay(sources, { lanes: 2, batchSize: 10, timeZones: ["Asia/Ho_Chi_Minh"], timeline });
    },
    seed: async (customers) => {
      await seedCustomers(
        runtime.documentClient,
        table.tableName,
        customers,
        new Date("2026-01-01T00:00:00Z"),
      );
    },
    setConsents: async (customerId, granted, version) => {
      const consents = Object.fromEntries(
        Object.entries(granted).map(([purpose, value]) => [
          purpose,
          { granted: value, at: "2026-11-20T00:00:00Z", textVersion: "2026-01" },
        ]),
      );
      await runtime.documentClient.send(
        new PutCommand({ TableName: table.tableName, Item: consentsToItem(customerId, consents, version) }),
      );
    },
    items: async (customerId, prefix) => {
      const page = await runtime.documentClient.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ExpressionAttributeValues: { ":pk": customerPartitionKey(customerId), ":prefix": prefix },
          ConsistentRead: true,
        }),
      );
      return page.Items ?? [];
    },
    channelFile: (name) => {
      const path = join(folder, name);
      if (!existsSync(path)) return [];
      return readFileSync(path, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    close: () => {
      runtime.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

let sequence = 0;

/** A VND card or transfer event for a test customer, booked at a local Vietnamese time. */
export function vndEvent(
  customerId: string,
  localTime: string,
  fields: { amount: number; balanceAfter: number; direction?: "debit" | "credit" } & Record<string, unknown>,
): SourceEvent {
  sequence += 1;
  const { amount, balanceAfter, direction = "debit", ...rest } = fields;
  const transactionId = `${customerId}-${localTime.replace(/\D/g, "")}-${sequence}`;
  return wrapTransactionPosted(
    {
      schemaVersion: "1.0",
      transactionId,
      customerId,
      accountId: `${customerId}-current`,
      bookingTime: `${localTime}:00+07:00`,
      amount: String(amount),
      currency: "VND",
      direction,
      balanceAfter: String(balanceAfter),
      channel: "card",
      merchant: { name: "WinMart", mcc: "5411", country: "VN" },
      ...rest,
    },
    `event-${transactionId}`,
  );
}
