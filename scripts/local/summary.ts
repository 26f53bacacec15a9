import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { customerIdFromPartitionKey, SORT_KEYS } from "../../lambdas/adapters/dynamodb/keys";
import { profileFromItem } from "../../lambdas/adapters/dynamodb/ledger-items";
import type { ValidationReason } from "../../lambdas/contracts/validate-event";
import { formatMinorAsDecimal } from "../../lambdas/domain/money";
import { type CustomerProfile, newestMonth } from "../../lambdas/domain/profile";

/** Counts of one replay, written to the `--report` file; later stages fill in alerts, offers and messages. */
export interface ReplayReport {
  input: { format: string; description: string };
  eventsRead: number;
  eventsApplied: number;
  eventsDuplicate: number;
  eventsQuarantined: number;
  eventsDeadLettered: number;
  alerts: Record<string, number>;
  offers: Record<string, number>;
  messages: { byChannel: Record<string, number>; byLanguage: Record<string, number> };
  recurringPayees: {
    customers: number;
    total: number;
    byCategory: Record<string, number>;
    byCadence: Record<string, number>;
  };
  dynamodb: { requests: Record<string, number>; requestsPerEvent: number };
  elapsedSeconds: number;
  eventsPerSecond: number;
  quarantineSamples: Array<{ eventId: string; reasons: readonly ValidationReason[] }>;
}

export function emptyReport(format: string, description: string): ReplayReport {
  return {
    input: { format, description },
    eventsRead: 0,
    eventsApplied: 0,
    eventsDuplicate: 0,
    eventsQuarantined: 0,
    eventsDeadLettered: 0,
    alerts: {},
    offers: {},
    messages: { byChannel: {}, byLanguage: {} },
    recurringPayees: { customers: 0, total: 0, byCategory: {}, byCadence: {} },
    dynamodb: { requests: {}, requestsPerEvent: 0 },
    elapsedSeconds: 0,
    eventsPerSecond: 0,
    quarantineSamples: [],
  };
}

export function increment(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Reads every profile in the table; for local summaries only, since it scans the whole table. */
export async function scanProfiles(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<CustomerProfile[]> {
  const profiles: CustomerProfile[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: "SK = :profile",
        ExpressionAttributeValues: { ":profile": SORT_KEYS.profile },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) {
      const customerId = customerIdFromPartitionKey(String(item.PK));
      if (customerId) profiles.push(profileFromItem(customerId, item));
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return profiles.sort((a, b) => a.customerId.localeCompare(b.customerId));
}

export function summarizeRecurring(profiles: readonly CustomerProfile[]): ReplayReport["recurringPayees"] {
  const summary: ReplayReport["recurringPayees"] = { customers: 0, total: 0, byCategory: {}, byCadence: {} };
  for (const profile of profiles) {
    const recurring = Object.values(profile.payees).filter((payee) => payee.cadence);
    if (recurring.length > 0) summary.customers += 1;
    for (const payee of recurring) {
      summary.total += 1;
      increment(summary.byCategory, payee.category);
      increment(summary.byCadence, payee.cadence as string);
    }
  }
  return summary;
}

function money(minor: number, currency: string): string {
  const [whole = "", fraction] = formatMinorAsDecimal(minor, currency).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${currency} ${fraction ? `${grouped}.${fraction}` : grouped}`;
}

function sortedCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? "none" : entries.map(([key, count]) => `${key} ${count}`).join(", ");
}

/** Renders one profile for the console: balances, this month's top spending, recurring payees, travel. */
export function describeProfile(profile: CustomerProfile): string[] {
  const lines = [`  ${profile.customerId}  (${profile.transactionCount} transactions)`];
  for (const [accountId, account] of Object.entries(profile.accounts)) {
    lines.push(
      `    balance ${money(account.balanceMinor, account.currency)} on ${accountId} as of ${account.balanceAsOf}`,
    );
  }
  const month = newestMonth(profile);
  if (month) {
    for (const [currency, totals] of Object.entries(profile.months[month] ?? {})) {
      const top = Object.entries(totals.spending)
        .sort(([, a], [, b]) => b - a)
        .slice(0, 4)
        .map(([category, amount]) => `${category} ${money(amount, currency)}`);
      const income = Object.values(totals.income).reduce((sum, amount) => sum + amount, 0);
      lines.push(`    ${month}: spent ${top.join(", ") || "nothing"}; received ${money(income, currency)}`);
    }
  }
  const recurring = Object.values(profile.payees).filter((payee) => payee.cadence);
  for (const payee of recurring) {
    const verb = payee.direction === "debit" ? "pays" : "receives";
    lines.push(
      `    ${verb} ${payee.cadence} ${money(payee.lastAmountMinor, payee.currency)} (${payee.category}) ` +
        `${payee.direction === "debit" ? "to" : "from"} ${payee.name}, next expected ${payee.nextDate}`,
    );
  }
  const countries = Object.keys(profile.countries).sort();
  if (countries.length > 0) lines.push(`    countries seen: ${countries.join(", ")}`);
  if (profile.trip)
    lines.push(
      `    last trip: ${profile.trip.country} from ${profile.trip.startedOn} to ${profile.trip.lastSeenOn}`,
    );
  return lines;
}

/** Renders the replay summary for the console. */
export function describeReport(report: ReplayReport): string[] {
  const perSecond = report.eventsPerSecond.toFixed(0);
  return [
    `Replayed ${report.input.description}`,
    `  events read        ${report.eventsRead}`,
    `  applied            ${report.eventsApplied}`,
    `  duplicates         ${report.eventsDuplicate}`,
    `  quarantined        ${report.eventsQuarantined}`,
    `  dead-lettered      ${report.eventsDeadLettered}`,
    `  elapsed            ${report.elapsedSeconds.toFixed(1)} s (${perSecond} events/s)`,
    `  DynamoDB requests  ${report.dynamodb.requestsPerEvent.toFixed(2)} per event: ${sortedCounts(report.dynamodb.requests)}`,
    `  recurring payees   ${report.recurringPayees.total} at ${report.recurringPayees.customers} customers: ${sortedCounts(report.recurringPayees.byCategory)}`,
  ];
}
