import { addDays, daysBetween } from "../domain/calendar";
import type { Decision, Suppression } from "../domain/decide";
import { ConcurrentUpdateError } from "../domain/errors";
import type { OutboxMessage } from "../domain/outbox";
import type { CustomerProfile } from "../domain/profile";
import type { DueEntry } from "../domain/reminders";
import type { RuleSet } from "../domain/rules/default-catalog";
import type { DueIndex, DueReference } from "../ports/due-index";
import type { LedgerStore } from "../ports/ledger-store";
import { decidePaymentDue } from "./decide-messages";

export interface ReminderDependencies {
  readonly ledger: LedgerStore;
  readonly dueIndex: DueIndex;
  readonly rules: RuleSet;
  readonly maxAttempts: number;
  readonly sleep: (milliseconds: number) => Promise<void>;
  /** Processing time, for retention of the written messages. */
  readonly clock: () => Date;
  /** Called for each customer whose reminders failed, after which the run goes on with the others. */
  readonly onCustomerFailed?: (customerId: string, error: unknown) => void;
}

export interface ReminderRun {
  readonly timeZone: string;
  /** The customers' local date the run is for, "YYYY-MM-DD". */
  readonly localDate: string;
  /** The decision clock, epoch milliseconds. */
  readonly now: number;
  /** Earlier days to include, for runs that were missed; defaults to {@link REMINDER_CATCH_UP_DAYS}. */
  readonly catchUpDays?: number;
}

export interface ReminderResult {
  readonly entriesChecked: number;
  readonly decisions: readonly Decision[];
  readonly suppressions: readonly Suppression[];
  readonly messages: readonly OutboxMessage[];
  /** Number of customers whose reminders failed, which a later run retries within its catch-up days. */
  readonly failedCustomers: number;
  /** Number of customers skipped because their profile contains decisions far past the run's clock. */
  readonly customersAlreadyProcessed: number;
}

/** Days back a run also looks, so a day on which the job did not run is caught up the next day. */
export const REMINDER_CATCH_UP_DAYS = 2;

const MS_PER_HOUR = 3_600_000;

/** One customer's decided reminders, their suppressions, and the outbox messages to write. */
interface CustomerReminders {
  decisions: Decision[];
  suppressions: Suppression[];
  messages: OutboxMessage[];
}

/**
 * Returns the newest decision clock the profile records: the booking time of the newest balance of any
 * account, or the newest message it decided, epoch milliseconds.
 */
function newestRecordedClock(profile: CustomerProfile): number {
  const times = [
    ...Object.values(profile.accounts).map((account) => Date.parse(account.balanceAsOf)),
    ...Object.values(profile.notifications?.lastFired ?? {}).map((at) => Date.parse(at)),
  ].filter((time) => !Number.isNaN(time));
  return Math.max(Number.NEGATIVE_INFINITY, ...times);
}

/** Groups the due references of the run's date and its catch-up days by customer. */
async function duePayeesByCustomer(
  run: ReminderRun,
  deps: ReminderDependencies,
): Promise<Map<string, Set<string>>> {
  const byCustomer = new Map<string, Set<string>>();
  for (let daysBack = run.catchUpDays ?? REMINDER_CATCH_UP_DAYS; daysBack >= 0; daysBack -= 1) {
    const references: DueReference[] = await deps.dueIndex.listReminders(
      addDays(run.localDate, -daysBack),
      run.timeZone,
    );
    for (const { customerId, payeeKey } of references) {
      const payees = byCustomer.get(customerId) ?? new Set<string>();
      payees.add(payeeKey);
      byCustomer.set(customerId, payees);
    }
  }
  return byCustomer;
}

/**
 * Decides one customer's reminders and writes them with the profile's notification state, reading
 * again after a write conflict. Returns undefined when the customer's history past the run's clock
 * was processed already (see below).
 */
async function remindCustomer(
  customerId: string,
  entries: readonly DueEntry[],
  run: ReminderRun,
  deps: ReminderDependencies,
): Promise<CustomerReminders | undefined> {
  const longestCooldownMs =
    Math.max(0, ...deps.rules.catalog.rules.map((rule) => rule.cooldownHours)) * MS_PER_HOUR;

  for (let attempt = 1; ; attempt += 1) {
    const state = await deps.ledger.loadCustomer(customerId);
    // decide() drops cooldown entries older than the longest cooldown, measured from each decision's
    // clock. Once the profile contains a decision that much later than this run, it can no longer tell
    // whether this run's reminders were sent, and deciding them again would write outbox items that
    // may exist. Only a second replay of the same history meets this: in AWS the run's clock is the
    // real time, and no booking lies more than a day ahead of it.
    if (newestRecordedClock(state.profile) - run.now >= longestCooldownMs) return undefined;

    let profile = state.profile;
    const decided: CustomerReminders = { decisions: [], suppressions: [], messages: [] };
    for (const entry of entries) {
      const payee = profile.payees[entry.payeeKey];
      if (!payee || payee.nextDate !== entry.dueDate) continue;
      const output = decidePaymentDue(deps.rules, {
        customerId,
        payment: entry,
        daysUntilDue: daysBetween(run.localDate, entry.dueDate),
        profile,
        context: state.context,
        now: run.now,
      });
      decided.decisions.push(...output.decisions);
      decided.suppressions.push(...output.suppressions);
      decided.messages.push(...output.messages);
      if (output.notifications) profile = { ...profile, notifications: output.notifications };
    }
    if (decided.messages.length === 0) return decided;

    const result = await deps.ledger.commit({
      customerId,
      transactions: [],
      profile: { ...profile, version: state.profile.version },
      monthAdditions: {},
      dueChanges: { put: [], remove: [] },
      offers: [],
      outbox: decided.messages,
      appliedAt: deps.clock(),
    });
    if (result.status === "applied") return decided;
    if (attempt >= deps.maxAttempts) throw new ConcurrentUpdateError(customerId, attempt);
    await deps.sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
  }
}

/**
 * Sends the payment reminders due on a local date in one time zone. Each customer's reminders are
 * decided on a fresh read of the profile and written atomically with the profile's notification
 * state, which records them; a second run for the same day therefore sends nothing again. An entry
 * whose payment has moved (paid early, or no longer recurring) is skipped. A customer whose
 * reminders fail is reported through `onCustomerFailed` and counted, and the run goes on with the
 * other customers. A later run tries again while the reminder date is within its catch-up days.
 */
export async function sendPaymentReminders(
  run: ReminderRun,
  deps: ReminderDependencies,
): Promise<ReminderResult> {
  const byCustomer = await duePayeesByCustomer(run, deps);

  let entriesChecked = 0;
  let failedCustomers = 0;
  let customersAlreadyProcessed = 0;
  const decisions: Decision[] = [];
  const suppressions: Suppression[] = [];
  const messages: OutboxMessage[] = [];
  for (const [customerId, payeeKeys] of byCustomer) {
    try {
      const entries = await deps.dueIndex.entries(customerId, [...payeeKeys]);
      entriesChecked += entries.length;
      const reminded = await remindCustomer(customerId, entries, run, deps);
      if (!reminded) {
        customersAlreadyProcessed += 1;
        continue;
      }
      decisions.push(...reminded.decisions);
      suppressions.push(...reminded.suppressions);
      messages.push(...reminded.messages);
    } catch (error) {
      failedCustomers += 1;
      deps.onCustomerFailed?.(customerId, error);
    }
  }
  return { entriesChecked, decisions, suppressions, messages, failedCustomers, customersAlreadyProcessed };
}
