import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { QuietHours } from "../../../lambdas/domain/preferences";
import {
  endOfQuietHours,
  instantOfLocal,
  isInQuietHours,
  offsetMinutes,
  toLocalTime,
} from "../../../lambdas/domain/zoned-time";

const VIETNAM = "Asia/Ho_Chi_Minh";
const PRAGUE = "Europe/Prague";
const NEW_YORK = "America/New_York";

const NIGHT: QuietHours = { start: "22:00", end: "07:00" };

/** Zones with whole, half and quarter-hour offsets, east and west of UTC, with and without daylight saving. */
const ZONES = [
  VIETNAM,
  PRAGUE,
  NEW_YORK,
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "America/St_Johns",
  "America/Santiago",
  "Pacific/Chatham",
  "UTC",
];

/** Returns the ISO 8601 text of an instant, in UTC. */
function iso(instantMs: number): string {
  return new Date(instantMs).toISOString();
}

describe("toLocalTime", () => {
  it.each([
    ["2026-11-30T17:00:00Z", VIETNAM, { date: "2026-12-01", time: "00:00", hour: 0, minuteOfDay: 0 }],
    ["2026-11-30T16:59:59Z", VIETNAM, { date: "2026-11-30", time: "23:59", hour: 23, minuteOfDay: 1439 }],
    ["2026-11-03T01:15:42Z", VIETNAM, { date: "2026-11-03", time: "08:15", hour: 8, minuteOfDay: 495 }],
    ["2026-01-15T12:30:00Z", PRAGUE, { date: "2026-01-15", time: "13:30", hour: 13, minuteOfDay: 810 }],
    ["2026-07-15T12:30:00Z", PRAGUE, { date: "2026-07-15", time: "14:30", hour: 14, minuteOfDay: 870 }],
    ["2026-07-15T02:30:00Z", NEW_YORK, { date: "2026-07-14", time: "22:30", hour: 22, minuteOfDay: 1350 }],
    [
      "2026-07-15T12:30:00Z",
      "Asia/Kathmandu",
      { date: "2026-07-15", time: "18:15", hour: 18, minuteOfDay: 1095 },
    ],
  ])("reads %s in %s", (instant, timeZone, expected) => {
    // Act
    const local = toLocalTime(Date.parse(instant), timeZone);

    // Assess
    expect(local).toEqual(expected);
  });
});

describe("toLocalTime against Intl", () => {
  it("agrees with a fresh formatter at any instant, across transitions and historical offsets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1880, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...ZONES, "Europe/Amsterdam", "Africa/Monrovia"),
        (instant, timeZone) => {
          // Act
          const local = toLocalTime(instant, timeZone);

          // Assess
          const parts = Object.fromEntries(
            new Intl.DateTimeFormat("en-US", {
              timeZone,
              hourCycle: "h23",
              year: "numeric",
              month: "2-digit",
              day: "2-digit",
              hour: "2-digit",
              minute: "2-digit",
            })
              .formatToParts(new Date(instant))
              .map((part) => [part.type, part.value]),
          );
          expect(local.date).toBe(`${parts.year}-${parts.month}-${parts.day}`);
          expect(local.time).toBe(`${parts.hour}:${parts.minute}`);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("offsetMinutes", () => {
  it.each([
    ["2026-11-03T01:15:42Z", VIETNAM, 420],
    ["2026-01-15T12:00:00Z", PRAGUE, 60],
    ["2026-07-15T12:00:00Z", PRAGUE, 120],
    ["2026-07-15T12:00:00Z", NEW_YORK, -240],
    ["2026-07-15T12:00:00Z", "Asia/Kathmandu", 345],
  ])("returns the offset at %s in %s", (instant, timeZone, offset) => {
    // Act
    const minutes = offsetMinutes(Date.parse(instant), timeZone);

    // Assess
    expect(minutes).toBe(offset);
  });
});

describe("instantOfLocal", () => {
  it.each([
    ["2026-12-01", "07:00", VIETNAM, "2026-12-01T00:00:00.000Z"],
    ["2026-12-01", "00:00", VIETNAM, "2026-11-30T17:00:00.000Z"],
    ["2026-01-15", "07:00", PRAGUE, "2026-01-15T06:00:00.000Z"],
    ["2026-07-15", "07:00", PRAGUE, "2026-07-15T05:00:00.000Z"],
    ["2026-03-29", "01:59", PRAGUE, "2026-03-29T00:59:00.000Z"],
    ["2026-03-29", "03:00", PRAGUE, "2026-03-29T01:00:00.000Z"],
    ["2026-07-15", "07:00", NEW_YORK, "2026-07-15T11:00:00.000Z"],
    ["2026-03-08", "03:30", NEW_YORK, "2026-03-08T07:30:00.000Z"],
    ["2026-07-15", "07:00", "Asia/Kathmandu", "2026-07-15T01:15:00.000Z"],
  ])("finds %s %s in %s", (date, time, timeZone, expected) => {
    // Act
    const instant = instantOfLocal(date, time, timeZone);

    // Assess
    expect(iso(instant)).toBe(expected);
  });

  it.each([
    // Prague moves from 02:00 CET to 03:00 CEST, so 02:30 is read as 03:30 CEST.
    ["2026-03-29", "02:30", PRAGUE, "2026-03-29T01:30:00.000Z"],
    ["2026-10-04", "02:30", "Australia/Sydney", "2026-10-03T16:30:00.000Z"],
    // New York moves from 02:00 EST to 03:00 EDT, so 02:30 should be read as 03:30 EDT.
    ["2026-03-08", "02:30", NEW_YORK, "2026-03-08T07:30:00.000Z"],
  ])("moves %s %s in %s past the gap", (date, time, timeZone, expected) => {
    // Act
    const instant = instantOfLocal(date, time, timeZone);

    // Assess
    expect(iso(instant)).toBe(expected);
  });

  it("reads a skipped time as the time after the jump", () => {
    // Act
    const local = toLocalTime(instantOfLocal("2026-03-29", "02:30", PRAGUE), PRAGUE);

    // Assess
    expect(local.date).toBe("2026-03-29");
    expect(local.time).toBe("03:30");
  });

  it("returns a repeated time once", () => {
    // Act
    const instant = instantOfLocal("2026-10-25", "02:30", PRAGUE);

    // Assess
    expect(["2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z"]).toContain(iso(instant));
    expect(toLocalTime(instant, PRAGUE).time).toBe("02:30");
  });

  it("inverts toLocalTime for every existing wall time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2031, 0, 1) }),
        fc.constantFrom(...ZONES),
        (instantMs, timeZone) => {
          // Prepare
          const local = toLocalTime(instantMs, timeZone);

          // Act
          const roundTrip = toLocalTime(instantOfLocal(local.date, local.time, timeZone), timeZone);

          // Assess
          expect(roundTrip.date).toBe(local.date);
          expect(roundTrip.time).toBe(local.time);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("isInQuietHours", () => {
  it.each([
    ["21:59", false],
    ["22:00", true],
    ["23:30", true],
    ["00:00", true],
    ["03:00", true],
    ["06:59", true],
    ["07:00", false],
    ["12:00", false],
  ])("checks %s against a window across midnight", (time, expected) => {
    // Prepare
    const instant = instantOfLocal("2026-11-03", time, VIETNAM);

    // Act
    const quiet = isInQuietHours(instant, NIGHT, VIETNAM);

    // Assess
    expect(quiet).toBe(expected);
  });

  it.each([
    ["12:59", false],
    ["13:00", true],
    ["14:59", true],
    ["15:00", false],
    ["23:00", false],
  ])("checks %s against an afternoon window", (time, expected) => {
    // Prepare
    const instant = instantOfLocal("2026-11-03", time, VIETNAM);

    // Act
    const quiet = isInQuietHours(instant, { start: "13:00", end: "15:00" }, VIETNAM);

    // Assess
    expect(quiet).toBe(expected);
  });

  it.each(["00:00", "08:00", "22:00", "23:59"])("treats equal start and end as off at %s", (time) => {
    // Prepare
    const instant = instantOfLocal("2026-11-03", time, VIETNAM);

    // Act
    const quiet = isInQuietHours(instant, { start: "08:00", end: "08:00" }, VIETNAM);

    // Assess
    expect(quiet).toBe(false);
  });

  it("treats null as off", () => {
    // Prepare
    const instant = instantOfLocal("2026-11-03", "03:00", VIETNAM);

    // Act
    const quiet = isInQuietHours(instant, null, VIETNAM);

    // Assess
    expect(quiet).toBe(false);
  });

  it("reads the clock in the customer's zone", () => {
    // Prepare
    const instant = Date.parse("2026-11-03T15:30:00Z");

    // Act
    const inVietnam = isInQuietHours(instant, NIGHT, VIETNAM);
    const inPrague = isInQuietHours(instant, NIGHT, PRAGUE);

    // Assess
    expect(inVietnam).toBe(true);
    expect(inPrague).toBe(false);
  });
});

describe("endOfQuietHours", () => {
  it.each([
    ["late evening", "2026-11-03T23:30:00+07:00", "2026-11-04T00:00:00.000Z"],
    ["10 pm sharp", "2026-11-03T22:00:00+07:00", "2026-11-04T00:00:00.000Z"],
    ["after midnight", "2026-11-04T00:10:00+07:00", "2026-11-04T00:00:00.000Z"],
    ["early morning", "2026-11-04T06:59:00+07:00", "2026-11-04T00:00:00.000Z"],
    ["the last evening of a month", "2026-11-30T23:00:00+07:00", "2026-12-01T00:00:00.000Z"],
    ["the last evening of a year", "2026-12-31T22:30:00+07:00", "2027-01-01T00:00:00.000Z"],
  ])("ends the night in Vietnam from %s", (_case, instant, expected) => {
    // Act
    const end = endOfQuietHours(Date.parse(instant), NIGHT, VIETNAM);

    // Assess
    expect(iso(end)).toBe(expected);
  });

  it("ends an afternoon window on the same day", () => {
    // Act
    const end = endOfQuietHours(
      Date.parse("2026-11-03T14:00:00+07:00"),
      { start: "13:00", end: "15:00" },
      VIETNAM,
    );

    // Assess
    expect(iso(end)).toBe("2026-11-03T08:00:00.000Z");
  });

  it.each([
    ["a winter night", "2026-01-15T23:00:00+01:00", "2026-01-16T06:00:00.000Z"],
    ["a summer night", "2026-07-15T23:00:00+02:00", "2026-07-16T05:00:00.000Z"],
    ["the night clocks go forward", "2026-03-28T23:00:00+01:00", "2026-03-29T05:00:00.000Z"],
    ["the night clocks go back", "2026-10-24T23:00:00+02:00", "2026-10-25T06:00:00.000Z"],
    ["after the clocks went forward", "2026-03-29T04:00:00+02:00", "2026-03-29T05:00:00.000Z"],
  ])("ends %s in Prague at 07:00 local", (_case, instant, expected) => {
    // Act
    const end = endOfQuietHours(Date.parse(instant), NIGHT, PRAGUE);

    // Assess
    expect(iso(end)).toBe(expected);
    expect(toLocalTime(end, PRAGUE).time).toBe("07:00");
  });

  it("ends inside a gap at the time after the jump", () => {
    // Prepare
    const quietHours = { start: "22:00", end: "02:30" };

    // Act
    const end = endOfQuietHours(Date.parse("2026-03-29T01:45:00+01:00"), quietHours, PRAGUE);

    // Assess
    expect(iso(end)).toBe("2026-03-29T01:30:00.000Z");
  });

  it("ends inside a gap west of UTC on the same night", () => {
    // Prepare
    const quietHours = { start: "22:00", end: "02:30" };

    // Act
    const end = endOfQuietHours(Date.parse("2026-03-08T01:45:00-05:00"), quietHours, NEW_YORK);

    // Assess
    expect(iso(end)).toBe("2026-03-08T07:30:00.000Z");
  });

  it("always returns a later instant", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2031, 0, 1) }),
        fc.constantFrom(...ZONES),
        (instantMs, timeZone) => {
          // Act
          const end = endOfQuietHours(instantMs, NIGHT, timeZone);

          // Assess
          expect(end).toBeGreaterThan(instantMs);
          expect(end - instantMs).toBeLessThanOrEqual(25 * 3_600_000);
          expect(toLocalTime(end, timeZone).time).toBe("07:00");
        },
      ),
      { numRuns: 2000 },
    );
  });
});
