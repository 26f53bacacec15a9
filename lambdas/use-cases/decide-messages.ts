import type { Consents } from "../domain/consents";
import { type Decision, type DecisionResult, decide, type Suppression } from "../domain/decide";
import type { OfferFeedback } from "../domain/offer-feedback";
import { type OutboxMessage, outboxMessagesFor } from "../domain/outbox";
import type { Preferences } from "../domain/preferences";
import type { CustomerProfile, NotificationState, ProfileChange } from "../domain/profile";
import type { RuleSet } from "../domain/rules/default-catalog";
import { type DuePayment, paymentDueFacts, transactionFacts } from "../domain/rules/facts";
import type { PostedTransaction } from "../domain/transaction";

/** What a customer allows and prefers, read with the profile before deciding. */
export interface CustomerContext {
  readonly preferences: Preferences;
  readonly consents: Consents;
  /** The customer's latest answer per offer, which can keep an offer from being decided again. */
  readonly offerFeedback: OfferFeedback;
}

export interface TransactionDecisionInput {
  readonly eventId: string;
  readonly transaction: PostedTransaction;
  readonly before: CustomerProfile;
  readonly change: ProfileChange;
  readonly context: CustomerContext;
  /** Processing time, epoch milliseconds. */
  readonly processedAt: number;
}

export interface DecisionOutput {
  readonly messages: readonly OutboxMessage[];
  readonly decisions: readonly Decision[];
  readonly suppressions: readonly Suppression[];
  /** Notification state to store in the profile with the messages. */
  readonly notifications: NotificationState | undefined;
}

/** Decides the messages one transaction causes; deterministic for a given input. */
export type MessageDecider = (input: TransactionDecisionInput) => DecisionOutput;

/** The decision that decides nothing, for running ingestion without rules. */
export const decideNothing: MessageDecider = ({ change }) => ({
  messages: [],
  decisions: [],
  suppressions: [],
  notifications: change.profile.notifications,
});

export interface RuleDeciderOptions {
  readonly rules: RuleSet;
  readonly homeCountry: string;
  /** A non-critical message about an event older than this is not sent; 0 turns the check off. */
  readonly maxEventAgeMs: number;
}

/**
 * Decides with the rule catalog. The decision clock is the transaction's booking time, so a replay of
 * history meets quiet hours, cooldowns and daily caps as they were at the time.
 */
export function createRuleDecider(options: RuleDeciderOptions): MessageDecider {
  const { catalog, renderer } = options.rules;
  return (input) => {
    const { transaction, before, change, context } = input;
    const facts = transactionFacts(
      transaction,
      before,
      change,
      context.preferences,
      catalog.defaults,
      options.homeCountry,
    );
    const result = decide(
      catalog.rulesByTrigger.transaction,
      {
        trigger: { kind: "transaction", transaction },
        facts,
        preferences: context.preferences,
        consents: context.consents,
        offerFeedback: context.offerFeedback,
        notifications: change.profile.notifications,
        now: transaction.bookedAtMs,
        processedAt: input.processedAt,
        maxEventAgeMs: options.maxEventAgeMs,
      },
      catalog,
      renderer,
    );
    return outputOf(transaction.customerId, result);
  };
}

/** Adds the outbox messages of the decisions to a decision result. */
function outputOf(customerId: string, result: DecisionResult): DecisionOutput {
  return {
    messages: result.decisions.flatMap((decision) => outboxMessagesFor(customerId, decision)),
    decisions: result.decisions,
    suppressions: result.suppressions,
    notifications: result.notifications,
  };
}

/** Decides a payment reminder for one recurring payment, checked on the customer's local date. */
export function decidePaymentDue(
  rules: RuleSet,
  input: {
    readonly customerId: string;
    readonly payment: DuePayment;
    readonly daysUntilDue: number;
    readonly profile: CustomerProfile;
    readonly context: CustomerContext;
    readonly now: number;
  },
): DecisionOutput {
  const { catalog, renderer } = rules;
  const facts = paymentDueFacts(
    input.payment,
    input.daysUntilDue,
    input.profile,
    input.context.preferences,
    catalog.defaults,
  );
  const result = decide(
    catalog.rulesByTrigger.payment_due,
    {
      trigger: { kind: "payment_due", payment: input.payment, daysUntilDue: input.daysUntilDue },
      facts,
      preferences: input.context.preferences,
      consents: input.context.consents,
      offerFeedback: input.context.offerFeedback,
      notifications: input.profile.notifications,
      now: input.now,
      processedAt: input.now,
      maxEventAgeMs: 0,
    },
    catalog,
    renderer,
  );
  return outputOf(input.customerId, result);
}
