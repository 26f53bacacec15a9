import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  addMonthsClamped,
  daysBetween,
  monthFromIndex,
  monthIndex,
} from "../../../lambdas/domain/calendar";

describe("daysBetween", () => {
  it.each([
    ["2026-01-01", "2026-01-01", 0],
    ["2026-01-01", "2026-01-31", 30],
    ["2026-01-31", "2026-01-01", -30],
    ["2025-12-31", "2026-01-01", 1],
    ["2026-02-28", "2026-03-01", 1],
    ["2024-02-28", "2024-03-01", 2],
    ["2025-01-01", "2026-01-01", 365],
    ["2024-01-01", "2025-01-01", 366],
    ["2026-03-28", "2026-03-30", 2],
    ["2026-10-24", "2026-10-26", 2],
  ])("counts from %s to %s as %i days", (from, to, days) => {
    // Act
    const actual = daysBetween(from, to);

    // Assess
    expect(actual).toBe(days);
  });
});

describe("addDays", () => {
  it.each([
    ["2026-11-03", 0, "2026-11-03"],
    ["2026-11-03", 7, "2026-11-10"],
    ["2026-12-31", 1, "2027-01-01"],
    ["2024-02-28", 1, "2024-02-29"],
    ["2026-02-28", 1, "2026-03-01"],
    ["2026-03-01", -1, "2026-02-28"],
    ["2026-01-01", -1, "2025-12-31"],
    ["2026-01-01", 365, "2027-01-01"],
  ])("adds to %s %i days giving %s", (date, days, expected) => {
    // Act
    const actual = addDays(date, days);

    // Assess
    expect(actual).toBe(expected);
  });
});

describe("addMonthsClamped", () => {
  it.each([
    ["2026-01-31", 1, "2026-02-28"],
    ["2024-01-31", 1, "2024-02-29"],
    ["2028-01-30", 1, "2028-02-29"],
    ["2026-03-31", 1, "2026-04-30"],
    ["2026-01-15", 1, "2026-02-15"],
    ["2026-12-15", 1, "2027-01-15"],
    ["2026-11-30", 3, "2027-02-28"],
    ["2026-08-31", 6, "2027-02-28"],
    ["2024-02-29", 12, "2025-02-28"],
    ["2024-02-29", 48, "2028-02-29"],
    ["2026-03-31", -1, "2026-02-28"],
    ["2026-01-15", -1, "2025-12-15"],
    ["2026-01-31", -14, "2024-11-30"],
    ["2026-05-31", 0, "2026-05-31"],
  ])("adds to %s %i months giving %s", (date, months, expected) => {
    // Act
    const actual = addMonthsClamped(date, months);

    // Assess
    expect(actual).toBe(expected);
  });
});

describe("monthIndex", () => {
  it.each([
    ["2025-12", "2026-01", 1],
    ["2026-01", "2026-12", 11],
    ["2024-11", "2026-02", 15],
    ["2026-05", "2026-05", 0],
  ])("counts from %s to %s as %i months", (from, to, months) => {
    // Act
    const distance = monthIndex(to) - monthIndex(from);

    // Assess
    expect(distance).toBe(months);
  });

  it.each(["0001-01", "1999-12", "2026-01", "2026-11", "2026-12", "9999-12"])(
    "round-trips %s through monthFromIndex",
    (month) => {
      // Act
      const actual = monthFromIndex(monthIndex(month));

      // Assess
      expect(actual).toBe(month);
    },
  );
});

describe("addMonths", () => {
  it.each([
    ["2026-11", 1, "2026-12"],
    ["2026-11", 2, "2027-01"],
    ["2027-01", -2, "2026-11"],
    ["2026-01", -1, "2025-12"],
    ["2026-01", -13, "2024-12"],
    ["2026-05", 24, "2028-05"],
    ["2026-12", 0, "2026-12"],
  ])("adds to %s %i months giving %s", (month, months, expected) => {
    // Act
    const actual = addMonths(month, months);

    // Assess
    expect(actual).toBe(expected);
  });
});
