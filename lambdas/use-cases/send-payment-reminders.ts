import { addDays, daysBetween } from "../domain/calendar";
import type { Decision, Suppression } from "../domain/decide";
import { ConcurrentUpdateError } from "../domain/errors";
import type { OutboxMessage } from "../domain/outbox";
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
}

/** Days back a run also looks, so a day on which the job did not run is caught up the next day. */
export const REMINDER_CATCH_UP_DAYS = 2;

/**
 * Sends the payment reminders due on a local date in one time zone. Each customer's reminders are
 * decided on a fresh read of the profile and written atomically with the profile's notification
 * state, which records them; a second run for the same day therefore sends nothing again. An entry
 * whose payment has moved (paid early, or no longer recurring) is skipped.
 */
export async function sendPaymentReminders(
  run: ReminderRun,
  deps: ReminderDependencies,
): Promise<ReminderResult> {
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

  let entriesChecked = 0;
  const decisions: Decision[] = [];
  const suppressions: Suppression[] = [];
  const messages: OutboxMessage[] = [];
  for (const [customerId, payeeKeys] of byCustomer) {
    const entries = await deps.dueIndex.entries(customerId, [...payeeKeys]);
    entriesChecked += entries.length;

    for (let attempt = 1; ; attempt += 1) {
      const state = await deps.ledger.loadCustomer(customerId);
      let profile = state.profile;
      const decided: { decisions: Decision[]; suppressions: Suppression[]; messages: OutboxMessage[] } = {
        decisions: [],
        suppressions: [],
        messages: [],
      };
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
      if (decided.messages.length === 0) {
        suppressions.push(...decided.suppressions);
        break;
      }

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
      if (result.status === "applied") {
        decisions.push(...decided.decisions);
        suppressions.push(...decided.suppressions);
        messages.push(...decided.messages);
        break;
      }
      if (attempt >= deps.maxAttempts) throw new ConcurrentUpdateError(customerId, attempt);
      await deps.sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
    }
  }
  return { entriesChecked, decisions, suppressions, messages };
}
