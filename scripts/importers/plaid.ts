import { readFileSync } from "node:fs";
import { basename } from "node:path";
import * as z from "zod/mini";
import { TRANSACTION_POSTED_SCHEMA_VERSION } from "../../lambdas/contracts/transaction-posted";
import { formatMinorAsDecimal, parseDecimalToMinor } from "../../lambdas/domain/money";
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

/** Exact minor units of a Plaid amount: the decimal text of the JSON number, in the currency's exponent. */
function minorOf(amount: number, currency: string, where: string): number {
  const parsed = parseDecimalToMinor(String(amount), currency);
  if (!parsed.ok) {
    throw new Error(`${where}: amount ${amount} is not a valid ${currency} amount (${parsed.problem.kind})`);
  }
  return parsed.minor;
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
    const accountCurrency = account.transactions[0]?.currency ?? "USD";
    let balanceMinor = minorOf(
      account.starting_balance ?? 0,
      accountCurrency,
      `${path} account ${accountIndex}`,
    );

    for (const { transaction, index } of indexed) {
      const where = `${path} account ${accountIndex} transaction ${index}`;
      const moneyIn = transaction.amount < 0;
      const currency = transaction.currency;
      if (currency !== accountCurrency) {
        throw new Error(`${where}: currency ${currency} differs from the account's ${accountCurrency}`);
      }
      const cents = Math.abs(minorOf(transaction.amount, currency, where));
      balanceMinor += moneyIn ? cents : -cents;
      const channel = channelOf(transaction.description, moneyIn);
      events.push(
        wrapTransactionPosted(
          detailOf(transaction, {
            customerId,
            accountId,
            channel,
            cents,
            balanceCents: balanceMinor,
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
