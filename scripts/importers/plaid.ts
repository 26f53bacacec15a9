import { readFileSync } from "node:fs";
import { basename } from "node:path";
import * as z from "zod/mini";
import { TRANSACTION_POSTED_SCHEMA_VERSION } from "../../lambdas/contracts/transaction-posted";
import { formatMinorAsDecimal } from "../../lambdas/domain/money";
import { deterministicEventId, type SourceEvent, wrapTransactionPosted } from "./source-event";

/**
 * Importer for Plaid sandbox custom users (`{ "override_accounts": [...] }`). Plaid's sign convention
 * is the opposite of a bank statement's: a positive amount is money out, a negative one money in.
 * Amounts are JSON numbers with at most two decimals. They become decimal text through their shortest
 * round-trip representation, which is the decimal written in the file.
 */

const PlaidTransactionSchema = z.object({
  date_posted: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  date_transacted: z.optional(z.string()),
  amount: z.number(),
  description: z.string(),
  currency: z._default(z.string(), "USD"),
});

const PlaidFileSchema = z.object({
  override_accounts: z.array(
    z.object({
      type: z.string(),
      subtype: z.optional(z.string()),
      starting_balance: z.optional(z.number()),
      transactions: z._default(z.array(PlaidTransactionSchema), []),
    }),
  ),
});

type PlaidTransaction = z.infer<typeof PlaidTransactionSchema>;

/** Card-processor noise in descriptors, removed to find the merchant ("POS DEBIT - WAL-MART #0123" is Wal-Mart). */
const DESCRIPTOR_NOISE = [
  /\b(pos|pin|dbt|debit|credit|check|visa)\b( card)?( purchase| withdrawal| transaction)?\b/gi,
  /\bpurchase authorized on\b/gi,
  /\bcard (purchase|transaction)\b/gi,
  /\bwithdrawal debit card\b/gi,
  /\bcard#?\s*\S*/gi,
  /\b(xx+\d*|s\d{6,})\b/gi,
  /[#*]?\d[\d-]{2,}\S*/g,
  /\b(ca|tx|wa|ny|fl|tn|ma|il)\b\s*$/gi,
];

function merchantNameOf(description: string): string {
  let name = description;
  for (const pattern of DESCRIPTOR_NOISE) name = name.replace(pattern, " ");
  name = name
    .replace(/[-:,/]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return name.length >= 2 ? name.slice(0, 200) : description.trim().slice(0, 200);
}

function channelOf(description: string, moneyIn: boolean): string {
  const text = description.toLowerCase();
  if (/intrst|interest/.test(text)) return "interest";
  if (/paycheck|direct dep|payroll/.test(text)) return "transfer";
  if (/loan|mortgage|autopay|automatic payment|credit card .*payment|card \d+ payment/.test(text)) {
    return "bill_payment";
  }
  if (/money order|xfer|transfer/.test(text)) return "transfer";
  if (/withdrawalpayment/.test(text)) return "bill_payment";
  return moneyIn ? "transfer" : "card";
}

/** Exact cents of a Plaid amount: the decimal text of the JSON number, validated to two decimals. */
function centsOf(amount: number, where: string): number {
  const text = String(Math.abs(amount));
  if (!/^\d+(\.\d{1,2})?$/.test(text))
    throw new Error(`${where}: amount ${amount} has more than two decimals`);
  const [whole = "0", fraction = ""] = text.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/**
 * Reads one Plaid sandbox file into `TransactionPosted` events: one customer per file, one account per
 * depository or credit account. Balances run forward from `starting_balance` (0 when the file has none)
 * in date order, which is the only order the file gives.
 */
export function importPlaid(path: string, source?: string): SourceEvent[] {
  const parsed = PlaidFileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new Error(`${path} is not a Plaid sandbox user file (invalid ${fields})`);
  }
  const fileName = basename(path).replace(/\.json$/i, "");
  const customerId = `plaid-${fileName.replace(/[^A-Za-z0-9._-]/g, "-")}`;
  const events: SourceEvent[] = [];

  parsed.data.override_accounts.forEach((account, accountIndex) => {
    const accountId = `${customerId}-${accountIndex}-${(account.subtype ?? account.type).replace(/\s+/g, "-")}`;
    const indexed = account.transactions.map((transaction, index) => ({ transaction, index }));
    indexed.sort(
      (a, b) => a.transaction.date_posted.localeCompare(b.transaction.date_posted) || a.index - b.index,
    );
    let balanceCents = Math.round((account.starting_balance ?? 0) * 100);

    for (const { transaction, index } of indexed) {
      const where = `${path} account ${accountIndex} transaction ${index}`;
      const moneyIn = transaction.amount < 0;
      const cents = centsOf(transaction.amount, where);
      balanceCents += moneyIn ? cents : -cents;
      const channel = channelOf(transaction.description, moneyIn);
      const currency = transaction.currency;
      events.push(
        wrapTransactionPosted(
          detailOf(transaction, {
            customerId,
            accountId,
            channel,
            cents,
            balanceCents,
            moneyIn,
            currency,
            index,
          }),
          deterministicEventId(`plaid:${fileName}:${accountIndex}:${index}`),
          source,
        ),
      );
    }
  });
  return events;
}

function detailOf(
  transaction: PlaidTransaction,
  facts: {
    customerId: string;
    accountId: string;
    channel: string;
    cents: number;
    balanceCents: number;
    moneyIn: boolean;
    currency: string;
    index: number;
  },
): Record<string, unknown> {
  const description = transaction.description.trim();
  return {
    schemaVersion: TRANSACTION_POSTED_SCHEMA_VERSION,
    transactionId: `${facts.accountId}-${String(facts.index).padStart(4, "0")}`,
    customerId: facts.customerId,
    accountId: facts.accountId,
    bookingTime: `${transaction.date_posted}T12:00:00Z`,
    amount: formatMinorAsDecimal(facts.cents, facts.currency),
    currency: facts.currency,
    direction: facts.moneyIn ? "credit" : "debit",
    balanceAfter: formatMinorAsDecimal(facts.balanceCents, facts.currency),
    channel: facts.channel,
    description,
    ...(facts.channel === "card" && { merchant: { name: merchantNameOf(description) } }),
  };
}
