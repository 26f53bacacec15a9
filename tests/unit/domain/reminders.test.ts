import { describe, expect, it } from "vitest";
import { defaultPreferences, type Preferences } from "../../../lambdas/domain/preferences";
import { type CustomerProfile, emptyProfile } from "../../../lambdas/domain/profile";
import type { PayeeHistory } from "../../../lambdas/domain/recurring";
import { dueChanges } from "../../../lambdas/domain/reminders";
import type { PostedTransaction } from "../../../lambdas/domain/transaction";
import { SALARY, samplePosted } from "../sample-events";
import { CUSTOMER_ID, cardPayment, electricityBill, profileOf } from "./rule-fixtures";

/** Builds the electricity bill payments made on the 12th of August, September and October 2026. */
function threeBills(): PostedTransaction[] {
  return [
    electricityBill("txn-bill-aug", "2026-08-12"),
    electricityBill("txn-bill-sep", "2026-09-12"),
    electricityBill("txn-bill-oct", "2026-10-12"),
  ];
}

/** Returns the only payee key of `profile`, failing the test when there is not exactly one. */
function onlyPayeeKey(profile: CustomerProfile): string {
  const keys = Object.keys(profile.payees);
  if (keys.length !== 1) throw new Error(`expected one payee, found ${keys.length}`);
  return keys[0] as string;
}

/** Builds a monthly rent payee due on `nextDate`, changed by `fields`. */
function rent(nextDate: string, fields: Partial<PayeeHistory> = {}): PayeeHistory {
  return {
    name: "Chủ nhà Nguyễn Văn B",
    category: "housing",
    direction: "debit",
    currency: "VND",
    dates: ["2026-08-03", "2026-09-03", "2026-10-03"],
    lastAmountMinor: 8_000_000,
    cadence: "monthly",
    nextDate,
    ...fields,
  };
}

/** Builds a profile with only the given payees. */
function withPayees(payees: Record<string, PayeeHistory>): CustomerProfile {
  return { ...emptyProfile(CUSTOMER_ID), payees };
}

/** Returns default preferences with a reminder lead time of `days`. */
function preferencesWithLeadDays(days: number): Preferences {
  return { ...defaultPreferences(), paymentReminderLeadDays: days };
}

describe("dueChanges", () => {
  it("puts a bill once it recurs", () => {
    // Prepare
    const bills = threeBills();
    const before = profileOf(bills.slice(0, 2));
    const after = profileOf(bills);

    // Act
    const changes = dueChanges(before, after, defaultPreferences());

    // Assess
    expect(changes).toEqual({
      put: [
        {
          payeeKey: onlyPayeeKey(after),
          name: "EVN HCMC - Tiền điện",
          category: "bills_utilities",
          currency: "VND",
          amountMinor: 1_049_000,
          dueDate: "2026-11-12",
          remindOn: "2026-11-09",
          timeZone: "Asia/Ho_Chi_Minh",
        },
      ],
      remove: [],
    });
  });

  it("moves the due date after a payment", () => {
    // Prepare
    const before = profileOf(threeBills());
    const after = profileOf([electricityBill("txn-bill-nov", "2026-11-12")], before);

    // Act
    const changes = dueChanges(before, after, defaultPreferences());

    // Assess
    expect(changes.remove).toEqual([]);
    expect(changes.put).toHaveLength(1);
    expect(changes.put[0]).toMatchObject({ dueDate: "2026-12-12", remindOn: "2026-12-09" });
  });

  it("updates the amount of a larger payment on the same day", () => {
    // Prepare
    const before = profileOf(threeBills());
    const after = profileOf([electricityBill("txn-bill-oct-2", "2026-10-12", { amount: "1200000" })], before);

    // Act
    const changes = dueChanges(before, after, defaultPreferences());

    // Assess
    expect(changes.put).toHaveLength(1);
    expect(changes.put[0]).toMatchObject({ dueDate: "2026-11-12", amountMinor: 1_200_000 });
  });

  it("updates a renamed payee", () => {
    // Prepare
    const before = withPayees({ nrent: rent("2026-11-03") });
    const after = withPayees({ nrent: rent("2026-11-03", { name: "Chủ nhà Trần Thị C" }) });

    // Act
    const changes = dueChanges(before, after, defaultPreferences());

    // Assess
    expect(changes.put).toEqual([expect.objectContaining({ payeeKey: "nrent", name: "Chủ nhà Trần Thị C" })]);
  });

  it("changes nothing for an unrelated payment", () => {
    // Prepare
    const before = profileOf(threeBills());
    const after = profileOf(
      [cardPayment("txn-coffee", "2026-10-20T08:00:00+07:00", "65000", "9000000")],
      before,
    );

    // Act
    const changes = dueChanges(before, after, defaultPreferences());

    // Assess
    expect(changes).toEqual({ put: [], remove: [] });
  });

  it("removes a bill that stops recurring", () => {
    // Prepare
    const before = profileOf(threeBills());
    const after = profileOf([electricityBill("txn-bill-extra", "2026-10-20")], before);

    // Act
    const changes = dueChanges(before, after, defaultPreferences());

    // Assess
    expect(after.payees[onlyPayeeKey(after)]?.cadence).toBeUndefined();
    expect(changes).toEqual({ put: [], remove: [onlyPayeeKey(before)] });
  });

  it("removes a forgotten payee", () => {
    // Prepare
    const before = withPayees({
      nrent: rent("2026-11-03"),
      nelectricity: rent("2026-11-12", { name: "EVN" }),
    });
    const after = withPayees({ nelectricity: rent("2026-11-12", { name: "EVN" }) });

    // Act
    const changes = dueChanges(before, after, defaultPreferences());

    // Assess
    expect(changes).toEqual({ put: [], remove: ["nrent"] });
  });

  it("removes a payee that turns into a payer", () => {
    // Prepare
    const before = withPayees({ nrent: rent("2026-11-03") });
    const after = withPayees({ nrent: rent("2026-11-03", { direction: "credit" }) });

    // Act
    const changes = dueChanges(before, after, defaultPreferences());

    // Assess
    expect(changes).toEqual({ put: [], remove: ["nrent"] });
  });

  it("ignores a recurring income", () => {
    // Prepare
    const salaries = ["2026-08-05", "2026-09-05", "2026-10-05"].map((date, index) =>
      samplePosted(SALARY, { transactionId: `txn-salary-${index}`, bookingTime: `${date}T09:05:00+07:00` }),
    );
    const after = profileOf(salaries);

    // Act
    const changes = dueChanges(emptyProfile(CUSTOMER_ID), after, defaultPreferences());

    // Assess
    expect(after.payees[onlyPayeeKey(after)]?.cadence).toBe("monthly");
    expect(changes).toEqual({ put: [], remove: [] });
  });

  it.each([
    ["2026-11-12", 3, "2026-11-09"],
    ["2026-11-12", 0, "2026-11-12"],
    ["2026-11-12", 14, "2026-10-29"],
    ["2026-12-03", 5, "2026-11-28"],
    ["2027-01-02", 3, "2026-12-30"],
    ["2028-03-01", 1, "2028-02-29"],
  ])("reminds of a payment due %s with %i lead days on %s", (dueDate, days, remindOn) => {
    // Prepare
    const after = withPayees({ nrent: rent(dueDate) });

    // Act
    const changes = dueChanges(emptyProfile(CUSTOMER_ID), after, preferencesWithLeadDays(days));

    // Assess
    expect(changes.put).toEqual([expect.objectContaining({ dueDate, remindOn })]);
  });

  it("stores the customer's time zone", () => {
    // Prepare
    const preferences = { ...defaultPreferences(), timeZone: "Europe/Prague" };

    // Act
    const changes = dueChanges(
      emptyProfile(CUSTOMER_ID),
      withPayees({ nrent: rent("2026-11-03") }),
      preferences,
    );

    // Assess
    expect(changes.put[0]?.timeZone).toBe("Europe/Prague");
  });
});
