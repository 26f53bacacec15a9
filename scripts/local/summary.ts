import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { customerIdFromPartitionKey, SORT_KEYS } from "../../lambdas/adapters/dynamodb/keys";
import { profileFromItem } from "../../lambdas/adapters/dynamodb/ledger-items";
import type { ValidationReason } from "../../lambdas/contracts/validate-event";
import { formatMinorAsDecimal } from "../../lambdas/domain/money";
import { DEFAULT_TIME_ZONE } from "../../lambdas/domain/preferences";
import { type CustomerProfile, newestMonth } from "../../lambdas/domain/profile";
import { toLocalTime } from "../../lambdas/domain/zoned-time";

/** A message as the customer reads it, for the summary. */
export interface MessageSample {
  readonly customerId: string;
  readonly ruleId: string;
  readonly language: string;
  readonly channels: readonly string[];
  readonly title: string;
  readonly body: string;
  readonly deferredUntil?: string;
}

/** Counts of one replay, written to the `--report` file. */
export interface ReplayReport {
  input: { format: string; description: string };
  eventsRead: number;
  eventsApplied: number;
  eventsDuplicate: number;
  eventsQuarantined: number;
  eventsDeadLettered: number;
  /** Alerts decided, by rule id. */
  alerts: Record<string, number>;
  /** Offers decided, by rule id. */
  offers: Record<string, number>;
  /** Matched rules that sent nothing, by reason (consent, cooldown, daily-cap, channels-off, stale). */
  suppressed: Record<string, number>;
  /** Messages decided for customers (one per channel), by channel and by language. */
  messages: {
    byChannel: Record<string, number>;
    byLanguage: Record<string, number>;
    deferredForQuietHours: number;
  };
  /** What dispatch did with the messages and the derived events, by channel. */
  deliveries: {
    delivered: Record<string, number>;
    failed: Record<string, number>;
    failureReasons: Record<string, number>;
    /** Messages still waiting at the end: for quiet hours to end, or for a retry. */
    waiting: number;
  };
  reminders: { runs: number; entriesChecked: number; sent: number };
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
  messageSamples: MessageSample[];
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
    suppressed: {},
    messages: { byChannel: {}, byLanguage: {}, deferredForQuietHours: 0 },
    deliveries: { delivered: {}, failed: {}, failureReasons: {}, waiting: 0 },
    reminders: { runs: 0, entriesChecked: 0, sent: 0 },
    recurringPayees: { customers: 0, total: 0, byCategory: {}, byCadence: {} },
    dynamodb: { requests: {}, requestsPerEvent: 0 },
    elapsedSeconds: 0,
    eventsPerSecond: 0,
    quarantineSamples: [],
    messageSamples: [],
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
  const { deliveries, messages } = report;
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
    `  alerts             ${sortedCounts(report.alerts)}`,
    `  offers             ${sortedCounts(report.offers)}`,
    `  not sent           ${sortedCounts(report.suppressed)}`,
    `  reminder runs      ${report.reminders.runs}, ${counted(report.reminders.entriesChecked, "due payment")} checked, ${counted(report.reminders.sent, "reminder")}`,
    `  messages           ${sortedCounts(messages.byChannel)}; by language ${sortedCounts(messages.byLanguage)}; ${messages.deferredForQuietHours} deferred by quiet hours`,
    `  delivered          ${sortedCounts(deliveries.delivered)}`,
    `  failed             ${sortedCounts(deliveries.failed)}${Object.keys(deliveries.failureReasons).length > 0 ? ` (${sortedCounts(deliveries.failureReasons)})` : ""}`,
    `  still waiting      ${deliveries.waiting}`,
  ];
}

/** Renders an instant as local time in Vietnam, where the demo's customers live. */
function localTimeText(iso: string): string {
  const local = toLocalTime(Date.parse(iso), DEFAULT_TIME_ZONE);
  return `${local.date} ${local.time} ${DEFAULT_TIME_ZONE}`;
}

/** Renders sample messages as the customer reads them. */
export function describeSamples(samples: readonly MessageSample[]): string[] {
  const lines: string[] = [];
  for (const sample of samples) {
    const waiting = sample.deferredUntil
      ? `, held for quiet hours until ${localTimeText(sample.deferredUntil)}`
      : "";
    lines.push(
      `  [${sample.language}] ${sample.ruleId} to ${sample.customerId} by ${sample.channels.join(", ")}${waiting}`,
    );
    lines.push(`    ${sample.title}`);
    lines.push(`    ${sample.body}`);
  }
  return lines;
}

/** "1 reminder", "2 reminders": a count with its noun, for nouns that take an "s" in the plural. */
function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
