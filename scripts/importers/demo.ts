import { createHash } from "node:crypto";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { TRANSACTION_POSTED_SCHEMA_VERSION } from "../../lambdas/contracts/transaction-posted";
import { addDays, addMonths } from "../../lambdas/domain/calendar";
import { deterministicEventId, type SourceEvent, wrapTransactionPosted } from "./source-event";

/**
 * The built-in demo: five invented customers of a Vietnamese bank, paying in VND at Vietnamese
 * merchants from {@link DEMO_START} up to now. Their transactions include salaries, bills,
 * subscriptions, a trip to Thailand, a large purchase and a tuition payment that drains an account.
 * Each day's transactions are drawn from a generator seeded with the customer and the date, so a run
 * on a later day repeats every earlier transaction with the same id and content and only adds the
 * new ones. The demo also carries one duplicate and two invalid events, to show deduplication and
 * quarantine.
 */

type Rng = ReturnType<typeof xoroshiro128plus>;

/** First day of the demo; a fixed date keeps every run's history identical. */
export const DEMO_START = "2026-08-01";

/** A generator seeded by a name, such as a customer and a date. */
function seeded(name: string): Rng {
  return xoroshiro128plus(createHash("sha256").update(name).digest().readInt32BE(0));
}

interface DemoAccount {
  readonly customerId: string;
  readonly accountId: string;
  balance: number;
}

interface Spend {
  readonly date: string;
  readonly time: string;
  readonly amount: number;
  readonly direction: "debit" | "credit";
  readonly channel: string;
  readonly merchant?: { name: string; mcc?: string; country?: string; city?: string };
  readonly counterparty?: { name?: string; accountNumber?: string; bankCode?: string };
  readonly description?: string;
  readonly purposeCode?: string;
  readonly originalAmount?: { amount: string; currency: string };
}

export interface DemoOptions {
  /** The moment the demo ends; no event is booked after it. Defaults to the current time. */
  readonly now?: Date;
}

/** Local date and time in Vietnam (UTC+07:00, no daylight saving) as "YYYY-MM-DDTHH:MM". */
function vietnamLocalTime(moment: Date): string {
  return new Date(moment.getTime() + 7 * 3_600_000).toISOString().slice(0, 16);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[uniformInt(rng, 0, items.length - 1)] as T;
}

/** Draws a VND amount in whole thousands, as Vietnamese prices are. */
function thousands(rng: Rng, from: number, to: number): number {
  return uniformInt(rng, from / 1000, to / 1000) * 1000;
}

function monthDays(firstDay: string, today: string): string[] {
  const days: string[] = [];
  for (let day = firstDay; day <= today && day.slice(0, 7) === firstDay.slice(0, 7); day = addDays(day, 1)) {
    days.push(day);
  }
  return days;
}

const COFFEE = ["Highlands Coffee", "Phúc Long", "The Coffee House", "Katinat Saigon Kafe", "Cộng Cà Phê"];
const LUNCH = ["Cơm Tấm Ba Ghiền", "Phở Hòa Pasteur", "Bánh Mì Huỳnh Hoa", "Quán Ăn Ngon"];
const GROCERIES = ["WinMart", "Co.opmart", "Bách Hóa Xanh", "GO! Mall", "Lotte Mart"];
const SHOPPING = ["Shopee", "Lazada", "Tiki"];

/** Everyday spending of a salaried customer in Ho Chi Minh City for the given days. */
function everydaySpending(customerId: string, days: readonly string[], intensity: number): Spend[] {
  const spends: Spend[] = [];
  for (const date of days) {
    const rng = seeded(`${customerId}:${date}`);
    if (uniformInt(rng, 0, 99) < 55 * intensity) {
      spends.push({
        date,
        time: `0${uniformInt(rng, 7, 9)}:${String(uniformInt(rng, 10, 59))}`,
        amount: thousands(rng, 35_000, 75_000),
        direction: "debit",
        channel: "card",
        merchant: { name: pick(rng, COFFEE), mcc: "5814", country: "VN", city: "Hồ Chí Minh" },
      });
    }
    if (uniformInt(rng, 0, 99) < 45 * intensity) {
      spends.push({
        date,
        time: `12:${String(uniformInt(rng, 10, 45))}`,
        amount: thousands(rng, 45_000, 120_000),
        direction: "debit",
        channel: "qr",
        merchant: { name: pick(rng, LUNCH), mcc: "5812", country: "VN", city: "Hồ Chí Minh" },
      });
    }
    if (uniformInt(rng, 0, 99) < 35 * intensity) {
      spends.push({
        date,
        time: `${uniformInt(rng, 17, 20)}:${String(uniformInt(rng, 10, 59))}`,
        amount: thousands(rng, 30_000, 140_000),
        direction: "debit",
        channel: "card",
        merchant: { name: "Grab", mcc: "4121", country: "VN", city: "Hồ Chí Minh" },
      });
    }
    if (new Date(`${date}T00:00:00Z`).getUTCDay() === 6) {
      spends.push({
        date,
        time: `10:${String(uniformInt(rng, 10, 59))}`,
        amount: thousands(rng, 400_000, 1_600_000),
        direction: "debit",
        channel: "card",
        merchant: { name: pick(rng, GROCERIES), mcc: "5411", country: "VN", city: "Hồ Chí Minh" },
      });
    }
    if (uniformInt(rng, 0, 99) < 8 * intensity) {
      spends.push({
        date,
        time: `23:${String(uniformInt(rng, 10, 55))}`,
        amount: thousands(rng, 150_000, 900_000),
        direction: "debit",
        channel: "card",
        merchant: { name: pick(rng, SHOPPING), mcc: "5399", country: "VN" },
      });
    }
  }
  return spends;
}

/** Monthly salary, rent and bills on fixed days of each month. */
function monthlyCommitments(
  month: string,
  today: string,
  commitments: ReadonlyArray<{ day: number; spend: Omit<Spend, "date"> }>,
): Spend[] {
  return commitments
    .map(({ day, spend }) => ({ ...spend, date: `${month}-${String(day).padStart(2, "0")}` }))
    .filter((spend) => spend.date <= today);
}

function salary(amount: number, employer: string): Omit<Spend, "date"> {
  return {
    time: "09:05",
    amount,
    direction: "credit",
    channel: "transfer",
    purposeCode: "SALA",
    counterparty: { name: employer, bankCode: "VCB", accountNumber: "0071000123456" },
    description: "LUONG THANG",
  };
}

function bill(
  name: string,
  amount: number,
  purposeCode: string,
  channel = "bill_payment",
): Omit<Spend, "date"> {
  return { time: "08:30", amount, direction: "debit", channel, purposeCode, counterparty: { name } };
}

function tripToBangkok(rng: Rng, firstDay: string): Spend[] {
  const bangkok = { country: "TH", city: "Bangkok" };
  const thb = (thb: number, rate: number) => ({
    amount: Math.round((thb * rate) / 1000) * 1000,
    originalAmount: { amount: `${thb}.00`, currency: "THB" },
  });
  return [
    {
      date: addDays(firstDay, -12),
      time: "21:40",
      amount: 6_850_000,
      direction: "debit",
      channel: "card",
      merchant: { name: "Vietnam Airlines", mcc: "3008", country: "VN" },
    },
    {
      date: firstDay,
      time: "14:20",
      ...thb(1_500, 760),
      direction: "debit",
      channel: "atm",
      merchant: { name: "Kasikornbank ATM", mcc: "6011", ...bangkok },
    },
    {
      date: firstDay,
      time: "19:05",
      ...thb(890, 760),
      direction: "debit",
      channel: "card",
      merchant: { name: "Jay Fai", mcc: "5812", ...bangkok },
    },
    {
      date: addDays(firstDay, 1),
      time: "11:30",
      ...thb(uniformInt(rng, 2_000, 3_500), 760),
      direction: "debit",
      channel: "card",
      merchant: { name: "Siam Paragon", mcc: "5311", ...bangkok },
    },
    {
      date: addDays(firstDay, 2),
      time: "12:00",
      ...thb(7_800, 760),
      direction: "debit",
      channel: "card",
      merchant: { name: "Novotel Bangkok", mcc: "7011", ...bangkok },
    },
  ];
}

interface DemoCustomer {
  readonly customerId: string;
  readonly openingBalance: number;
  spends(months: readonly string[], today: string): Spend[];
}

const CUSTOMERS: readonly DemoCustomer[] = [
  {
    // A salaried office worker with rent, bills and subscriptions, who buys a laptop this month.
    customerId: "demo-an",
    openingBalance: 42_000_000,
    spends(months, today) {
      const spends: Spend[] = [];
      for (const month of months) {
        spends.push(...everydaySpending(this.customerId, monthDays(`${month}-01`, today), 1));
        spends.push(
          ...monthlyCommitments(month, today, [
            {
              day: 1,
              spend: { ...bill("Chủ nhà Nguyễn Thị Lan", 7_000_000, "RENT", "transfer"), time: "07:45" },
            },
            { day: 5, spend: salary(28_500_000, "CONG TY TNHH PHAN MEM SAO VIET") },
            {
              day: 12,
              spend: bill(
                "EVN HCMC - Tiền điện",
                thousands(seeded(`${this.customerId}:${month}:evn`), 780_000, 1_150_000),
                "ELEC",
              ),
            },
            { day: 15, spend: bill("VNPT - Cước internet", 265_000, "NWCM", "direct_debit") },
            {
              day: 18,
              spend: {
                time: "03:10",
                amount: 260_000,
                direction: "debit",
                channel: "card",
                merchant: { name: "Netflix.com", mcc: "4899", country: "NL" },
              },
            },
          ]),
        );
      }
      const purchaseDay = "2026-12-02";
      if (purchaseDay <= today) {
        spends.push({
          date: purchaseDay,
          time: "15:20",
          amount: 32_990_000,
          direction: "debit",
          channel: "card",
          merchant: { name: "Thế Giới Di Động", mcc: "5732", country: "VN", city: "Hồ Chí Minh" },
        });
      }
      return spends;
    },
  },
  {
    // Travels to Bangkok last month and pays by card and ATM there.
    customerId: "demo-binh",
    openingBalance: 25_000_000,
    spends(months, today) {
      const spends: Spend[] = [];
      for (const month of months) {
        spends.push(...everydaySpending(this.customerId, monthDays(`${month}-01`, today), 0.7));
        spends.push(
          ...monthlyCommitments(month, today, [
            { day: 10, spend: salary(19_000_000, "BENH VIEN DA KHOA TAM ANH") },
            { day: 20, spend: bill("Viettel - Cước di động", 199_000, "PHON", "direct_debit") },
          ]),
        );
      }
      const tripStart = "2026-11-14";
      if (tripStart <= today)
        spends.push(
          ...tripToBangkok(seeded(`${this.customerId}:trip`), tripStart).filter(
            (spend) => spend.date <= today,
          ),
        );
      return spends;
    },
  },
  {
    // A student whose tuition payment leaves the account almost empty.
    customerId: "demo-chi",
    openingBalance: 3_500_000,
    spends(months, today) {
      const spends: Spend[] = [];
      for (const month of months) {
        spends.push(...everydaySpending(this.customerId, monthDays(`${month}-01`, today), 0.35));
        spends.push(
          ...monthlyCommitments(month, today, [
            {
              day: 2,
              spend: {
                time: "20:15",
                amount: 6_000_000,
                direction: "credit",
                channel: "transfer",
                counterparty: { name: "LE VAN MINH", bankCode: "TCB", accountNumber: "19033344455" },
                description: "Bo gui tien sinh hoat",
              },
            },
          ]),
        );
      }
      const tuitionDay = "2026-11-25";
      if (tuitionDay <= today) {
        spends.push({
          date: tuitionDay,
          time: "10:00",
          amount: 14_500_000,
          direction: "debit",
          channel: "bill_payment",
          purposeCode: "EDUC",
          counterparty: { name: "Trường Đại học Kinh tế TP.HCM" },
          description: "Học phí học kỳ 2",
        });
      }
      return spends;
    },
  },
  {
    // Keeps a large idle balance and pays a monthly insurance premium.
    customerId: "demo-dung",
    openingBalance: 385_000_000,
    spends(months, today) {
      const spends: Spend[] = [];
      for (const month of months) {
        spends.push(...everydaySpending(this.customerId, monthDays(`${month}-01`, today), 0.5));
        spends.push(
          ...monthlyCommitments(month, today, [
            { day: 3, spend: salary(62_000_000, "CONG TY CP DAU TU XAY DUNG HOA BINH") },
            { day: 8, spend: bill("Prudential Việt Nam", 1_850_000, "LIFI", "direct_debit") },
            {
              day: 12,
              spend: bill(
                "EVN HCMC - Tiền điện",
                thousands(seeded(`${this.customerId}:${month}:evn`), 1_400_000, 2_100_000),
                "ELEC",
              ),
            },
          ]),
        );
      }
      return spends;
    },
  },
  {
    // An expatriate who reads messages in English.
    customerId: "demo-emma",
    openingBalance: 58_000_000,
    spends(months, today) {
      const spends: Spend[] = [];
      for (const month of months) {
        spends.push(...everydaySpending(this.customerId, monthDays(`${month}-01`, today), 0.8));
        spends.push(
          ...monthlyCommitments(month, today, [
            { day: 25, spend: salary(71_000_000, "INTERNATIONAL SCHOOL HCMC") },
            { day: 1, spend: bill("Masteri Thảo Điền - Tiền thuê nhà", 18_000_000, "RENT", "transfer") },
            {
              day: 9,
              spend: {
                time: "06:00",
                amount: 59_000,
                direction: "debit",
                channel: "card",
                merchant: { name: "Spotify", mcc: "5815", country: "SE" },
              },
            },
          ]),
        );
      }
      return spends;
    },
  },
];

/** Builds the demo's events in booking order for each customer. */
export function demoEvents(options: DemoOptions = {}): SourceEvent[] {
  const now = vietnamLocalTime(options.now ?? new Date());
  const today = now.slice(0, 10);
  const months: string[] = [];
  for (let month = DEMO_START.slice(0, 7); month <= today.slice(0, 7); month = addMonths(month, 1))
    months.push(month);
  const events: SourceEvent[] = [];

  for (const customer of CUSTOMERS) {
    const account: DemoAccount = {
      customerId: customer.customerId,
      accountId: `${customer.customerId}-current`,
      balance: customer.openingBalance,
    };
    const spends = customer
      .spends(months, today)
      .map((spend) => ({ ...spend, time: spend.time.padStart(5, "0") }))
      .filter((spend) => `${spend.date}T${spend.time}` <= now)
      .sort((a, b) => `${a.date}T${a.time}`.localeCompare(`${b.date}T${b.time}`));

    const perMinute = new Map<string, number>();
    for (const spend of spends) {
      account.balance += spend.direction === "credit" ? spend.amount : -spend.amount;
      const minute = `${spend.date.replaceAll("-", "")}${spend.time.replace(":", "")}`;
      const sequence = perMinute.get(minute) ?? 0;
      perMinute.set(minute, sequence + 1);
      const transactionId = `${customer.customerId}-${minute}-${sequence}`;
      const detail = {
        schemaVersion: TRANSACTION_POSTED_SCHEMA_VERSION,
        transactionId,
        customerId: account.customerId,
        accountId: account.accountId,
        bookingTime: `${spend.date}T${spend.time}:00+07:00`,
        amount: String(spend.amount),
        currency: "VND",
        direction: spend.direction,
        balanceAfter: String(account.balance),
        channel: spend.channel,
        ...(spend.merchant && { merchant: spend.merchant }),
        ...(spend.counterparty && { counterparty: spend.counterparty }),
        ...(spend.description && { description: spend.description }),
        ...(spend.purposeCode && { purposeCode: spend.purposeCode }),
        ...(spend.originalAmount && { originalAmount: spend.originalAmount }),
      };
      events.push(wrapTransactionPosted(detail, deterministicEventId(`demo:${transactionId}`)));
    }
  }

  return [...events, ...demonstrationFaults(events)];
}

/** Builds a redelivered copy of one event and two invalid events, for the summary to show as duplicate and quarantined. */
function demonstrationFaults(events: readonly SourceEvent[]): SourceEvent[] {
  const first = events[0];
  const faults: SourceEvent[] = [];
  if (first?.kind === "event") faults.push(first);
  const invalid = (id: string, changes: Record<string, unknown>) =>
    wrapTransactionPosted(
      {
        schemaVersion: TRANSACTION_POSTED_SCHEMA_VERSION,
        transactionId: `demo-invalid-${id}`,
        customerId: "demo-an",
        accountId: "demo-an-current",
        bookingTime: `${DEMO_START}T10:00:00+07:00`,
        amount: "150000",
        currency: "VND",
        direction: "debit",
        balanceAfter: "1000000",
        channel: "card",
        ...changes,
      },
      deterministicEventId(`demo:invalid:${id}`),
    );
  faults.push(invalid("decimals", { amount: "150000.50" }), invalid("currency", { currency: "VNX" }));
  return faults;
}
