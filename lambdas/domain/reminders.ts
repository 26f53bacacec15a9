import { addDays } from "./calendar";
import type { Category } from "./categories";
import type { Preferences } from "./preferences";
import type { CustomerProfile } from "./profile";

/**
 * A recurring payment the customer is expected to make, indexed by the local date on which its
 * reminder is due, so the daily reminder job finds it with one query per date.
 */
export interface DueEntry {
  readonly payeeKey: string;
  readonly name: string;
  readonly category: Category;
  readonly currency: string;
  readonly amountMinor: number;
  /** Expected date of the payment, "YYYY-MM-DD". */
  readonly dueDate: string;
  /** Local date of the reminder: `dueDate` minus the customer's lead time. */
  readonly remindOn: string;
  readonly timeZone: string;
}

export interface DueChanges {
  readonly put: readonly DueEntry[];
  /** Payee keys whose entries must go: no longer recurring, no longer debits, or forgotten. */
  readonly remove: readonly string[];
}

function dueEntriesOf(profile: CustomerProfile, preferences: Preferences): Map<string, DueEntry> {
  const entries = new Map<string, DueEntry>();
  for (const [payeeKey, payee] of Object.entries(profile.payees)) {
    if (payee.direction !== "debit" || !payee.cadence || !payee.nextDate) continue;
    entries.set(payeeKey, {
      payeeKey,
      name: payee.name,
      category: payee.category,
      currency: payee.currency,
      amountMinor: payee.lastAmountMinor,
      dueDate: payee.nextDate,
      remindOn: addDays(payee.nextDate, -preferences.paymentReminderLeadDays),
      timeZone: preferences.timeZone,
    });
  }
  return entries;
}

/** The entries to write or delete so that the index matches the profile after a change. */
export function dueChanges(
  before: CustomerProfile,
  after: CustomerProfile,
  preferences: Preferences,
): DueChanges {
  const previous = dueEntriesOf(before, preferences);
  const next = dueEntriesOf(after, preferences);
  const put = [...next.values()].filter((entry) => {
    const old = previous.get(entry.payeeKey);
    return (
      !old ||
      old.dueDate !== entry.dueDate ||
      old.amountMinor !== entry.amountMinor ||
      old.name !== entry.name
    );
  });
  const remove = [...previous.keys()].filter((payeeKey) => !next.has(payeeKey));
  return { put, remove };
}
