import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { transactionPostedJsonSchema } from "../lambdas/contracts/transaction-posted";

/** Where producers find the contract; a test fails when this file differs from the zod schema. */
export const TRANSACTION_POSTED_SCHEMA_PATH = "events/schema/transaction-posted.v1.schema.json";

export function renderTransactionPostedSchema(): string {
  return `${JSON.stringify(transactionPostedJsonSchema(), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(dirname(TRANSACTION_POSTED_SCHEMA_PATH), { recursive: true });
  writeFileSync(TRANSACTION_POSTED_SCHEMA_PATH, renderTransactionPostedSchema());
  console.log(`Wrote ${TRANSACTION_POSTED_SCHEMA_PATH}`);
}
