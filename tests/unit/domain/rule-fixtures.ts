import { defaultPreferences, type Preferences } from "../../../lambdas/domain/preferences";
import {
  applyTransaction,
  type CustomerProfile,
  emptyProfile,
  type ProfileChange,
} from "../../../lambdas/domain/profile";
import { defaultRuleSet } from "../../../lambdas/domain/rules/default-catalog";
import { type Facts, transactionFacts } from "../../../lambdas/domain/rules/facts";
import type { PostedTransaction } from "../../../lambdas/domain/transaction";
import { BILL_PAYMENT, CARD_PURCHASE, samplePosted } from "../sample-events";

/** Country whose merchants count as domestic in these tests, as in the service's default settings. */
export const HOME_COUNTRY = "VN";

export const CUSTOMER_ID = "cust-0001";

export const MS_PER_HOUR = 3_600_000;

/**
 * Builds a VND card payment at the café of the samples. `amount` and `balanceAfter` are decimal text
 * in dong, as producers send them; `changes` replaces further fields of the event detail.
 */
export function cardPayment(
  transactionId: string,
  bookingTime: string,
  amount: string,
  balanceAfter: string,
  changes: Record<string, unknown> = {},
): PostedTransaction {
  return samplePosted(CARD_PURCHASE, { transactionId, bookingTime, amount, balanceAfter, ...changes });
}

/** Builds a card payment of `amount` dong at an electronics store, which the categorizer files as shopping. */
export function shoppingPayment(
  transactionId: string,
  bookingTime: string,
  amount: string,
  balanceAfter: string,
): PostedTransaction {
  return cardPayment(transactionId, bookingTime, amount, balanceAfter, {
    merchant: { name: "Điện Máy Xanh", mcc: "5732", country: "VN" },
  });
}

/** Builds the electricity bill payment of the samples, paid on `date` at 08:30 in Vietnam. */
export function electricityBill(
  transactionId: string,
  date: string,
  changes: Record<string, unknown> = {},
): PostedTransaction {
  return samplePosted(BILL_PAYMENT, { transactionId, bookingTime: `${date}T08:30:00+07:00`, ...changes });
}

/** Applies the transactions in order, starting from `start`, and returns the last profile. */
export function profileOf(
  transactions: readonly PostedTransaction[],
  start: CustomerProfile = emptyProfile(CUSTOMER_ID),
): CustomerProfile {
  let profile = start;
  for (const transaction of transactions)
    profile = applyTransaction(profile, transaction, HOME_COUNTRY).profile;
  return profile;
}

/** A transaction applied to a profile, with the facts that the bundled catalog's rules read. */
export interface EvaluatedTransaction {
  readonly before: CustomerProfile;
  readonly change: ProfileChange;
  readonly facts: Facts;
}

/** Applies `transaction` to `before` and builds its facts with the bundled catalog's defaults. */
export function evaluate(
  transaction: PostedTransaction,
  before: CustomerProfile = emptyProfile(CUSTOMER_ID),
  preferences: Preferences = defaultPreferences(),
): EvaluatedTransaction {
  const change = applyTransaction(before, transaction, HOME_COUNTRY);
  const facts = transactionFacts(
    transaction,
    before,
    change,
    preferences,
    defaultRuleSet().catalog.defaults,
    HOME_COUNTRY,
  );
  return { before, change, facts };
}
