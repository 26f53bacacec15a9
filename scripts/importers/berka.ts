import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { TRANSACTION_POSTED_SCHEMA_VERSION } from "../../lambdas/contracts/transaction-posted";
import { deterministicEventId, type SourceEvent, wrapTransactionPosted } from "./source-event";

/**
 * Importer for the PKDD'99 "Berka" data set of a Czech bank: `trans*.csv` with
 * `trans_id;account_id;date(YYMMDD);type;operation;amount;balance;k_symbol;bank;account`, and
 * optionally `disp.csv` to attribute each account to its owning client.
 *
 * Amounts are positive, and `type` gives the direction ("credit", "withdrawal", "withdrawal in cash").
 * The currency is CZK and `balance` is the balance after the transaction. `k_symbol` may be empty or
 * one space, and the rows of a day have no order.
 */

interface BerkaRow {
  readonly trans_id: string;
  readonly account_id: string;
  readonly date: string;
  readonly type: string;
  readonly operation: string;
  readonly amount: string;
  readonly balance: string;
  readonly k_symbol: string;
  readonly bank: string;
  readonly account: string;
}

/** Berka `k_symbol` values (English translations of the Czech codes) mapped to ISO 20022 purpose codes. */
const PURPOSE_BY_K_SYMBOL: Readonly<Record<string, string>> = {
  household: "UBIL",
  "insurrance payment": "INSU",
  "loan payment": "LOAR",
  "old-age pension": "PENS",
  "interest credited": "INTE",
  "sanction interest if negative balance": "INTE",
  "payment for statement": "FEES",
  leasing: "LOAR",
};

const PRAGUE_OFFSET = new Intl.DateTimeFormat("en-US", {
  timeZone: "Europe/Prague",
  timeZoneName: "longOffset",
});

/** "+01:00" or "+02:00": the offset of Czech local time at noon on the date, daylight saving included. */
function pragueOffset(isoDate: string): string {
  const noonUtc = new Date(`${isoDate}T11:00:00Z`);
  const name =
    PRAGUE_OFFSET.formatToParts(noonUtc).find((part) => part.type === "timeZoneName")?.value ?? "GMT+01:00";
  const offset = name.replace("GMT", "");
  return offset === "" ? "+00:00" : offset;
}

/** "960728" becomes "1996-07-28"; every Berka date is between 1993 and 1998. */
function berkaDate(yymmdd: string): string {
  return `19${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

function signedCents(row: BerkaRow): number {
  const cents = Math.round(Number(row.amount) * 100);
  return row.type === "credit" ? cents : -cents;
}

function balanceCents(row: BerkaRow): number {
  return Math.round(Number(row.balance) * 100);
}

/**
 * Orders one account-day's rows so that each balance follows from the previous one
 * (previous balance + signed amount = balance). Rows that fit no chain keep their id order at the end,
 * which is why about 8% of the data set's rows cannot be chained.
 */
function orderDayByBalanceChain(rows: BerkaRow[], openingCents: number | undefined): BerkaRow[] {
  const remaining = [...rows].sort((a, b) => Number(a.trans_id) - Number(b.trans_id));
  if (remaining.length < 2) return remaining;
  const ordered: BerkaRow[] = [];
  let running = openingCents;
  while (remaining.length > 0) {
    const nextIndex =
      running === undefined
        ? -1
        : remaining.findIndex((row) => balanceCents(row) - signedCents(row) === running);
    if (nextIndex === -1) {
      // No row continues the chain: start a new chain at the row no other row leads to, if any.
      const starts = remaining.filter(
        (row) =>
          !remaining.some(
            (other) => other !== row && balanceCents(other) === balanceCents(row) - signedCents(row),
          ),
      );
      const start = starts[0] ?? (remaining[0] as BerkaRow);
      remaining.splice(remaining.indexOf(start), 1);
      ordered.push(start);
      running = balanceCents(start);
    } else {
      const [next] = remaining.splice(nextIndex, 1) as [BerkaRow];
      ordered.push(next);
      running = balanceCents(next);
    }
  }
  return ordered;
}

function channelOf(row: BerkaRow, kSymbol: string): string {
  if (kSymbol === "interest credited" || kSymbol === "sanction interest if negative balance")
    return "interest";
  if (kSymbol === "payment for statement") return "fee";
  switch (row.operation) {
    case "credit card withdrawal":
      return "card";
    case "credit in cash":
    case "withdrawal in cash":
      return "cash";
    case "remittance to another bank":
      // Household, insurance and loan remittances are the standing orders listed in order.csv.
      return kSymbol === "" ? "transfer" : "standing_order";
    case "collection from another bank":
      return "transfer";
    default:
      return "other";
  }
}

function readCsv<Row>(path: string): Row[] {
  return parse(readFileSync(path), {
    delimiter: ";",
    columns: true,
    skip_empty_lines: true,
    trim: false,
  }) as Row[];
}

/** Maps account id to the client who owns it (disposition type OWNER). */
function readOwners(folder: string): Map<string, string> {
  const path = join(folder, "disp.csv");
  const owners = new Map<string, string>();
  if (!existsSync(path)) return owners;
  for (const row of readCsv<{ client_id: string; account_id: string; type: string }>(path)) {
    if (row.type === "OWNER") owners.set(row.account_id, row.client_id);
  }
  return owners;
}

export function findBerkaTransactionsFile(folder: string): string | undefined {
  for (const name of ["trans_test.csv", "trans.csv", "trans_train.csv"]) {
    if (existsSync(join(folder, name))) return join(folder, name);
  }
  return undefined;
}

/**
 * Reads a Berka folder into `TransactionPosted` events. Each account's rows are sorted by date and,
 * within a day, by their balance chain. Booking times are spaced one second apart from 12:00 Czech
 * time in that order, so the balance the profile keeps for a day is the day's last.
 */
export function importBerka(folder: string, source?: string): SourceEvent[] {
  const transactionsFile = findBerkaTransactionsFile(folder);
  if (!transactionsFile) throw new Error(`No trans_test.csv, trans.csv or trans_train.csv in ${folder}`);
  const owners = readOwners(folder);
  const rows = readCsv<BerkaRow>(transactionsFile);

  const byAccount = new Map<string, BerkaRow[]>();
  for (const row of rows) {
    const list = byAccount.get(row.account_id);
    if (list) list.push(row);
    else byAccount.set(row.account_id, [row]);
  }

  const events: SourceEvent[] = [];
  for (const [accountId, accountRows] of byAccount) {
    const byDate = new Map<string, BerkaRow[]>();
    for (const row of accountRows) {
      const list = byDate.get(row.date);
      if (list) list.push(row);
      else byDate.set(row.date, [row]);
    }
    const owner = owners.get(accountId);
    const customerId = owner ? `berka-client-${owner}` : `berka-account-${accountId}`;
    let closingCents: number | undefined;

    for (const date of [...byDate.keys()].sort()) {
      const isoDate = berkaDate(date);
      const offset = pragueOffset(isoDate);
      const dayRows = orderDayByBalanceChain(byDate.get(date) as BerkaRow[], closingCents);
      dayRows.forEach((row, position) => {
        const kSymbol = row.k_symbol.trim();
        const seconds = String(position % 60).padStart(2, "0");
        const minutes = String(Math.floor(position / 60)).padStart(2, "0");
        const purposeCode = PURPOSE_BY_K_SYMBOL[kSymbol];
        const detail: Record<string, unknown> = {
          schemaVersion: TRANSACTION_POSTED_SCHEMA_VERSION,
          transactionId: `berka-${row.trans_id}`,
          customerId,
          accountId: `berka-${accountId}`,
          bookingTime: `${isoDate}T12:${minutes}:${seconds}${offset}`,
          amount: row.amount,
          currency: "CZK",
          direction: row.type === "credit" ? "credit" : "debit",
          balanceAfter: row.balance,
          channel: channelOf(row, kSymbol),
          description:
            kSymbol === ""
              ? row.operation || "transaction"
              : `${row.operation ? `${row.operation}; ` : ""}${kSymbol}`,
          ...(purposeCode && { purposeCode }),
          ...(row.bank.trim() &&
            row.account.trim() && {
              counterparty: { bankCode: row.bank.trim(), accountNumber: row.account.trim() },
            }),
        };
        events.push(wrapTransactionPosted(detail, deterministicEventId(`berka:${row.trans_id}`), source));
      });
      const last = dayRows.at(-1);
      if (last) closingCents = balanceCents(last);
    }
  }
  return events;
}
