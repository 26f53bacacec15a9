import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../../lambdas/domain/calendar";
import { formatMinorAsDecimal } from "../../../lambdas/domain/money";
import {
  addToMonth,
  applyTransaction,
  type CustomerProfile,
  emptyProfile,
  MAX_PAYEES,
  type MonthAggregate,
  mergeMonths,
  PROFILE_MONTHS_KEPT,
  type ProfileChange,
  TRIP_GAP_DAYS,
} from "../../../lambdas/domain/profile";
import type { PostedTransaction } from "../../../lambdas/domain/transaction";
import { CARD_ABROAD, CARD_PURCHASE, SALARY, samplePosted } from "../sample-events";

const HOME_COUNTRY = "VN";

/** Builds the café card purchase of the samples, booked at `bookingTime` under `transactionId`. */
function purchase(
  transactionId: string,
  bookingTime: string,
  changes: Record<string, unknown> = {},
): PostedTransaction {
  return samplePosted(CARD_PURCHASE, { transactionId, bookingTime, ...changes });
}

/** Builds a card payment at a terminal in `country` on `date`, or a remote one when `inPerson` is false. */
function cardUse(transactionId: string, date: string, country: string, inPerson = true): PostedTransaction {
  return samplePosted(CARD_ABROAD, {
    transactionId,
    bookingTime: `${date}T19:05:00+07:00`,
    cardPresent: inPerson,
    merchant: { name: "Jay Fai", mcc: "5812", country },
  });
}

/** Builds a transfer to the account `accountNumber`, named `name`, on `date`. */
function transferTo(
  transactionId: string,
  date: string,
  name: string,
  accountNumber: string,
): PostedTransaction {
  return samplePosted(SALARY, {
    transactionId,
    bookingTime: `${date}T10:00:00+07:00`,
    direction: "debit",
    purposeCode: undefined,
    description: undefined,
    counterparty: { name, bankCode: "VCB", accountNumber },
  });
}

/** Applies the transactions in order and returns every change, the last profile and the month totals. */
function applyAll(
  transactions: readonly PostedTransaction[],
  start: CustomerProfile = emptyProfile("cust-0001"),
) {
  let profile = start;
  const changes: ProfileChange[] = [];
  const storedMonths: Record<string, MonthAggregate> = {};
  for (const transaction of transactions) {
    const change = applyTransaction(profile, transaction, HOME_COUNTRY);
    for (const [month, aggregate] of Object.entries(change.evictedMonths)) {
      storedMonths[month] = mergeMonths(storedMonths[month], aggregate);
    }
    if (change.archivedMonth !== undefined) {
      storedMonths[change.archivedMonth] = mergeMonths(
        storedMonths[change.archivedMonth],
        addToMonth(undefined, transaction),
      );
    }
    changes.push(change);
    profile = change.profile;
  }

  const allMonths: Record<string, MonthAggregate> = { ...storedMonths };
  for (const [month, aggregate] of Object.entries(profile.months)) {
    allMonths[month] = mergeMonths(allMonths[month], aggregate);
  }
  return { profile, changes, allMonths, last: changes.at(-1) };
}

/** Adds every transaction into the aggregate of its month, without any window. */
function expectedMonths(transactions: readonly PostedTransaction[]): Record<string, MonthAggregate> {
  const months: Record<string, MonthAggregate> = {};
  for (const transaction of transactions) {
    months[transaction.month] = addToMonth(months[transaction.month], transaction);
  }
  return months;
}

describe("applyTransaction", () => {
  it("sets the balance of a new account", () => {
    // Prepare
    const transaction = purchase("txn-1", "2026-11-03T08:15:42+07:00");

    // Act
    const change = applyTransaction(emptyProfile("cust-0001"), transaction, HOME_COUNTRY);

    // Assess
    expect(change.balanceChanged).toBe(true);
    expect(change.profile.accounts).toEqual({
      "acc-0001-vnd": {
        currency: "VND",
        balanceMinor: 12_435_000,
        balanceAsOf: "2026-11-03T08:15:42+07:00",
        balanceTransactionId: "txn-1",
      },
    });
  });

  it("moves the balance forward to a newer transaction", () => {
    // Prepare
    const older = purchase("txn-1", "2026-11-03T08:15:42+07:00", { balanceAfter: "1000" });
    const newer = purchase("txn-2", "2026-11-03T09:00:00+07:00", { balanceAfter: "2000" });

    // Act
    const { profile, last } = applyAll([older, newer]);

    // Assess
    expect(last?.balanceChanged).toBe(true);
    expect(profile.accounts["acc-0001-vnd"]?.balanceMinor).toBe(2000);
    expect(profile.accounts["acc-0001-vnd"]?.balanceTransactionId).toBe("txn-2");
  });

  it("keeps a newer balance when an older event arrives", () => {
    // Prepare
    const newer = purchase("txn-1", "2026-11-03T09:00:00+07:00", { balanceAfter: "2000" });
    const older = purchase("txn-2", "2026-11-03T08:15:42+07:00", { balanceAfter: "1000" });

    // Act
    const { profile, last } = applyAll([newer, older]);

    // Assess
    expect(last?.balanceChanged).toBe(false);
    expect(profile.accounts["acc-0001-vnd"]).toEqual({
      currency: "VND",
      balanceMinor: 2000,
      balanceAsOf: "2026-11-03T09:00:00+07:00",
      balanceTransactionId: "txn-1",
    });
  });

  it("compares booking times as instants, not as text", () => {
    // Prepare
    const later = purchase("txn-1", "2026-11-03T02:00:00Z", { balanceAfter: "2000" });
    const earlier = purchase("txn-2", "2026-11-03T08:30:00+07:00", { balanceAfter: "1000" });

    // Act
    const { profile } = applyAll([later, earlier]);

    // Assess
    expect(profile.accounts["acc-0001-vnd"]?.balanceMinor).toBe(2000);
  });

  it.each([
    ["in order", ["txn-a", "txn-b"]],
    ["reversed", ["txn-b", "txn-a"]],
  ])("breaks a booking-time tie by transaction id (%s)", (_order, ids) => {
    // Prepare
    const balances: Record<string, string> = { "txn-a": "1000", "txn-b": "2000" };
    const times: Record<string, string> = {
      "txn-a": "2026-11-03T08:15:00+07:00",
      "txn-b": "2026-11-03T01:15:00Z",
    };
    const transactions = ids.map((id) => purchase(id, times[id] ?? "", { balanceAfter: balances[id] }));

    // Act
    const { profile } = applyAll(transactions);

    // Assess
    expect(profile.accounts["acc-0001-vnd"]?.balanceMinor).toBe(2000);
    expect(profile.accounts["acc-0001-vnd"]?.balanceTransactionId).toBe("txn-b");
  });

  it("keeps the balance of each account apart", () => {
    // Prepare
    const vnd = purchase("txn-1", "2026-11-03T08:15:42+07:00");
    const usd = purchase("txn-2", "2026-11-02T08:00:00+07:00", {
      accountId: "acc-0001-usd",
      currency: "USD",
      amount: "12.50",
      balanceAfter: "3400.75",
    });

    // Act
    const { profile, last } = applyAll([vnd, usd]);

    // Assess
    expect(last?.balanceChanged).toBe(true);
    expect(profile.accounts["acc-0001-vnd"]?.balanceMinor).toBe(12_435_000);
    expect(profile.accounts["acc-0001-usd"]).toMatchObject({ currency: "USD", balanceMinor: 340_075 });
  });

  it("adds totals by month, currency and category", () => {
    // Prepare
    const transactions = [
      purchase("txn-1", "2026-11-03T08:15:42+07:00"),
      purchase("txn-2", "2026-11-04T08:15:42+07:00", { amount: "35000" }),
      purchase("txn-3", "2026-11-05T08:15:42+07:00", { merchant: { name: "WinMart", mcc: "5411" } }),
      samplePosted(SALARY),
      purchase("txn-4", "2026-11-06T08:15:42+07:00", {
        accountId: "acc-0001-usd",
        currency: "USD",
        amount: "12.50",
        balanceAfter: "100.00",
      }),
      purchase("txn-5", "2026-10-31T23:59:00+07:00", { amount: "1000" }),
    ];

    // Act
    const { profile } = applyAll(transactions);

    // Assess
    expect(profile.months["2026-11"]).toEqual({
      VND: {
        spending: { food_drink: 100_000, groceries: 65_000 },
        income: { income: 28_500_000 },
        debitCount: 3,
        creditCount: 1,
      },
      USD: { spending: { food_drink: 1250 }, income: {}, debitCount: 1, creditCount: 0 },
    });
    expect(profile.months["2026-10"]).toEqual({
      VND: { spending: { food_drink: 1000 }, income: {}, debitCount: 1, creditCount: 0 },
    });
  });

  it(`keeps ${PROFILE_MONTHS_KEPT} months without eviction`, () => {
    // Prepare
    const transactions = ["2026-08", "2026-09", "2026-10", "2026-11"].map((month, index) =>
      purchase(`txn-${index}`, `${month}-15T12:00:00+07:00`),
    );

    // Act
    const { profile, changes } = applyAll(transactions);

    // Assess
    expect(Object.keys(profile.months).sort()).toEqual(["2026-08", "2026-09", "2026-10", "2026-11"]);
    for (const change of changes) {
      expect(change.evictedMonths).toEqual({});
      expect(change).not.toHaveProperty("archivedMonth");
    }
  });

  it("evicts the oldest month when a new month starts", () => {
    // Prepare
    const fourMonths = ["2026-08", "2026-09", "2026-10", "2026-11"].map((month, index) =>
      purchase(`txn-${index}`, `${month}-15T12:00:00+07:00`),
    );
    const { profile: before } = applyAll(fourMonths);

    // Act
    const change = applyTransaction(before, purchase("txn-9", "2026-12-01T00:30:00+07:00"), HOME_COUNTRY);

    // Assess
    expect(change.evictedMonths).toEqual({ "2026-08": before.months["2026-08"] });
    expect(Object.keys(change.profile.months).sort()).toEqual(["2026-09", "2026-10", "2026-11", "2026-12"]);
    expect(change).not.toHaveProperty("archivedMonth");
  });

  it("evicts every month after a long gap", () => {
    // Prepare
    const fourMonths = ["2026-08", "2026-09", "2026-10", "2026-11"].map((month, index) =>
      purchase(`txn-${index}`, `${month}-15T12:00:00+07:00`),
    );
    const { profile: before } = applyAll(fourMonths);

    // Act
    const change = applyTransaction(before, purchase("txn-9", "2027-06-01T12:00:00+07:00"), HOME_COUNTRY);

    // Assess
    expect(change.evictedMonths).toEqual(before.months);
    expect(Object.keys(change.profile.months)).toEqual(["2027-06"]);
  });

  it("archives a transaction older than the window", () => {
    // Prepare
    const fourMonths = ["2026-08", "2026-09", "2026-10", "2026-11"].map((month, index) =>
      purchase(`txn-${index}`, `${month}-15T12:00:00+07:00`),
    );
    const { profile: before } = applyAll(fourMonths);
    const late = purchase("txn-9", "2026-07-31T23:00:00+07:00", { amount: "40000" });

    // Act
    const change = applyTransaction(before, late, HOME_COUNTRY);

    // Assess
    expect(change.archivedMonth).toBe("2026-07");
    expect(change.evictedMonths).toEqual({});
    expect(change.profile.months).toEqual(before.months);
    expect(change.profile.transactionCount).toBe(5);
    expect(change.profile.debits.VND?.count).toBe(5);
  });

  it("adds a late transaction inside the window to its month", () => {
    // Prepare
    const twoMonths = ["2026-08", "2026-11"].map((month, index) =>
      purchase(`txn-${index}`, `${month}-15T12:00:00+07:00`),
    );
    const { profile: before } = applyAll(twoMonths);

    // Act
    const change = applyTransaction(before, purchase("txn-9", "2026-09-02T12:00:00+07:00"), HOME_COUNTRY);

    // Assess
    expect(change).not.toHaveProperty("archivedMonth");
    expect(change.evictedMonths).toEqual({});
    expect(Object.keys(change.profile.months).sort()).toEqual(["2026-08", "2026-09", "2026-11"]);
  });

  it("keeps debit statistics by currency", () => {
    // Prepare
    const transactions = [
      purchase("txn-1", "2026-11-03T08:15:42+07:00", { amount: "65000" }),
      purchase("txn-2", "2026-11-04T08:15:42+07:00", { amount: "1200000" }),
      purchase("txn-3", "2026-11-05T08:15:42+07:00", { amount: "35000" }),
      samplePosted(SALARY),
      purchase("txn-4", "2026-11-06T08:15:42+07:00", {
        accountId: "acc-0001-usd",
        currency: "USD",
        amount: "12.50",
        balanceAfter: "100.00",
      }),
    ];

    // Act
    const { profile } = applyAll(transactions);

    // Assess
    expect(profile.debits).toEqual({
      VND: { count: 3, totalMinor: 1_300_000, maxMinor: 1_200_000 },
      USD: { count: 1, totalMinor: 1250, maxMinor: 1250 },
    });
  });

  it("records countries only from in-person card use", () => {
    // Prepare
    const transactions = [
      cardUse("txn-1", "2026-11-14", "TH"),
      cardUse("txn-2", "2026-11-15", "US", false),
      samplePosted(SALARY),
    ];

    // Act
    const { profile } = applyAll(transactions);

    // Assess
    expect(profile.countries).toEqual({ TH: "2026-11-14" });
  });

  it("records the home country from in-person use", () => {
    // Act
    const { profile } = applyAll([purchase("txn-1", "2026-11-03T08:15:42+07:00")]);

    // Assess
    expect(profile.countries).toEqual({ VN: "2026-11-03" });
  });

  it("keeps the latest date seen in a country", () => {
    // Prepare
    const transactions = [cardUse("txn-1", "2026-11-20", "TH"), cardUse("txn-2", "2026-11-14", "TH")];

    // Act
    const { profile } = applyAll(transactions);

    // Assess
    expect(profile.countries).toEqual({ TH: "2026-11-20" });
  });

  it("starts a trip at in-person use abroad", () => {
    // Act
    const change = applyTransaction(
      emptyProfile("cust-0001"),
      cardUse("txn-1", "2026-11-14", "TH"),
      HOME_COUNTRY,
    );

    // Assess
    expect(change.tripStarted).toBe(true);
    expect(change.profile.trip).toEqual({ country: "TH", startedOn: "2026-11-14", lastSeenOn: "2026-11-14" });
  });

  it("starts no trip at a remote foreign payment", () => {
    // Act
    const change = applyTransaction(
      emptyProfile("cust-0001"),
      cardUse("txn-1", "2026-11-14", "TH", false),
      HOME_COUNTRY,
    );

    // Assess
    expect(change.tripStarted).toBe(false);
    expect(change.profile).not.toHaveProperty("trip");
  });

  it.each([
    ["the next day", "2026-11-15"],
    [`${TRIP_GAP_DAYS} days later`, addDays("2026-11-14", TRIP_GAP_DAYS)],
  ])("continues a trip at use %s", (_case, date) => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-1", "2026-11-14", "TH")]);

    // Act
    const change = applyTransaction(profile, cardUse("txn-2", date, "TH"), HOME_COUNTRY);

    // Assess
    expect(change.tripStarted).toBe(false);
    expect(change.profile.trip).toEqual({ country: "TH", startedOn: "2026-11-14", lastSeenOn: date });
  });

  it(`starts a new trip after ${TRIP_GAP_DAYS + 1} days without use`, () => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-1", "2026-11-14", "TH")]);
    const date = addDays("2026-11-14", TRIP_GAP_DAYS + 1);

    // Act
    const change = applyTransaction(profile, cardUse("txn-2", date, "TH"), HOME_COUNTRY);

    // Assess
    expect(change.tripStarted).toBe(true);
    expect(change.profile.trip).toEqual({ country: "TH", startedOn: date, lastSeenOn: date });
  });

  it("starts a new trip in another country", () => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-1", "2026-11-14", "TH")]);

    // Act
    const change = applyTransaction(profile, cardUse("txn-2", "2026-11-16", "JP"), HOME_COUNTRY);

    // Assess
    expect(change.tripStarted).toBe(true);
    expect(change.profile.trip).toEqual({ country: "JP", startedOn: "2026-11-16", lastSeenOn: "2026-11-16" });
  });

  it("keeps a trip through a late event inside it", () => {
    // Prepare
    const { profile } = applyAll([
      cardUse("txn-1", "2026-11-14", "TH"),
      cardUse("txn-2", "2026-11-18", "TH"),
    ]);

    // Act
    const change = applyTransaction(profile, cardUse("txn-3", "2026-11-16", "TH"), HOME_COUNTRY);

    // Assess
    expect(change.tripStarted).toBe(false);
    expect(change.profile.trip).toEqual({ country: "TH", startedOn: "2026-11-14", lastSeenOn: "2026-11-18" });
  });

  it("widens a trip to a late event from its first days", () => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-2", "2026-11-14", "TH")]);

    // Act
    const change = applyTransaction(profile, cardUse("txn-1", "2026-11-12", "TH"), HOME_COUNTRY);

    // Assess
    expect(change.tripStarted).toBe(false);
    expect(change.profile.trip).toEqual({ country: "TH", startedOn: "2026-11-12", lastSeenOn: "2026-11-14" });
  });

  it("keeps a trip through a late event from an earlier stay", () => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-1", "2026-11-14", "TH")]);

    // Act
    const change = applyTransaction(profile, cardUse("txn-2", "2026-10-02", "JP"), HOME_COUNTRY);

    // Assess
    expect(change.tripStarted).toBe(false);
    expect(change.profile.trip).toEqual({ country: "TH", startedOn: "2026-11-14", lastSeenOn: "2026-11-14" });
    expect(change.profile.countries).toEqual({ TH: "2026-11-14", JP: "2026-10-02" });
  });

  it("ends a trip at home use after the last foreign use", () => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-1", "2026-11-14", "TH")]);

    // Act
    const change = applyTransaction(profile, purchase("txn-2", "2026-11-15T08:00:00+07:00"), HOME_COUNTRY);

    // Assess
    expect(change.tripStarted).toBe(false);
    expect(change.profile).not.toHaveProperty("trip");
  });

  it.each([
    ["on the same day", "2026-11-14T22:00:00+07:00"],
    ["before the trip", "2026-11-10T08:00:00+07:00"],
  ])("keeps a trip at home use %s", (_case, bookingTime) => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-1", "2026-11-14", "TH")]);

    // Act
    const change = applyTransaction(profile, purchase("txn-2", bookingTime), HOME_COUNTRY);

    // Assess
    expect(change.profile.trip).toEqual({ country: "TH", startedOn: "2026-11-14", lastSeenOn: "2026-11-14" });
  });

  it("keeps a trip through remote payments at home", () => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-1", "2026-11-14", "TH")]);

    // Act
    const change = applyTransaction(profile, cardUse("txn-2", "2026-11-20", "VN", false), HOME_COUNTRY);

    // Assess
    expect(change.profile.trip).toEqual({ country: "TH", startedOn: "2026-11-14", lastSeenOn: "2026-11-14" });
  });

  it("records a payee's payment history", () => {
    // Prepare
    const transactions = ["2026-09-05", "2026-10-05", "2026-11-05"].map((date, index) =>
      transferTo(`txn-${index}`, date, "Chu nha tro", "0123456789"),
    );

    // Act
    const { profile } = applyAll(transactions);

    // Assess
    const histories = Object.values(profile.payees);
    expect(histories).toHaveLength(1);
    expect(histories[0]).toMatchObject({
      name: "Chu nha tro",
      direction: "debit",
      currency: "VND",
      dates: ["2026-09-05", "2026-10-05", "2026-11-05"],
      cadence: "monthly",
      nextDate: "2026-12-05",
    });
  });

  it(`keeps at most ${MAX_PAYEES} payees, forgetting the least recurring`, () => {
    // Prepare
    const recurring = ["2026-08-01", "2026-09-01", "2026-10-01"].map((date, index) =>
      transferTo(`txn-r${index}`, date, "Landlord", "9000000001"),
    );
    const twice = ["2026-01-01", "2026-01-02"].map((date, index) =>
      transferTo(`txn-t${index}`, date, "Old friend", "9000000002"),
    );
    const once = Array.from({ length: MAX_PAYEES - 2 }, (_, index) =>
      transferTo(`txn-o${index}`, addDays("2026-10-10", index), `Payee ${index}`, `80000000${10 + index}`),
    );
    const { profile: full } = applyAll([...recurring, ...twice, ...once]);
    const newcomer = transferTo("txn-new", "2026-01-01", "Newcomer", "7000000001");

    // Act
    const change = applyTransaction(full, newcomer, HOME_COUNTRY);

    // Assess
    const names = Object.values(change.profile.payees).map((history) => history.name);
    expect(Object.keys(full.payees)).toHaveLength(MAX_PAYEES);
    expect(names).toHaveLength(MAX_PAYEES);
    expect(names).toContain("Newcomer");
    expect(names).toContain("Landlord");
    expect(names).toContain("Old friend");
    expect(names).not.toContain("Payee 0");
  });

  it("counts transactions and tracks the booking-time range", () => {
    // Prepare
    const transactions = [
      purchase("txn-1", "2026-11-03T08:15:42+07:00"),
      purchase("txn-2", "2026-11-01T08:00:00+07:00"),
      purchase("txn-3", "2026-11-09T08:00:00+07:00"),
      purchase("txn-4", "2026-11-05T08:00:00+07:00"),
    ];

    // Act
    const { profile } = applyAll(transactions, { ...emptyProfile("cust-0001"), version: 7 });

    // Assess
    expect(profile.customerId).toBe("cust-0001");
    expect(profile.version).toBe(7);
    expect(profile.transactionCount).toBe(4);
    expect(profile.firstBookingTime).toBe("2026-11-01T08:00:00+07:00");
    expect(profile.lastBookingTime).toBe("2026-11-09T08:00:00+07:00");
  });

  it("leaves the input profile unchanged", () => {
    // Prepare
    const { profile } = applyAll([cardUse("txn-1", "2026-11-14", "TH"), samplePosted(SALARY)]);
    const snapshot = structuredClone(profile);

    // Act
    applyTransaction(profile, purchase("txn-2", "2027-06-01T08:00:00+07:00"), HOME_COUNTRY);

    // Assess
    expect(profile).toEqual(snapshot);
  });

  it("gives equal totals and balances in any order", () => {
    // Prepare
    const payeeNames = ["Alpha", "Bravo", "Charlie", "Delta"];
    const spec = fc.record({
      usd: fc.boolean(),
      day: fc.integer({ min: 0, max: 364 }),
      minute: fc.integer({ min: 0, max: 3 }),
      offset: fc.constantFrom("+07:00", "Z", "-05:00"),
      amountMinor: fc.integer({ min: 1, max: 5_000_000 }),
      balanceMinor: fc.integer({ min: -1_000_000, max: 100_000_000 }),
      direction: fc.constantFrom("debit", "credit"),
      card: fc.boolean(),
      country: fc.constantFrom("VN", "TH", "JP", undefined),
      cardPresent: fc.boolean(),
      payee: fc.constantFrom(...payeeNames),
    });
    type TransactionSpec = typeof spec extends fc.Arbitrary<infer Value> ? Value : never;
    const toTransaction = (item: TransactionSpec, index: number): PostedTransaction => {
      const currency = item.usd ? "USD" : "VND";
      const minute = String(item.minute).padStart(2, "0");
      return samplePosted(CARD_PURCHASE, {
        transactionId: `txn-${String(index).padStart(3, "0")}`,
        accountId: item.usd ? "acc-0001-usd" : "acc-0001-vnd",
        bookingTime: `${addDays("2026-01-01", item.day)}T12:${minute}:00${item.offset}`,
        currency,
        amount: formatMinorAsDecimal(item.amountMinor, currency),
        balanceAfter: formatMinorAsDecimal(item.balanceMinor, currency),
        direction: item.direction,
        channel: item.card ? "card" : "transfer",
        cardPresent: item.card ? item.cardPresent : undefined,
        merchant: item.card ? { name: "Highlands Coffee", mcc: "5814", country: item.country } : undefined,
        counterparty: item.card ? undefined : { name: `Cong ty ${item.payee}` },
      });
    };
    const orders = fc
      .array(spec, { minLength: 1, maxLength: 20 })
      .map((items) => items.map(toTransaction))
      .chain((transactions) =>
        fc.tuple(
          fc.constant(transactions),
          fc.shuffledSubarray(transactions, {
            minLength: transactions.length,
            maxLength: transactions.length,
          }),
        ),
      );

    fc.assert(
      fc.property(orders, ([transactions, shuffled]) => {
        // Act
        const inOrder = applyAll(transactions);
        const permuted = applyAll(shuffled);

        // Assess
        expect(Object.keys(permuted.profile.payees).length).toBeLessThan(MAX_PAYEES);
        expect(permuted.profile.accounts).toEqual(inOrder.profile.accounts);
        expect(permuted.allMonths).toEqual(inOrder.allMonths);
        expect(permuted.allMonths).toEqual(expectedMonths(transactions));
        expect(permuted.profile.debits).toEqual(inOrder.profile.debits);
        expect(permuted.profile.countries).toEqual(inOrder.profile.countries);
        expect(permuted.profile.transactionCount).toBe(transactions.length);
        expect(Object.keys(permuted.profile.months).length).toBeLessThanOrEqual(PROFILE_MONTHS_KEPT);
      }),
      { numRuns: 300 },
    );
  });
});
