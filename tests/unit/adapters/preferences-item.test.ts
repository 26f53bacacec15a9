import { describe, expect, it } from "vitest";
import { preferencesFromItem, preferencesToItem } from "../../../lambdas/adapters/dynamodb/customer-items";
import { CorruptItemError } from "../../../lambdas/domain/errors";
import { defaultPreferences, type Preferences } from "../../../lambdas/domain/preferences";

const CUSTOMER_ID = "cust-prefs";

/** Preferences that differ from the defaults in every field, as the API would accept them. */
const SAVED: Preferences = {
  language: "en",
  timeZone: "Europe/Prague",
  quietHours: { start: "23:00", end: "06:30" },
  dailyMessageCap: 3,
  channels: { "low-balance": ["inbox"], offers: [] },
  thresholds: { lowBalance: { VND: 1_000_000 }, largeTransaction: { USD: 50_000 } },
  paymentReminderLeadDays: 5,
  theme: "dark",
  homeLayout: ["balance", "offers"],
};

/** Builds a stored item of {@link SAVED} at version 4, with fields replaced by `changes`. */
function storedItem(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...preferencesToItem(CUSTOMER_ID, SAVED, 4, new Date("2026-11-01T00:00:00Z")),
    ...changes,
  };
}

describe("preferencesFromItem", () => {
  it("reads a valid item unchanged", () => {
    // Act
    const read = preferencesFromItem(storedItem());

    // Assess
    expect(read.preferences).toEqual(SAVED);
    expect(read.version).toBe(4);
    expect(read.defaultedFields).toEqual([]);
  });

  it("returns defaults without an item", () => {
    // Act
    const read = preferencesFromItem(undefined);

    // Assess
    expect(read).toEqual({ preferences: defaultPreferences(), version: 0, defaultedFields: [] });
  });

  it("fills fields an older item lacks without reporting them", () => {
    // Prepare
    const item = storedItem();
    delete item.theme;
    delete item.homeLayout;
    delete item.thresholds;

    // Act
    const read = preferencesFromItem(item);

    // Assess
    expect(read.preferences.theme).toBe(defaultPreferences().theme);
    expect(read.preferences.homeLayout).toEqual(defaultPreferences().homeLayout);
    expect(read.preferences.thresholds).toEqual({ lowBalance: {}, largeTransaction: {} });
    expect(read.preferences.timeZone).toBe("Europe/Prague");
    expect(read.defaultedFields).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, keyof Preferences, string]>([
    ["an unknown time zone", { timeZone: "Mars/Olympus_Mons" }, "timeZone", "timeZone"],
    ["a time zone of another type", { timeZone: 7 }, "timeZone", "timeZone"],
    ["quiet hours past 23:59", { quietHours: { start: "25:00", end: "07:00" } }, "quietHours", "quietHours"],
    ["quiet hours without an end", { quietHours: { start: "22:00" } }, "quietHours", "quietHours"],
    ["quiet hours as text", { quietHours: "22-07" }, "quietHours", "quietHours"],
    ["an unknown language", { language: "fr" }, "language", "language"],
    ["a fractional cap", { dailyMessageCap: 2.5 }, "dailyMessageCap", "dailyMessageCap"],
    ["a cap above 50", { dailyMessageCap: 51 }, "dailyMessageCap", "dailyMessageCap"],
    [
      "a lead time above 14 days",
      { paymentReminderLeadDays: 30 },
      "paymentReminderLeadDays",
      "paymentReminderLeadDays",
    ],
    ["an unknown theme", { theme: "neon" }, "theme", "theme"],
    ["a widget listed twice", { homeLayout: ["balance", "balance"] }, "homeLayout", "homeLayout"],
    ["channels as a list", { channels: ["push"] }, "channels", "channels"],
    ["thresholds as text", { thresholds: "high" }, "thresholds", "thresholds"],
  ])("replaces %s with the default", (_case, changes, field, reported) => {
    // Act
    const read = preferencesFromItem(storedItem(changes));

    // Assess
    expect(read.preferences[field]).toEqual(defaultPreferences()[field]);
    expect(read.defaultedFields).toEqual([reported]);
  });

  it("keeps the valid fields beside invalid ones", () => {
    // Act
    const read = preferencesFromItem(
      storedItem({ timeZone: "Not/A_Zone", quietHours: { start: "7am", end: "22:00" } }),
    );

    // Assess
    expect(read.defaultedFields).toEqual(["timeZone", "quietHours"]);
    expect(read.preferences).toEqual({
      ...SAVED,
      timeZone: defaultPreferences().timeZone,
      quietHours: defaultPreferences().quietHours,
    });
    expect(read.version).toBe(4);
  });

  it("keeps quiet hours turned off", () => {
    // Act
    const read = preferencesFromItem(storedItem({ quietHours: null }));

    // Assess
    expect(read.preferences.quietHours).toBeNull();
    expect(read.defaultedFields).toEqual([]);
  });

  it("drops only the invalid entries of a map", () => {
    // Prepare
    const changes = {
      channels: { "low-balance": ["inbox"], "negative-balance": ["sms"], offers: [] },
      thresholds: { lowBalance: { VND: 1_000_000, vnd: 5, USD: -1 }, largeTransaction: { USD: 50_000 } },
    };

    // Act
    const read = preferencesFromItem(storedItem(changes));

    // Assess
    expect(read.preferences.channels).toEqual({ "low-balance": ["inbox"], offers: [] });
    expect(read.preferences.thresholds).toEqual({
      lowBalance: { VND: 1_000_000 },
      largeTransaction: { USD: 50_000 },
    });
    expect(read.defaultedFields).toEqual(["channels", "thresholds.lowBalance"]);
  });

  it("reports field names, never values", () => {
    // Act
    const read = preferencesFromItem(storedItem({ timeZone: "secret-value" }));

    // Assess
    expect(JSON.stringify(read.defaultedFields)).not.toContain("secret-value");
  });

  it("rejects an item without a readable version", () => {
    // Act
    const act = () => preferencesFromItem(storedItem({ version: "4" }));

    // Assess
    expect(act).toThrow(CorruptItemError);
    expect(act).toThrow("Stored item C#cust-prefs/PREFERENCES is not readable: invalid version");
  });
});
