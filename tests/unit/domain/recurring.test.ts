import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../../lambdas/domain/calendar";
import {
  type Cadence,
  detectCadence,
  nextExpectedDate,
  PAYEE_DATES_KEPT,
  type PayeeHistory,
  type PaymentObservation,
  recordPayment,
} from "../../../lambdas/domain/recurring";

/** Builds a payment of an electricity bill of 1 049 000 VND on `date`, changed by `fields`. */
function payment(date: string, fields: Partial<PaymentObservation> = {}): PaymentObservation {
  return {
    name: "EVN HCMC",
    category: "bills_utilities",
    direction: "debit",
    currency: "VND",
    date,
    amountMinor: 1_049_000,
    ...fields,
  };
}

/** Records the payments one after another, starting from no history. */
function recordAll(payments: readonly PaymentObservation[]): PayeeHistory | undefined {
  let history: PayeeHistory | undefined;
  for (const observation of payments) history = recordPayment(history, observation);
  return history;
}

describe("detectCadence", () => {
  it.each<[string, readonly string[], Cadence]>([
    ["7-day gaps", ["2026-01-01", "2026-01-08", "2026-01-15"], "weekly"],
    ["6 and 8-day gaps", ["2026-01-01", "2026-01-07", "2026-01-15", "2026-01-22"], "weekly"],
    ["14-day gaps", ["2026-01-02", "2026-01-16", "2026-01-30"], "fortnightly"],
    ["13 and 16-day gaps", ["2026-01-02", "2026-01-15", "2026-01-31"], "fortnightly"],
    ["month ends", ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"], "monthly"],
    ["the 15th of each month", ["2025-12-15", "2026-01-15", "2026-02-15", "2026-03-15"], "monthly"],
    ["28 to 31-day gaps", ["2026-02-01", "2026-03-01", "2026-04-01", "2026-05-02"], "monthly"],
    ["quarter days", ["2026-01-15", "2026-04-15", "2026-07-15", "2026-10-15"], "quarterly"],
    ["quarter ends", ["2025-12-31", "2026-03-31", "2026-06-30"], "quarterly"],
    ["anniversaries", ["2024-03-01", "2025-03-01", "2026-03-01"], "yearly"],
    ["anniversaries across a leap day", ["2023-06-01", "2024-06-01", "2025-06-01"], "yearly"],
    ["a skipped month", ["2026-01-15", "2026-02-15", "2026-03-15", "2026-05-15"], "monthly"],
    ["a skipped month among three dates", ["2026-01-15", "2026-02-15", "2026-04-15"], "monthly"],
    ["a skipped fortnight", ["2026-01-02", "2026-01-16", "2026-02-13"], "fortnightly"],
    ["a skipped quarter", ["2025-01-15", "2025-04-15", "2025-10-15"], "quarterly"],
    ["a skipped year", ["2022-03-01", "2023-03-01", "2025-03-01"], "yearly"],
    ["weekly and skipped weeks", ["2026-01-01", "2026-01-08", "2026-01-22", "2026-02-05"], "weekly"],
  ])("detects %s as %s", (_case, dates, cadence) => {
    // Act
    const actual = detectCadence(dates);

    // Assess
    expect(actual).toBe(cadence);
  });

  it.each<[string, readonly string[]]>([
    ["a weekly then a monthly gap", ["2026-01-01", "2026-01-08", "2026-02-08"]],
    ["a monthly then a weekly gap", ["2026-01-01", "2026-02-01", "2026-02-08"]],
    ["10-day gaps", ["2026-01-01", "2026-01-11", "2026-01-21"]],
    ["20-day gaps", ["2026-01-01", "2026-01-21", "2026-02-10"]],
    ["only two-month gaps", ["2026-01-01", "2026-03-02", "2026-05-01"]],
    ["a gap of three months", ["2026-01-15", "2026-02-15", "2026-05-15"]],
    ["200-day gaps", ["2025-01-01", "2025-07-20", "2026-02-05"]],
  ])("returns undefined for %s", (_case, dates) => {
    // Act
    const actual = detectCadence(dates);

    // Assess
    expect(actual).toBeUndefined();
  });

  it.each<[number, readonly string[]]>([
    [0, []],
    [1, ["2026-01-01"]],
    [2, ["2026-01-01", "2026-02-01"]],
  ])("returns undefined for %i dates", (_count, dates) => {
    // Act
    const actual = detectCadence(dates);

    // Assess
    expect(actual).toBeUndefined();
  });
});

describe("nextExpectedDate", () => {
  it.each<[string, Cadence, string]>([
    ["2026-11-03", "weekly", "2026-11-10"],
    ["2026-12-28", "weekly", "2027-01-04"],
    ["2026-11-20", "fortnightly", "2026-12-04"],
    ["2026-11-15", "monthly", "2026-12-15"],
    ["2026-12-15", "monthly", "2027-01-15"],
    ["2026-01-31", "monthly", "2026-02-28"],
    ["2028-01-31", "monthly", "2028-02-29"],
    ["2026-11-30", "quarterly", "2027-02-28"],
    ["2026-03-31", "quarterly", "2026-06-30"],
    ["2026-03-01", "yearly", "2027-03-01"],
    ["2024-02-29", "yearly", "2025-02-28"],
  ])("expects the payment after %s (%s) on %s", (lastDate, cadence, expected) => {
    // Act
    const actual = nextExpectedDate(lastDate, cadence);

    // Assess
    expect(actual).toBe(expected);
  });
});

describe("recordPayment", () => {
  it("starts a history without a cadence", () => {
    // Act
    const history = recordPayment(undefined, payment("2026-09-12"));

    // Assess
    expect(history).toEqual({
      name: "EVN HCMC",
      category: "bills_utilities",
      direction: "debit",
      currency: "VND",
      dates: ["2026-09-12"],
      lastAmountMinor: 1_049_000,
    });
  });

  it("detects a cadence at the third payment", () => {
    // Prepare
    const history = recordAll([payment("2026-09-12"), payment("2026-10-12")]);

    // Act
    const updated = recordPayment(history, payment("2026-11-12", { amountMinor: 987_000 }));

    // Assess
    expect(history?.cadence).toBeUndefined();
    expect(updated.dates).toEqual(["2026-09-12", "2026-10-12", "2026-11-12"]);
    expect(updated.cadence).toBe("monthly");
    expect(updated.nextDate).toBe("2026-12-12");
    expect(updated.lastAmountMinor).toBe(987_000);
  });

  it("counts same-day payments once", () => {
    // Prepare
    const history = recordAll([payment("2026-09-12"), payment("2026-10-12")]);

    // Act
    const updated = recordPayment(history, payment("2026-10-12", { amountMinor: 5000 }));

    // Assess
    expect(updated.dates).toEqual(["2026-09-12", "2026-10-12"]);
    expect(updated.cadence).toBeUndefined();
  });

  it(`keeps at most ${PAYEE_DATES_KEPT} dates`, () => {
    // Prepare
    const dates = ["2026-05-12", "2026-06-12", "2026-07-12", "2026-08-12", "2026-09-12", "2026-10-12"];

    // Act
    const history = recordAll(dates.map((date) => payment(date)));

    // Assess
    expect(history?.dates).toEqual(dates.slice(-PAYEE_DATES_KEPT));
    expect(history?.cadence).toBe("monthly");
    expect(history?.nextDate).toBe("2026-11-12");
  });

  it("ignores a payment older than every kept date", () => {
    // Prepare
    const history = recordAll(
      ["2026-06-12", "2026-07-12", "2026-08-12", "2026-09-12"].map((date) => payment(date)),
    );

    // Act
    const updated = recordPayment(history, payment("2026-01-03", { name: "EVN", amountMinor: 1 }));

    // Assess
    expect(updated).toEqual(history);
  });

  it("keeps name, category and amount of the latest payment", () => {
    // Prepare
    const latest = payment("2026-10-12", { name: "EVN HCMC 2", amountMinor: 900_000 });
    const history = recordPayment(undefined, latest);

    // Act
    const updated = recordPayment(
      history,
      payment("2026-09-12", { name: "Old name", category: "housing", amountMinor: 100 }),
    );

    // Assess
    expect(updated.name).toBe("EVN HCMC 2");
    expect(updated.category).toBe("bills_utilities");
    expect(updated.lastAmountMinor).toBe(900_000);
    expect(updated.dates).toEqual(["2026-09-12", "2026-10-12"]);
  });

  it("keeps the currency of the latest payment", () => {
    // Prepare
    const history = recordPayment(undefined, payment("2026-10-12", { currency: "USD", amountMinor: 4_200 }));

    // Act
    const updated = recordPayment(
      history,
      payment("2026-09-12", { currency: "VND", amountMinor: 1_049_000 }),
    );

    // Assess
    expect(updated.lastAmountMinor).toBe(4_200);
    expect(updated.currency).toBe("USD");
  });

  it("gives same-day payments the same result in either order", () => {
    // Prepare
    const first = payment("2026-10-12", { amountMinor: 1_049_000 });
    const second = payment("2026-10-12", { amountMinor: 35_000 });

    // Act
    const inOrder = recordAll([first, second]);
    const reversed = recordAll([second, first]);

    // Assess
    expect(reversed).toEqual(inOrder);
  });

  it("keeps a month-end bill at month ends after February", () => {
    const history = recordAll([payment("2026-12-31"), payment("2027-01-31"), payment("2027-02-28")]);

    expect(history?.cadence).toBe("monthly");
    expect(history?.nextDate).toBe("2027-03-31");
  });

  it("keeps the day of a mid-month bill", () => {
    const history = recordAll([payment("2026-09-12"), payment("2026-10-12"), payment("2026-11-12")]);

    expect(history?.nextDate).toBe("2026-12-12");
  });

  it("tolerates one missed month", () => {
    const history = recordAll([
      payment("2026-04-08"),
      payment("2026-05-08"),
      payment("2026-07-08"),
      payment("2026-08-08"),
    ]);

    expect(history?.cadence).toBe("monthly");
    expect(history?.nextDate).toBe("2026-09-08");
  });

  it("gives the same dates and cadence for any arrival order", () => {
    // Prepare
    const start = fc.integer({ min: 0, max: 700 }).map((offset) => addDays("2025-01-01", offset));
    const gaps = fc.array(
      fc.oneof(fc.constantFrom(0, 7, 14, 30, 31, 91, 365), fc.integer({ min: 0, max: 120 })),
      {
        minLength: 1,
        maxLength: 5,
      },
    );
    const paymentSets = fc
      .tuple(start, gaps)
      .map(([first, steps]) => {
        const dates = [first];
        for (const step of steps) dates.push(addDays(dates.at(-1) ?? first, step));
        return dates;
      })
      .filter((dates) => new Set(dates).size <= PAYEE_DATES_KEPT)
      .chain((dates) =>
        fc.tuple(
          fc.constant(dates),
          fc.shuffledSubarray(dates, { minLength: dates.length, maxLength: dates.length }),
        ),
      );

    fc.assert(
      fc.property(paymentSets, ([dates, shuffled]) => {
        // Act
        const sorted = recordAll(dates.map((date) => payment(date)));
        const permuted = recordAll(shuffled.map((date) => payment(date)));

        // Assess
        expect(permuted?.dates).toEqual(sorted?.dates);
        expect(permuted?.dates).toEqual([...new Set(dates)].sort());
        expect(permuted?.cadence).toBe(sorted?.cadence);
        expect(permuted?.nextDate).toBe(sorted?.nextDate);
      }),
      { numRuns: 1000 },
    );
  });
});
