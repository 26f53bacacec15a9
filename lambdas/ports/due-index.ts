import type { DueEntry } from "../domain/reminders";

/** A due-payment entry's address: the customer and the payee. */
export interface DueReference {
  readonly customerId: string;
  readonly payeeKey: string;
}

/** The index of recurring payments by reminder date, which the daily reminder job reads. */
export interface DueIndex {
  /** Entries whose reminder falls on `localDate` for customers in `timeZone`. */
  listReminders(localDate: string, timeZone: string): Promise<DueReference[]>;
  /** The entries themselves; entries deleted meanwhile are left out. */
  entries(customerId: string, payeeKeys: readonly string[]): Promise<DueEntry[]>;
}
