import { describe, expect, it } from "vitest";
import type { ConsentRecord, Consents } from "../../../lambdas/domain/consents";
import { type DecisionResult, decide } from "../../../lambdas/domain/decide";
import type { OfferFeedback } from "../../../lambdas/domain/offer-feedback";
import { defaultPreferences, type Preferences } from "../../../lambdas/domain/preferences";
import type { CustomerProfile, NotificationState } from "../../../lambdas/domain/profile";
import { defaultRuleSet } from "../../../lambdas/domain/rules/default-catalog";
import { type DuePayment, paymentDueFacts } from "../../../lambdas/domain/rules/facts";
import type { PostedTransaction } from "../../../lambdas/domain/transaction";
import { CARD_ABROAD, SALARY, samplePosted } from "../sample-events";
import {
  cardPayment,
  electricityBill,
  evaluate,
  MS_PER_HOUR,
  profileOf,
  shoppingPayment,
} from "./rule-fixtures";

const { catalog, renderer } = defaultRuleSet();

/** 08:15:42 in Vietnam on 3 November 2026, outside the default quiet hours. */
const MORNING = "2026-11-03T08:15:42+07:00";
const MORNING_ISO = "2026-11-03T01:15:42.000Z";

/** 23:30 in Vietnam on 3 November 2026, inside the default quiet hours (22:00 to 07:00). */
const LATE_EVENING = "2026-11-03T23:30:00+07:00";

/** Age after which the ingest handler drops non-critical messages by default. */
const MAX_EVENT_AGE_MS = 72 * MS_PER_HOUR;

const GRANTED: ConsentRecord = { granted: true, at: "2026-10-01T09:00:00+07:00", textVersion: "2026-10" };
const WITHDRAWN: ConsentRecord = { granted: false, at: "2026-10-20T09:00:00+07:00", textVersion: "2026-10" };
const MARKETING: Consents = { marketing: GRANTED };
const ALL_CONSENTS: Consents = {
  marketing: GRANTED,
  personalized_insights: GRANTED,
  location_based_services: GRANTED,
};

/** Builds a debit of 200 000 VND that leaves 400 000 VND, below the default low balance of 500 000 VND. */
function lowBalanceDebit(
  transactionId = "txn-low",
  bookingTime = MORNING,
  changes: Record<string, unknown> = {},
): PostedTransaction {
  return cardPayment(transactionId, bookingTime, "200000", "400000", changes);
}

/** Builds a debit of 500 000 VND that overdraws the account to -100 000 VND. */
function overdraftDebit(transactionId = "txn-overdraft", bookingTime = MORNING): PostedTransaction {
  return cardPayment(transactionId, bookingTime, "500000", "-100000");
}

/** Builds a shopping card payment of 12 000 000 VND, which is a large transaction and earns an instalment offer. */
function largePurchase(transactionId = "txn-large", bookingTime = MORNING): PostedTransaction {
  return shoppingPayment(transactionId, bookingTime, "12000000", "50000000");
}

/** Builds a shopping card payment of 6 000 000 VND, which earns only an instalment offer. */
function instalmentPurchase(transactionId = "txn-instalment", bookingTime = MORNING): PostedTransaction {
  return shoppingPayment(transactionId, bookingTime, "6000000", "50000000");
}

/** Builds a shopping card payment of 6 000 000 VND that leaves 400 000 VND, so both a low balance and an instalment offer match. */
function lowBalancePurchase(): PostedTransaction {
  return shoppingPayment("txn-low-purchase", MORNING, "6000000", "400000");
}

/** Builds a café payment of 65 000 VND that matches no rule. */
function coffeePayment(): PostedTransaction {
  return cardPayment("txn-coffee", MORNING, "65000", "12435000");
}

/** Builds a profile with café payments of 1 000 000 VND a month, from August to 10 November 2026. */
function cafeHistory(): CustomerProfile {
  return profileOf(
    ["2026-08-10", "2026-09-10", "2026-10-10", "2026-11-10"].map((date, index) =>
      cardPayment(`txn-cafe-${index}`, `${date}T12:00:00+07:00`, "1000000", "20000000"),
    ),
  );
}

/** Returns the ISO 8601 time `hours` before the instant `instant`. */
function hoursBefore(instant: string, hours: number): string {
  return new Date(Date.parse(instant) - hours * MS_PER_HOUR).toISOString();
}

/** Folds the no-break spaces of amounts into plain ones, as rendered messages may contain either. */
function spaced(text: string): string {
  return text.replace(/[\u00a0\u202f]/gu, " ");
}

interface Scenario {
  readonly before?: CustomerProfile;
  readonly preferences?: Partial<Preferences>;
  readonly consents?: Consents;
  readonly offerFeedback?: OfferFeedback;
  readonly notifications?: NotificationState;
  /** Processing delay after the booking time, in milliseconds. */
  readonly delayMs?: number;
  readonly maxEventAgeMs?: number;
}

/** Decides the transaction with the bundled catalog's rules, as the ingest handler does. */
function decideFor(transaction: PostedTransaction, scenario: Scenario = {}): DecisionResult {
  const preferences = { ...defaultPreferences(), ...scenario.preferences };
  const { facts } = evaluate(transaction, scenario.before, preferences);
  return decide(
    catalog.rulesByTrigger.transaction,
    {
      trigger: { kind: "transaction", transaction },
      facts,
      preferences,
      consents: scenario.consents ?? {},
      ...(scenario.offerFeedback && { offerFeedback: scenario.offerFeedback }),
      notifications: scenario.notifications,
      now: transaction.bookedAtMs,
      processedAt: transaction.bookedAtMs + (scenario.delayMs ?? 2_000),
      maxEventAgeMs: scenario.maxEventAgeMs ?? MAX_EVENT_AGE_MS,
    },
    catalog,
    renderer,
  );
}

/** Returns the ids of the decided rules, in order. */
function decidedRules(result: DecisionResult): string[] {
  return result.decisions.map((decision) => decision.ruleId);
}

describe("decide", () => {
  describe("matched rules", () => {
    it("decides a low balance alert", () => {
      // Act
      const result = decideFor(lowBalanceDebit());

      // Assess
      expect(result.suppressions).toEqual([]);
      expect(result.decisions).toHaveLength(1);
      const [decision] = result.decisions;
      expect(decision).toEqual({
        ruleId: "low-balance",
        ruleVersion: 1,
        kind: "alert",
        severity: "service",
        priority: 90,
        triggerKey: "txn-low",
        channels: ["push", "inbox"],
        language: "vi",
        decidedAt: MORNING_ISO,
        text: { title: "Số dư thấp", body: expect.any(String) },
      });
      expect(spaced(decision?.text.body ?? "")).toBe(
        "Số dư tài khoản của bạn còn 400.000 ₫, dưới mức cảnh báo 500.000 ₫.",
      );
    });

    it("decides a negative balance alert", () => {
      // Act
      const result = decideFor(overdraftDebit());

      // Assess
      expect(result.suppressions).toEqual([]);
      expect(result.decisions).toEqual([
        expect.objectContaining({
          ruleId: "negative-balance",
          kind: "alert",
          severity: "critical",
          priority: 100,
          triggerKey: "txn-overdraft",
          channels: ["push", "email", "inbox"],
        }),
      ]);
      expect(spaced(result.decisions[0]?.text.body ?? "")).toBe(
        "Sau giao dịch 500.000 ₫, số dư tài khoản của bạn là -100.000 ₫. Vui lòng nạp thêm tiền để tránh phí thấu chi.",
      );
    });

    it("decides nothing for an ordinary payment", () => {
      // Act
      const result = decideFor(coffeePayment());

      // Assess
      expect(result).toEqual({ decisions: [], suppressions: [], notifications: { lastFired: {} } });
    });

    it("renders in the customer's language", () => {
      // Act
      const result = decideFor(lowBalanceDebit(), { preferences: { language: "en" } });

      // Assess
      const [decision] = result.decisions;
      expect(decision?.language).toBe("en");
      expect(decision?.text.title).toBe("Low balance");
      expect(decision?.text.body).toBe("Your balance is ₫400,000, below your alert level of ₫500,000.");
    });

    it("uses the customer's low balance", () => {
      // Prepare
      const preferences = { thresholds: { lowBalance: { VND: 300_000 }, largeTransaction: {} } };

      // Act
      const result = decideFor(lowBalanceDebit(), { preferences });

      // Assess
      expect(result.decisions).toEqual([]);
    });

    it("takes rules in priority order", () => {
      // Act
      const result = decideFor(largePurchase(), { consents: MARKETING });

      // Assess
      expect(decidedRules(result)).toEqual(["large-transaction", "instalment-offer"]);
    });

    it("alerts a spending rise in a category", () => {
      // Prepare
      const transaction = cardPayment("txn-cafe-rise", "2026-11-20T12:00:00+07:00", "600000", "19400000");

      // Act
      const result = decideFor(transaction, { before: cafeHistory(), consents: ALL_CONSENTS });

      // Assess
      expect(decidedRules(result)).toEqual(["unusual-spending"]);
      expect(spaced(result.decisions[0]?.text.body ?? "")).toBe(
        "Tháng này bạn đã chi 1.600.000 ₫ cho ăn uống, cao hơn 60% so với mức trung bình 1.000.000 ₫ của các tháng trước.",
      );
    });

    it("words a large ATM withdrawal as a debit", () => {
      // Prepare
      const withdrawal = cardPayment("txn-atm", MORNING, "10000000", "40000000", {
        channel: "atm",
        merchant: { name: "Vietcombank ATM", mcc: "6011", country: "VN" },
      });

      // Act
      const result = decideFor(withdrawal);

      // Assess
      expect(decidedRules(result)).toEqual(["large-transaction"]);
      const body = spaced(result.decisions[0]?.text.body ?? "");
      expect(body).toBe(
        "Tài khoản của bạn vừa bị trừ 10.000.000 ₫ tại Vietcombank ATM lúc 8:15. " +
          "Nếu bạn không thực hiện giao dịch này, hãy gọi ngay cho ngân hàng.",
      );
      expect(body).not.toContain("thanh toán");
    });

    it("names the payer of income", () => {
      // Prepare
      const salary = samplePosted(SALARY, { counterparty: { name: "ACME Corp." } });

      // Act
      const result = decideFor(salary);

      // Assess
      expect(decidedRules(result)).toEqual(["income-received"]);
      expect(spaced(result.decisions[0]?.text.body ?? "")).toBe(
        "Tài khoản của bạn vừa nhận 28.500.000 ₫ từ ACME Corp. Số dư hiện tại: 40.935.000 ₫.",
      );
    });

    it("words card use abroad", () => {
      // Act
      const result = decideFor(samplePosted(CARD_ABROAD), { consents: ALL_CONSENTS });

      // Assess
      const [foreignUse, , fxCard] = result.decisions;
      expect(foreignUse?.text.title).toBe("Thẻ của bạn vừa được dùng tại Thái Lan");
      expect(spaced(foreignUse?.text.body ?? "")).toBe(
        "Bạn vừa giao dịch 676.000 ₫ tại Jay Fai ở Thái Lan. Chúc bạn có chuyến đi vui vẻ! " +
          "Nếu bạn không thực hiện giao dịch này, hãy khóa thẻ ngay trong ứng dụng.",
      );
      expect(fxCard?.text.body).toContain("Ưu đãi áp dụng đến hết ngày 14/12.");
    });
  });

  describe("consent", () => {
    it("suppresses offers by default", () => {
      // Act
      const result = decideFor(largePurchase());

      // Assess
      expect(decidedRules(result)).toEqual(["large-transaction"]);
      expect(result.suppressions).toEqual([{ ruleId: "instalment-offer", reason: "consent" }]);
    });

    it("suppresses offers after a withdrawal", () => {
      // Act
      const result = decideFor(largePurchase(), { consents: { marketing: WITHDRAWN } });

      // Assess
      expect(decidedRules(result)).toEqual(["large-transaction"]);
      expect(result.suppressions).toEqual([{ ruleId: "instalment-offer", reason: "consent" }]);
    });

    it("presents an offer with consent", () => {
      // Act
      const result = decideFor(instalmentPurchase(), { consents: MARKETING });

      // Assess
      expect(result.suppressions).toEqual([]);
      const [decision] = result.decisions;
      expect(decision).toMatchObject({
        ruleId: "instalment-offer",
        kind: "offer",
        severity: "marketing",
        channels: ["push", "inbox"],
        offer: { productCode: "CARD_INSTALMENT_0", validUntil: "2026-12-03" },
      });
      expect(decision?.text.body).toContain("Ưu đãi áp dụng đến hết ngày 3/12.");
    });

    it("requires every consent a rule lists", () => {
      // Act
      const result = decideFor(samplePosted(CARD_ABROAD), { consents: MARKETING });

      // Assess
      expect(decidedRules(result)).toEqual(["foreign-use-travelling"]);
      expect(result.suppressions).toEqual([
        { ruleId: "travel-insurance-offer", reason: "consent" },
        { ruleId: "fx-card-offer", reason: "consent" },
      ]);
    });

    it("presents travel offers with every consent", () => {
      // Act
      const result = decideFor(samplePosted(CARD_ABROAD), { consents: ALL_CONSENTS });

      // Assess
      expect(decidedRules(result)).toEqual([
        "foreign-use-travelling",
        "travel-insurance-offer",
        "fx-card-offer",
      ]);
      expect(result.decisions[1]?.text.title).toBe("Bảo hiểm du lịch cho chuyến đi Thái Lan");
    });

    it("suppresses an insight without its consent", () => {
      // Prepare
      const transaction = cardPayment("txn-cafe-rise", "2026-11-20T12:00:00+07:00", "600000", "19400000");

      // Act
      const result = decideFor(transaction, { before: cafeHistory(), consents: MARKETING });

      // Assess
      expect(result.decisions).toEqual([]);
      expect(result.suppressions).toEqual([{ ruleId: "unusual-spending", reason: "consent" }]);
    });
  });

  describe("offer feedback", () => {
    it("keeps a dismissed offer away for 30 days", () => {
      // Prepare
      const offerFeedback: OfferFeedback = {
        "instalment-offer": { action: "dismissed", at: hoursBefore(MORNING, 29 * 24) },
      };

      // Act
      const result = decideFor(instalmentPurchase(), { consents: MARKETING, offerFeedback });

      // Assess
      expect(result.decisions).toEqual([]);
      expect(result.suppressions).toEqual([{ ruleId: "instalment-offer", reason: "feedback" }]);
    });

    it("offers again once the dismissal is 30 days old", () => {
      // Prepare
      const offerFeedback: OfferFeedback = {
        "instalment-offer": { action: "dismissed", at: hoursBefore(MORNING, 30 * 24) },
      };

      // Act
      const result = decideFor(instalmentPurchase(), { consents: MARKETING, offerFeedback });

      // Assess
      expect(decidedRules(result)).toEqual(["instalment-offer"]);
    });

    it("does not offer a product the customer took within a year", () => {
      // Prepare
      const offerFeedback: OfferFeedback = {
        "instalment-offer": { action: "accepted", at: hoursBefore(MORNING, 300 * 24) },
      };

      // Act
      const result = decideFor(instalmentPurchase(), { consents: MARKETING, offerFeedback });

      // Assess
      expect(result.suppressions).toEqual([{ ruleId: "instalment-offer", reason: "feedback" }]);
    });

    it("treats a click as interest, not as an answer", () => {
      // Prepare
      const offerFeedback: OfferFeedback = {
        "instalment-offer": { action: "clicked", at: hoursBefore(MORNING, 1) },
      };

      // Act
      const result = decideFor(instalmentPurchase(), { consents: MARKETING, offerFeedback });

      // Assess
      expect(decidedRules(result)).toEqual(["instalment-offer"]);
    });

    it("never keeps an alert away", () => {
      // Prepare
      const offerFeedback: OfferFeedback = {
        "large-transaction": { action: "not_interested", at: hoursBefore(MORNING, 1) },
      };

      // Act
      const result = decideFor(largePurchase(), { offerFeedback });

      // Assess
      expect(decidedRules(result)).toEqual(["large-transaction"]);
    });
  });

  describe("cooldown", () => {
    it("holds a low balance alert per account", () => {
      // Prepare
      const notifications = { lastFired: { "low-balance:acc-0001-vnd": hoursBefore(MORNING, 2) } };

      // Act
      const sameAccount = decideFor(lowBalanceDebit(), { notifications });
      const otherAccount = decideFor(lowBalanceDebit("txn-low-2", MORNING, { accountId: "acc-0002-vnd" }), {
        notifications,
      });

      // Assess
      expect(sameAccount.decisions).toEqual([]);
      expect(sameAccount.suppressions).toEqual([{ ruleId: "low-balance", reason: "cooldown" }]);
      expect(decidedRules(otherAccount)).toEqual(["low-balance"]);
    });

    it.each([
      [1, false],
      [23.99, false],
      [24, true],
      [25, true],
    ])("ends a 24-hour cooldown after %d hours: %s", (hours, decided) => {
      // Prepare
      const notifications = { lastFired: { "low-balance:acc-0001-vnd": hoursBefore(MORNING, hours) } };

      // Act
      const result = decideFor(lowBalanceDebit(), { notifications });

      // Assess
      expect(result.decisions.length === 1).toBe(decided);
    });

    it("holds unusual spending per category", () => {
      // Prepare
      const transaction = cardPayment("txn-cafe-rise", "2026-11-20T12:00:00+07:00", "600000", "19400000");
      const firedAt = hoursBefore("2026-11-20T12:00:00+07:00", 240);

      // Act
      const sameCategory = decideFor(transaction, {
        before: cafeHistory(),
        consents: ALL_CONSENTS,
        notifications: { lastFired: { "unusual-spending:food_drink": firedAt } },
      });
      const otherCategory = decideFor(transaction, {
        before: cafeHistory(),
        consents: ALL_CONSENTS,
        notifications: { lastFired: { "unusual-spending:groceries": firedAt } },
      });

      // Assess
      expect(sameCategory.suppressions).toEqual([{ ruleId: "unusual-spending", reason: "cooldown" }]);
      expect(decidedRules(otherCategory)).toEqual(["unusual-spending"]);
    });

    it("holds a foreign use alert per country", () => {
      // Prepare
      const notifications = {
        lastFired: { "foreign-use-travelling:TH": hoursBefore("2026-11-14T19:05:00+07:00", 1) },
      };
      const inJapan = samplePosted(CARD_ABROAD, {
        merchant: { name: "Ichiran", mcc: "5812", country: "JP" },
        originalAmount: { amount: "3900", currency: "JPY" },
      });

      // Act
      const thailand = decideFor(samplePosted(CARD_ABROAD), { notifications });
      const japan = decideFor(inJapan, { notifications });

      // Assess
      expect(thailand.decisions).toEqual([]);
      expect(thailand.suppressions).toContainEqual({ ruleId: "foreign-use-travelling", reason: "cooldown" });
      expect(decidedRules(japan)).toEqual(["foreign-use-travelling"]);
    });

    it("holds an offer per customer", () => {
      // Prepare
      const notifications = { lastFired: { "instalment-offer:": hoursBefore(MORNING, 24) } };

      // Act
      const result = decideFor(instalmentPurchase("txn-instalment-2"), {
        consents: MARKETING,
        notifications,
      });

      // Assess
      expect(result.decisions).toEqual([]);
      expect(result.suppressions).toEqual([{ ruleId: "instalment-offer", reason: "cooldown" }]);
    });

    it("decides a transaction's alert once", () => {
      // Prepare
      const notifications = { lastFired: { "large-transaction:txn-large": MORNING_ISO } };

      // Act
      const again = decideFor(largePurchase(), { notifications });
      const otherTransaction = decideFor(largePurchase("txn-large-2"), { notifications });

      // Assess
      expect(again.suppressions).toContainEqual({ ruleId: "large-transaction", reason: "cooldown" });
      expect(decidedRules(otherTransaction)).toEqual(["large-transaction"]);
    });
  });

  describe("channels", () => {
    it.each([
      [["inbox"], ["inbox"]],
      [
        ["inbox", "push"],
        ["push", "inbox"],
      ],
      [["email"], ["email"]],
      [
        ["inbox", "email", "push"],
        ["push", "email", "inbox"],
      ],
    ] as const)("uses the customer's channels %j for a rule", (chosen, expected) => {
      // Act
      const result = decideFor(lowBalanceDebit(), { preferences: { channels: { "low-balance": chosen } } });

      // Assess
      expect(result.decisions[0]?.channels).toEqual(expected);
    });

    it("uses the customer's channels for offers", () => {
      // Act
      const result = decideFor(instalmentPurchase(), {
        consents: MARKETING,
        preferences: { channels: { offers: ["email"] } },
      });

      // Assess
      expect(result.decisions[0]?.channels).toEqual(["email"]);
    });

    it("prefers a rule's channels to those of offers", () => {
      // Act
      const result = decideFor(instalmentPurchase(), {
        consents: MARKETING,
        preferences: { channels: { offers: ["email"], "instalment-offer": ["push"] } },
      });

      // Assess
      expect(result.decisions[0]?.channels).toEqual(["push"]);
    });

    it("keeps alerts on their channels when offers are off", () => {
      // Act
      const result = decideFor(lowBalanceDebit(), { preferences: { channels: { offers: [] } } });

      // Assess
      expect(result.decisions[0]?.channels).toEqual(["push", "inbox"]);
    });

    it("suppresses an alert with every channel off", () => {
      // Act
      const result = decideFor(lowBalanceDebit(), { preferences: { channels: { "low-balance": [] } } });

      // Assess
      expect(result.decisions).toEqual([]);
      expect(result.suppressions).toEqual([{ ruleId: "low-balance", reason: "channels-off" }]);
      expect(result.notifications).toEqual({ lastFired: {} });
    });

    it("suppresses offers with every channel off", () => {
      // Act
      const result = decideFor(largePurchase(), {
        consents: MARKETING,
        preferences: { channels: { offers: [] } },
      });

      // Assess
      expect(decidedRules(result)).toEqual(["large-transaction"]);
      expect(result.suppressions).toEqual([{ ruleId: "instalment-offer", reason: "channels-off" }]);
    });
  });

  describe("daily cap", () => {
    it("stops non-critical messages at the cap", () => {
      // Prepare
      const notifications = { lastFired: {}, today: { date: "2026-11-03", count: 5 } };

      // Act
      const result = decideFor(lowBalanceDebit(), { notifications });

      // Assess
      expect(result.decisions).toEqual([]);
      expect(result.suppressions).toEqual([{ ruleId: "low-balance", reason: "daily-cap" }]);
      expect(result.notifications).toEqual({ lastFired: {}, today: { date: "2026-11-03", count: 5 } });
    });

    it("counts every message of one event", () => {
      // Act
      const result = decideFor(lowBalancePurchase(), {
        consents: MARKETING,
        preferences: { dailyMessageCap: 1 },
      });

      // Assess
      expect(decidedRules(result)).toEqual(["low-balance"]);
      expect(result.suppressions).toEqual([{ ruleId: "instalment-offer", reason: "daily-cap" }]);
      expect(result.notifications.today).toEqual({ date: "2026-11-03", count: 1 });
    });

    it("never caps a critical alert", () => {
      // Prepare
      const notifications = { lastFired: {}, today: { date: "2026-11-03", count: 5 } };

      // Act
      const result = decideFor(overdraftDebit(), { notifications });

      // Assess
      expect(decidedRules(result)).toEqual(["negative-balance"]);
      expect(result.notifications.today).toEqual({ date: "2026-11-03", count: 5 });
    });

    it("does not count a critical alert", () => {
      // Act
      const result = decideFor(largePurchase(), { consents: MARKETING, preferences: { dailyMessageCap: 1 } });

      // Assess
      expect(decidedRules(result)).toEqual(["large-transaction", "instalment-offer"]);
      expect(result.notifications.today).toEqual({ date: "2026-11-03", count: 1 });
    });

    it("leaves the count out after critical alerts only", () => {
      // Act
      const result = decideFor(overdraftDebit());

      // Assess
      expect(result.notifications).toEqual({
        lastFired: { "negative-balance:acc-0001-vnd": MORNING_ISO },
      });
    });

    it("starts a new count on a new local date", () => {
      // Prepare
      const notifications = { lastFired: {}, today: { date: "2026-11-02", count: 5 } };

      // Act
      const result = decideFor(lowBalanceDebit(), { notifications });

      // Assess
      expect(decidedRules(result)).toEqual(["low-balance"]);
      expect(result.notifications.today).toEqual({ date: "2026-11-03", count: 1 });
    });

    it("counts by the customer's local date", () => {
      // Prepare
      const transaction = lowBalanceDebit("txn-low", "2026-11-02T18:00:00Z");
      const notifications = { lastFired: {}, today: { date: "2026-11-03", count: 5 } };

      // Act
      const result = decideFor(transaction, { notifications, preferences: { quietHours: null } });

      // Assess
      expect(result.suppressions).toEqual([{ ruleId: "low-balance", reason: "daily-cap" }]);
    });

    it("keeps a later day's count for a late event", () => {
      // Prepare
      const lateEvent = lowBalanceDebit("txn-low-late", "2026-11-03T20:00:00+07:00");
      const notifications = { lastFired: {}, today: { date: "2026-11-04", count: 5 } };

      // Act
      const result = decideFor(lateEvent, { notifications, delayMs: 14 * MS_PER_HOUR });

      // Assess
      expect(result.notifications.today?.date).toBe("2026-11-04");
      expect(result.notifications.today?.count).toBeGreaterThanOrEqual(5);
    });
  });

  describe("quiet hours", () => {
    it("defers a service alert to the morning", () => {
      // Act
      const result = decideFor(lowBalanceDebit("txn-low", LATE_EVENING));

      // Assess
      expect(result.decisions[0]).toMatchObject({
        ruleId: "low-balance",
        decidedAt: "2026-11-03T16:30:00.000Z",
        notBefore: "2026-11-04T00:00:00.000Z",
      });
    });

    it("defers a message after midnight to the same morning", () => {
      // Act
      const result = decideFor(lowBalanceDebit("txn-low", "2026-11-04T05:00:00+07:00"));

      // Assess
      expect(result.decisions[0]?.notBefore).toBe("2026-11-04T00:00:00.000Z");
    });

    it("defers an offer to the morning", () => {
      // Act
      const result = decideFor(instalmentPurchase("txn-instalment", LATE_EVENING), { consents: MARKETING });

      // Assess
      expect(result.decisions[0]?.notBefore).toBe("2026-11-04T00:00:00.000Z");
    });

    it("sends a critical alert at once", () => {
      // Act
      const result = decideFor(overdraftDebit("txn-overdraft", LATE_EVENING));

      // Assess
      expect(decidedRules(result)).toEqual(["negative-balance"]);
      expect(result.decisions[0]).not.toHaveProperty("notBefore");
    });

    it("sends at once outside quiet hours", () => {
      // Act
      const result = decideFor(lowBalanceDebit());

      // Assess
      expect(result.decisions[0]).not.toHaveProperty("notBefore");
    });

    it("sends at once without quiet hours", () => {
      // Act
      const result = decideFor(lowBalanceDebit("txn-low", LATE_EVENING), {
        preferences: { quietHours: null },
      });

      // Assess
      expect(result.decisions[0]).not.toHaveProperty("notBefore");
    });

    it("reads quiet hours in the customer's zone", () => {
      // Prepare
      const preferences = { timeZone: "Europe/Prague" };

      // Act
      const lateInPrague = decideFor(lowBalanceDebit("txn-low", "2026-11-04T04:30:00+07:00"), {
        preferences,
      });
      const afternoonInPrague = decideFor(lowBalanceDebit("txn-low", LATE_EVENING), { preferences });

      // Assess
      expect(lateInPrague.decisions[0]?.notBefore).toBe("2026-11-04T06:00:00.000Z");
      expect(afternoonInPrague.decisions[0]).not.toHaveProperty("notBefore");
    });
  });

  describe("stale events", () => {
    it("drops a late non-critical message", () => {
      // Act
      const result = decideFor(lowBalanceDebit(), { delayMs: MAX_EVENT_AGE_MS + 1 });

      // Assess
      expect(result.decisions).toEqual([]);
      expect(result.suppressions).toEqual([{ ruleId: "low-balance", reason: "stale" }]);
      expect(result.notifications).toEqual({ lastFired: {} });
    });

    it("keeps a late critical alert", () => {
      // Act
      const result = decideFor(overdraftDebit(), { delayMs: MAX_EVENT_AGE_MS + 1 });

      // Assess
      expect(decidedRules(result)).toEqual(["negative-balance"]);
      expect(result.suppressions).toEqual([]);
    });

    it("keeps a message at the age limit", () => {
      // Act
      const result = decideFor(lowBalanceDebit(), { delayMs: MAX_EVENT_AGE_MS });

      // Assess
      expect(decidedRules(result)).toEqual(["low-balance"]);
    });

    it("keeps every message with the check off", () => {
      // Act
      const result = decideFor(lowBalanceDebit(), { delayMs: 1000 * MS_PER_HOUR, maxEventAgeMs: 0 });

      // Assess
      expect(decidedRules(result)).toEqual(["low-balance"]);
    });
  });

  describe("notification state", () => {
    it("records each decision's cooldown key", () => {
      // Act
      const result = decideFor(largePurchase(), { consents: MARKETING });

      // Assess
      expect(result.notifications).toEqual({
        lastFired: { "large-transaction:txn-large": MORNING_ISO, "instalment-offer:": MORNING_ISO },
        today: { date: "2026-11-03", count: 1 },
      });
    });

    it("prunes entries older than the longest cooldown", () => {
      // Prepare
      const longestHours = Math.max(...catalog.rules.map((rule) => rule.cooldownHours));
      const notifications = {
        lastFired: {
          "fx-card-offer:": hoursBefore(MORNING, longestHours),
          "term-deposit-offer:": hoursBefore(MORNING, longestHours - 1),
          "low-balance:acc-0001-vnd": hoursBefore(MORNING, 48),
        },
      };

      // Act
      const result = decideFor(coffeePayment(), { notifications });

      // Assess
      expect(longestHours).toBe(2160);
      expect(result.notifications.lastFired).toEqual({
        "term-deposit-offer:": hoursBefore(MORNING, longestHours - 1),
        "low-balance:acc-0001-vnd": hoursBefore(MORNING, 48),
      });
    });

    it("keeps the day's count when nothing fires", () => {
      // Act
      const result = decideFor(coffeePayment(), {
        notifications: { lastFired: {}, today: { date: "2026-11-03", count: 3 } },
      });

      // Assess
      expect(result.notifications.today).toEqual({ date: "2026-11-03", count: 3 });
    });

    it("drops an earlier day's count when nothing fires", () => {
      // Act
      const result = decideFor(coffeePayment(), {
        notifications: { lastFired: {}, today: { date: "2026-11-02", count: 3 } },
      });

      // Assess
      expect(result.notifications).toEqual({ lastFired: {} });
    });

    it("leaves the input state unchanged", () => {
      // Prepare
      const notifications = {
        lastFired: { "low-balance:acc-0002-vnd": hoursBefore(MORNING, 2) },
        today: { date: "2026-11-03", count: 1 },
      };
      const copy = structuredClone(notifications);

      // Act
      decideFor(lowBalanceDebit(), { notifications });

      // Assess
      expect(notifications).toEqual(copy);
    });
  });

  describe("payment due", () => {
    const profile = profileOf([
      electricityBill("txn-bill-aug", "2026-08-12"),
      electricityBill("txn-bill-sep", "2026-09-12"),
      electricityBill("txn-bill-oct", "2026-10-12"),
    ]);
    const [payeeKey] = Object.keys(profile.payees);
    const payment: DuePayment = {
      payeeKey: payeeKey ?? "",
      name: "EVN HCMC - Tiền điện",
      category: "bills_utilities",
      currency: "VND",
      amountMinor: 1_049_000,
      dueDate: "2026-11-12",
    };
    /** 08:00 in Vietnam on 10 November 2026, when the reminder job runs. */
    const JOB_TIME = "2026-11-10T08:00:00+07:00";

    /** Decides a reminder for `due`, `daysUntilDue` days ahead, as the reminder job does. */
    function decideReminder(
      due: DuePayment,
      daysUntilDue: number,
      scenario: { preferences?: Partial<Preferences>; notifications?: NotificationState } = {},
    ): DecisionResult {
      const preferences = { ...defaultPreferences(), ...scenario.preferences };
      const now = Date.parse(JOB_TIME);
      return decide(
        catalog.rulesByTrigger.payment_due,
        {
          trigger: { kind: "payment_due", payment: due, daysUntilDue },
          facts: paymentDueFacts(due, daysUntilDue, profile, preferences, catalog.defaults),
          preferences,
          consents: {},
          notifications: scenario.notifications,
          now,
          processedAt: now,
          maxEventAgeMs: 0,
        },
        catalog,
        renderer,
      );
    }

    it("reminds of a recurring bill", () => {
      // Act
      const result = decideReminder(payment, 2);

      // Assess
      expect(result.decisions).toEqual([
        expect.objectContaining({
          ruleId: "payment-due",
          triggerKey: `${payeeKey}:2026-11-12`,
          channels: ["push", "email", "inbox"],
          decidedAt: "2026-11-10T01:00:00.000Z",
        }),
      ]);
      expect(result.decisions[0]?.text.title).toBe("Sắp đến hạn thanh toán cho EVN HCMC - Tiền điện");
      expect(spaced(result.decisions[0]?.text.body ?? "")).toBe(
        "Khoản thanh toán cho EVN HCMC - Tiền điện, khoảng 1.049.000 ₫, dự kiến đến hạn vào ngày 12/11. Vui lòng đảm bảo tài khoản có đủ số dư.",
      );
      expect(result.notifications).toEqual({
        lastFired: { [`payment-due:${payeeKey}:2026-11-12`]: "2026-11-10T01:00:00.000Z" },
        today: { date: "2026-11-10", count: 1 },
      });
    });

    it.each([
      [-1, false],
      [0, true],
      [3, true],
      [4, false],
    ])("reminds %i days ahead with 3 lead days: %s", (daysUntilDue, reminded) => {
      // Act
      const result = decideReminder(payment, daysUntilDue);

      // Assess
      expect(result.decisions.length === 1).toBe(reminded);
    });

    it("uses the customer's lead time", () => {
      // Act
      const result = decideReminder(payment, 6, { preferences: { paymentReminderLeadDays: 7 } });

      // Assess
      expect(decidedRules(result)).toEqual(["payment-due"]);
    });

    it("reminds once per due date", () => {
      // Prepare
      const notifications = {
        lastFired: { [`payment-due:${payeeKey}:2026-11-12`]: hoursBefore(JOB_TIME, 24) },
      };

      // Act
      const sameDate = decideReminder(payment, 2, { notifications });
      const nextDate = decideReminder({ ...payment, dueDate: "2026-11-11" }, 1, { notifications });

      // Assess
      expect(sameDate.suppressions).toEqual([{ ruleId: "payment-due", reason: "cooldown" }]);
      expect(decidedRules(nextDate)).toEqual(["payment-due"]);
    });
  });
});
