import { describe, expect, it } from "vitest";
import type { Category } from "../../../lambdas/domain/categories";
import {
  buildHome,
  GREETING_PERIOD_STARTS,
  type GreetingPeriod,
  greetingPeriod,
  type HomeInput,
} from "../../../lambdas/domain/home";
import { buildInsights, localMonth } from "../../../lambdas/domain/insights";
import { MessageRenderer } from "../../../lambdas/domain/messages/render";
import type { OfferRecord } from "../../../lambdas/domain/offers";
import { defaultPreferences, type Language } from "../../../lambdas/domain/preferences";
import {
  type CustomerProfile,
  emptyProfile,
  type MonthAggregate,
  type MonthTotals,
} from "../../../lambdas/domain/profile";
import type { PayeeHistory } from "../../../lambdas/domain/recurring";
import { defaultRuleSet } from "../../../lambdas/domain/rules/default-catalog";

const renderer = new MessageRenderer();
const { defaults } = defaultRuleSet().catalog;

const VIETNAM = "Asia/Ho_Chi_Minh";
const NEW_YORK = "America/New_York";

/** 10:00 in Vietnam on 20 November 2026. */
const NOW = Date.parse("2026-11-20T10:00:00+07:00");

/** Replaces the no-break spaces that `Intl` puts in amounts with plain spaces, for readable expectations. */
function spaced(text: string): string {
  return text.replace(/[\u00a0\u202f]/gu, " ");
}

function totals(spending: Partial<Record<Category, number>>): MonthTotals {
  return { spending, income: {}, debitCount: Object.keys(spending).length, creditCount: 0 };
}

/** Food and drink up 50% in November against 2,000,000 ₫ a month before, and shopping flat. */
const RISING_FOOD: Record<string, MonthAggregate> = {
  "2026-09": { VND: totals({ food_drink: 2_000_000, shopping: 1_500_000 }) },
  "2026-10": { VND: totals({ food_drink: 2_000_000, shopping: 1_500_000 }) },
  "2026-11": { VND: totals({ food_drink: 3_000_000, shopping: 1_500_000 }) },
};

/** Builds a monthly debit to a payee with three payments, the last on `lastDate`. */
function monthlyPayee(name: string, category: Category, lastDate: string, amount: number): PayeeHistory {
  const month = Number(lastDate.slice(5, 7));
  const day = lastDate.slice(8, 10);
  const earlier = (back: number) => `2026-${String(month - back).padStart(2, "0")}-${day}`;
  return {
    name,
    category,
    direction: "debit",
    currency: "VND",
    dates: [earlier(2), earlier(1), lastDate],
    lastAmountMinor: amount,
    cadence: "monthly",
    nextDate: `2026-${String(month + 1).padStart(2, "0")}-${day}`,
  };
}

/** Five monthly debits, a weekly one, a monthly credit and a payee that does not recur. */
function samplePayees() {
  return {
    evn: monthlyPayee("EVN HCMC", "bills_utilities", "2026-10-25", 950_000),
    rent: monthlyPayee("Chủ nhà Nguyễn Văn B", "housing", "2026-11-03", 8_000_000),
    netflix: monthlyPayee("Netflix", "entertainment", "2026-10-28", 260_000),
    vnpt: monthlyPayee("VNPT", "bills_utilities", "2026-11-02", 330_000),
    fpt: monthlyPayee("FPT Telecom", "bills_utilities", "2026-10-15", 250_000),
    yoga: {
      ...monthlyPayee("Yoga Studio", "health", "2026-11-13", 150_000),
      dates: ["2026-10-30", "2026-11-06", "2026-11-13"],
      cadence: "weekly",
      nextDate: "2026-11-20",
    },
    salary: {
      ...monthlyPayee("Công ty ABC", "income", "2026-11-05", 20_000_000),
      direction: "credit",
    },
    cafe: {
      name: "Highlands Coffee",
      category: "food_drink",
      direction: "debit",
      currency: "VND",
      dates: ["2026-11-19"],
      lastAmountMinor: 55_000,
    },
  } satisfies Record<string, PayeeHistory>;
}

function sampleProfile(payees: Record<string, PayeeHistory> = samplePayees()): CustomerProfile {
  return {
    ...emptyProfile("cust-0001"),
    accounts: {
      "acc-vnd": {
        currency: "VND",
        balanceMinor: 150_000_000,
        balanceAsOf: "2026-11-19T12:00:00+07:00",
        balanceTransactionId: "txn-9",
      },
      "acc-usd": {
        currency: "USD",
        balanceMinor: 100_000,
        balanceAsOf: "2026-11-01T08:00:00+07:00",
        balanceTransactionId: "txn-2",
      },
      "acc-overdrawn": {
        currency: "VND",
        balanceMinor: -1_250_000,
        balanceAsOf: "2026-11-18T09:00:00+07:00",
        balanceTransactionId: "txn-8",
      },
    },
    payees,
  };
}

function offer(offerId: string, validUntil: string): OfferRecord {
  return {
    offerId,
    ruleId: offerId,
    ruleVersion: 1,
    productCode: "CARD_INSTALMENT_0",
    priority: 50,
    presentedAt: "2026-11-01T09:00:00+07:00",
    validUntil,
    language: "vi",
    title: `Ưu đãi ${offerId}`,
    body: "Nội dung ưu đãi",
    triggerKey: "txn-1",
  };
}

interface SampleOptions {
  readonly profile?: CustomerProfile;
  readonly months?: Record<string, MonthAggregate>;
  readonly nowMs?: number;
  readonly language?: Language;
  readonly timeZone?: string;
  readonly offers?: readonly OfferRecord[];
  readonly displayName?: string;
}

/** Builds the input of `buildHome`, with insights built for the same clock, language and zone. */
function sampleInput(options: SampleOptions = {}): HomeInput {
  const profile = options.profile ?? sampleProfile();
  const nowMs = options.nowMs ?? NOW;
  const language = options.language ?? "vi";
  const timeZone = options.timeZone ?? VIETNAM;
  const insights = buildInsights({
    profile,
    months: options.months ?? RISING_FOOD,
    month: localMonth(nowMs, timeZone),
    nowMs,
    preferences: { language, timeZone },
    renderer,
    homeCurrency: "VND",
    defaults,
  });
  return {
    profile,
    insights,
    offers: options.offers ?? [],
    nowMs,
    preferences: { ...defaultPreferences(), language, timeZone },
    renderer,
    ...(options.displayName !== undefined && { displayName: options.displayName }),
  };
}

/** Returns the instant of a local wall time in Vietnam on 20 November 2026. */
function vietnamAt(time: string): number {
  return Date.parse(`2026-11-20T${time}:00+07:00`);
}

describe("greetingPeriod", () => {
  it.each<[number, Language, GreetingPeriod]>([
    [0, "vi", "evening"],
    [3, "vi", "evening"],
    [4, "vi", "morning"],
    [10, "vi", "morning"],
    [11, "vi", "noon"],
    [12, "vi", "noon"],
    [13, "vi", "afternoon"],
    [17, "vi", "afternoon"],
    [18, "vi", "evening"],
    [23, "vi", "evening"],
    [3, "en", "evening"],
    [4, "en", "morning"],
    [11, "en", "morning"],
    [12, "en", "afternoon"],
    [17, "en", "afternoon"],
    [18, "en", "evening"],
  ])("gives hour %d in %s the %s", (hour, language, expected) => {
    expect(greetingPeriod(hour, language)).toBe(expected);
  });

  it("never greets English at noon", () => {
    // Act
    const periods = Array.from({ length: 24 }, (_, hour) => greetingPeriod(hour, "en"));

    // Assess
    expect(periods).not.toContain("noon");
  });

  it("lists period starts latest first", () => {
    for (const starts of Object.values(GREETING_PERIOD_STARTS)) {
      const hours = starts.map(([hour]) => hour);
      expect(hours).toEqual([...hours].sort((left, right) => right - left));
    }
  });
});

describe("buildHome", () => {
  describe("greeting", () => {
    it.each<[string, string]>([
      ["03:59", "Chào buổi tối"],
      ["04:00", "Chào buổi sáng"],
      ["10:59", "Chào buổi sáng"],
      ["11:00", "Chào buổi trưa"],
      ["12:59", "Chào buổi trưa"],
      ["13:00", "Chào buổi chiều"],
      ["17:59", "Chào buổi chiều"],
      ["18:00", "Chào buổi tối"],
      ["23:59", "Chào buổi tối"],
      ["00:00", "Chào buổi tối"],
    ])("greets %s in Vietnam in Vietnamese", (time, expected) => {
      // Act
      const { greeting } = buildHome(sampleInput({ nowMs: vietnamAt(time) }));

      // Assess
      expect(greeting.text).toBe(expected);
    });

    it.each<[string, string]>([
      ["03:59", "Good evening"],
      ["04:00", "Good morning"],
      ["11:00", "Good morning"],
      ["11:59", "Good morning"],
      ["12:00", "Good afternoon"],
      ["17:59", "Good afternoon"],
      ["18:00", "Good evening"],
    ])("greets %s in Vietnam in English", (time, expected) => {
      // Act
      const { greeting } = buildHome(sampleInput({ nowMs: vietnamAt(time), language: "en" }));

      // Assess
      expect(greeting.text).toBe(expected);
    });

    it.each<[string, Language, GreetingPeriod, string]>([
      // 21:20 in Vietnam is 09:20 in New York (UTC-5 in November).
      ["2026-11-03T14:20:00Z", "vi", "morning", "Chào buổi sáng"],
      ["2026-11-03T14:20:00Z", "en", "morning", "Good morning"],
      // 16:30 UTC in July is 12:30 in New York (UTC-4 in summer).
      ["2026-07-01T16:30:00Z", "vi", "noon", "Chào buổi trưa"],
      ["2026-07-01T16:30:00Z", "en", "afternoon", "Good afternoon"],
      // 03:30 in New York, still evening there, is 15:30 in Vietnam.
      ["2026-11-05T08:30:00Z", "vi", "evening", "Chào buổi tối"],
    ])("greets %s in New York in %s", (instant, language, period, expected) => {
      // Act
      const { greeting } = buildHome(
        sampleInput({ nowMs: Date.parse(instant), language, timeZone: NEW_YORK }),
      );

      // Assess
      expect(greeting.period).toBe(period);
      expect(greeting.text).toBe(expected);
    });

    it("greets the same instant by zone", () => {
      // Prepare
      const nowMs = Date.parse("2026-11-03T14:20:00Z");

      // Act
      const inVietnam = buildHome(sampleInput({ nowMs }));
      const inNewYork = buildHome(sampleInput({ nowMs, timeZone: NEW_YORK }));

      // Assess
      expect(inVietnam.greeting.text).toBe("Chào buổi tối");
      expect(inNewYork.greeting.text).toBe("Chào buổi sáng");
    });

    it.each<[Language, string, string]>([
      ["vi", "Lan", "Chào buổi sáng, Lan"],
      ["en", "Lan", "Good morning, Lan"],
      ["vi", "  Nguyễn   Thị Hồng ", "Chào buổi sáng, Nguyễn Thị Hồng"],
      ["vi", "   ", "Chào buổi sáng"],
      ["vi", "", "Chào buổi sáng"],
    ])("greets in %s with the name %j", (language, displayName, expected) => {
      // Act
      const { greeting } = buildHome(sampleInput({ language, displayName }));

      // Assess
      expect(greeting.text).toBe(expected);
    });

    it("composes a decomposed name to NFC", () => {
      // Act
      const { greeting } = buildHome(sampleInput({ displayName: "Trần Thị Hồng Nhung".normalize("NFD") }));

      // Assess
      expect(greeting.text).toBe("Chào buổi sáng, Trần Thị Hồng Nhung".normalize("NFC"));
    });
  });

  describe("preferences", () => {
    it("passes the theme and layout", () => {
      // Prepare
      const input = sampleInput();
      const preferences: HomeInput["preferences"] = {
        ...input.preferences,
        theme: "dark",
        homeLayout: ["shortcuts", "balance"],
      };

      // Act
      const home = buildHome({ ...input, preferences });

      // Assess
      expect(home.theme).toBe("dark");
      expect(home.layout).toEqual(["shortcuts", "balance"]);
    });

    it("uses the default layout", () => {
      // Act
      const home = buildHome(sampleInput());

      // Assess
      expect(home.theme).toBe("system");
      expect(home.layout).toEqual(["balance", "insights", "upcoming_bills", "offers", "shortcuts"]);
    });
  });

  describe("top insight", () => {
    it.each<[string, number, string]>([
      ["2026-11-20", 0, "dự kiến đến hạn hôm nay."],
      ["2026-11-21", 1, "dự kiến đến hạn vào ngày mai."],
      ["2026-11-23", 3, "dự kiến đến hạn vào ngày 23/11."],
    ])("puts a bill due on %s first", (dueDate, days, ending) => {
      // Prepare
      const profile = sampleProfile({
        evn: { ...monthlyPayee("EVN HCMC", "bills_utilities", "2026-10-25", 950_000), nextDate: dueDate },
      });

      // Act
      const { topInsight } = buildHome(sampleInput({ profile }));

      // Assess
      expect(topInsight?.kind).toBe("upcoming_bill");
      if (topInsight?.kind !== "upcoming_bill") return;
      expect(topInsight.bill.daysUntilDue).toBe(days);
      expect(topInsight.title).toBe("Sắp đến hạn thanh toán cho EVN HCMC");
      expect(spaced(topInsight.body)).toBe(`Khoản thanh toán cho EVN HCMC, khoảng 950.000 ₫, ${ending}`);
    });

    it("words the bill in English", () => {
      // Prepare
      const profile = sampleProfile({
        evn: {
          ...monthlyPayee("EVN HCMC", "bills_utilities", "2026-10-25", 950_000),
          nextDate: "2026-11-22",
        },
      });

      // Act
      const { topInsight } = buildHome(sampleInput({ profile, language: "en" }));

      // Assess
      expect(topInsight?.title).toBe("Payment to EVN HCMC due soon");
      expect(topInsight?.body).toBe("Your payment to EVN HCMC, about ₫950,000, is due on November 22.");
    });

    it("falls back to the category increase", () => {
      // Prepare
      // The only bill is 4 days away, past the 3-day window.
      const profile = sampleProfile({
        evn: {
          ...monthlyPayee("EVN HCMC", "bills_utilities", "2026-10-25", 950_000),
          nextDate: "2026-11-24",
        },
      });

      // Act
      const { topInsight } = buildHome(sampleInput({ profile }));

      // Assess
      expect(topInsight?.kind).toBe("category_increase");
      if (topInsight?.kind !== "category_increase") return;
      expect(topInsight.category).toBe("food_drink");
      expect(topInsight.changePercent).toBe(50);
      expect(topInsight.previousAverage.amountMinor).toBe(2_000_000);
      expect(topInsight.title).toBe("Chi tiêu cho ăn uống tăng 50%");
      expect(spaced(topInsight.body)).toBe(
        "Tháng này bạn đã chi 3.000.000 ₫ cho ăn uống, trong khi mức trung bình của các tháng trước là 2.000.000 ₫.",
      );
    });

    it("is null without bills or increases", () => {
      // Prepare
      const months = { "2026-11": { VND: totals({ food_drink: 3_000_000 }) } };

      // Act
      const { topInsight } = buildHome(sampleInput({ profile: sampleProfile({}), months }));

      // Assess
      expect(topInsight).toBeNull();
    });
  });

  describe("top offer", () => {
    it("takes the first ranked offer", () => {
      // Prepare
      const offers = [offer("instalment-offer", "2026-12-01"), offer("term-deposit-offer", "2026-12-31")];

      // Act
      const { topOffer } = buildHome(sampleInput({ offers }));

      // Assess
      expect(topOffer).toEqual({
        offerId: "instalment-offer",
        productCode: "CARD_INSTALMENT_0",
        title: "Ưu đãi instalment-offer",
        body: "Nội dung ưu đãi",
        validUntil: "2026-12-01",
      });
    });

    it("skips an expired offer", () => {
      // Prepare
      const offers = [offer("expired", "2026-11-19"), offer("last-day", "2026-11-20")];

      // Act
      const { topOffer } = buildHome(sampleInput({ offers }));

      // Assess
      expect(topOffer?.offerId).toBe("last-day");
    });

    it("is null without offers", () => {
      // Act
      const { topOffer } = buildHome(sampleInput({ offers: [offer("expired", "2026-11-19")] }));

      // Assess
      expect(topOffer).toBeNull();
    });
  });

  describe("shortcuts", () => {
    it("lists monthly payees most recent first", () => {
      // Act
      const { shortcuts } = buildHome(sampleInput());

      // Assess
      expect(shortcuts.map((shortcut) => [shortcut.payeeKey, shortcut.lastDate])).toEqual([
        ["rent", "2026-11-03"],
        ["vnpt", "2026-11-02"],
        ["netflix", "2026-10-28"],
        ["evn", "2026-10-25"],
      ]);
    });

    it("labels the shortcut in Vietnamese", () => {
      // Act
      const { shortcuts } = buildHome(sampleInput());

      // Assess
      const evn = shortcuts.find((shortcut) => shortcut.payeeKey === "evn");
      expect(evn?.label).toBe("Thanh toán lại cho EVN HCMC");
      expect(evn?.payeeName).toBe("EVN HCMC");
      expect(evn?.category).toBe("bills_utilities");
      expect(evn?.categoryLabel).toBe("hóa đơn và tiện ích");
      expect(evn?.lastAmount.amountMinor).toBe(950_000);
      expect(spaced(evn?.lastAmount.formatted ?? "")).toBe("950.000 ₫");
    });

    it("labels the shortcut in English", () => {
      // Act
      const { shortcuts } = buildHome(sampleInput({ language: "en" }));

      // Assess
      const evn = shortcuts.find((shortcut) => shortcut.payeeKey === "evn");
      expect(evn?.label).toBe("Pay EVN HCMC again");
      expect(evn?.lastAmount.formatted).toBe("₫950,000");
    });

    it("leaves out weekly, credit and one-off payees", () => {
      // Prepare
      const { yoga, salary, cafe } = samplePayees();
      const profile = sampleProfile({ yoga, salary, cafe });

      // Act
      const { shortcuts } = buildHome(sampleInput({ profile }));

      // Assess
      expect(shortcuts).toEqual([]);
    });

    it("composes payee names to NFC", () => {
      // Prepare
      const profile = sampleProfile({
        water: monthlyPayee("Cấp nước Chợ Lớn".normalize("NFD"), "bills_utilities", "2026-11-10", 180_000),
      });

      // Act
      const { shortcuts } = buildHome(sampleInput({ profile }));

      // Assess
      expect(shortcuts[0]?.payeeName).toBe("Cấp nước Chợ Lớn".normalize("NFC"));
      expect(shortcuts[0]?.label).toBe("Thanh toán lại cho Cấp nước Chợ Lớn".normalize("NFC"));
    });
  });

  describe("balances", () => {
    it("formats each account in Vietnamese", () => {
      // Act
      const { balances } = buildHome(sampleInput());

      // Assess
      expect(balances.map((entry) => [entry.accountId, spaced(entry.balance.formatted), entry.asOf])).toEqual(
        [
          ["acc-overdrawn", "-1.250.000 ₫", "2026-11-18T09:00:00+07:00"],
          ["acc-usd", "1.000,00 US$", "2026-11-01T08:00:00+07:00"],
          ["acc-vnd", "150.000.000 ₫", "2026-11-19T12:00:00+07:00"],
        ],
      );
    });

    it("formats each account in English", () => {
      // Act
      const { balances } = buildHome(sampleInput({ language: "en" }));

      // Assess
      expect(balances.map((entry) => entry.balance.formatted)).toEqual([
        "-₫1,250,000",
        "$1,000.00",
        "₫150,000,000",
      ]);
      expect(balances.map((entry) => entry.balance.amountMinor)).toEqual([-1_250_000, 100_000, 150_000_000]);
    });

    it("is empty for a new customer", () => {
      // Act
      const home = buildHome(sampleInput({ profile: emptyProfile("cust-0002"), months: {} }));

      // Assess
      expect(home.balances).toEqual([]);
      expect(home.shortcuts).toEqual([]);
      expect(home.topInsight).toBeNull();
    });
  });

  describe("input", () => {
    it("rejects insights of another month", () => {
      // Prepare
      const input = sampleInput();
      const insights = buildInsights({
        profile: input.profile,
        months: RISING_FOOD,
        month: "2026-10",
        nowMs: NOW,
        preferences: { language: "vi", timeZone: VIETNAM },
        renderer,
        homeCurrency: "VND",
        defaults,
      });

      // Act
      const act = () => buildHome({ ...input, insights });

      // Assess
      expect(act).toThrow("buildHome needs the insights of the current month 2026-11, got those of 2026-10");
    });
  });

  describe("text", () => {
    it("returns plain JSON", () => {
      // Act
      const home = buildHome(
        sampleInput({ offers: [offer("instalment-offer", "2026-12-01")], displayName: "Lan" }),
      );

      // Assess
      expect(JSON.parse(JSON.stringify(home))).toEqual(home);
    });
  });
});
