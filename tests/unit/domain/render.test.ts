import fc from "fast-check";
import { IntlMessageFormat } from "intl-messageformat";
import { describe, expect, it } from "vitest";
import en from "../../../lambdas/domain/messages/en.json";
import {
  collapseDoubledFullStops,
  MessageCatalogError,
  type MessageParams,
  MessageRenderer,
  truncateUtf8,
} from "../../../lambdas/domain/messages/render";
import vi from "../../../lambdas/domain/messages/vi.json";
import { LANGUAGES, type Language } from "../../../lambdas/domain/preferences";

const renderer = new MessageRenderer();

/** The no-break space that `Intl` puts between an amount and its currency. */
const NBSP = "\u00a0";

const VIETNAM = "Asia/Ho_Chi_Minh";

/** 14:20 in Vietnam on 3 November 2026. */
const AFTERNOON = Date.parse("2026-11-03T14:20:00+07:00");

/**
 * Values for every placeholder of every template, formatted as the decision code formats them. The
 * merchant and payee arrive decomposed (NFD), as some producers send Vietnamese.
 */
function realisticParams(language: Language): MessageParams {
  return {
    amount: renderer.money(1_500_000, "VND", language),
    balance: renderer.money(400_000, "VND", language),
    threshold: renderer.money(500_000, "VND", language),
    merchant: "Phở Thìn Lò Đúc".normalize("NFD"),
    payer: "none",
    time: renderer.time(AFTERNOON, language, VIETNAM),
    category: renderer.category("food_drink", language),
    monthToDate: renderer.money(3_200_000, "VND", language),
    average: renderer.money(2_000_000, "VND", language),
    percent: 60,
    country: renderer.country("TH", language),
    foreignCurrency: "THB",
    payee: "EVN HCMC - Tiền điện".normalize("NFD"),
    dueDate: renderer.date("2026-12-12", language),
    days: 3,
    validUntil: renderer.date("2026-12-03", language),
  };
}

/**
 * Replaces no-break spaces with plain ones. Rendered messages pass through `normalizeText`, which folds
 * the no-break space of an amount into a plain one, and these tests accept either.
 */
function spaced(text: string): string {
  return text.replace(/[\u00a0\u202f]/gu, " ");
}

/** Returns the grapheme clusters of `text`, as the Vietnamese segmenter splits them. */
function graphemes(text: string): string[] {
  return [...new Intl.Segmenter("vi", { granularity: "grapheme" }).segment(text)].map(
    ({ segment }) => segment,
  );
}

/** Vietnamese words, spaces and emoji, some with combining marks and multi-code-point clusters. */
const vietnameseText = fc
  .array(
    fc.constantFrom(
      "Việt",
      "Nam",
      "phở",
      "bò",
      "Hồ",
      "Chí",
      "Minh",
      "thanh toán",
      "tiền điện",
      "ế",
      "Nguyễn".normalize("NFD"),
      "ữ".normalize("NFD"),
      " ",
      "  ",
      "👍",
      "👍🏽",
      "👨‍👩‍👧",
      "🇻🇳",
      "a",
      "1",
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

describe("MessageRenderer", () => {
  describe("money", () => {
    it.each<[number, string, Language, string]>([
      [1_500_000, "VND", "vi", `1.500.000${NBSP}₫`],
      [1_500_000, "VND", "en", "₫1,500,000"],
      [0, "VND", "vi", `0${NBSP}₫`],
      [123_456, "USD", "en", "$1,234.56"],
      [123_456, "USD", "vi", `1.234,56${NBSP}US$`],
      [1, "USD", "en", "$0.01"],
      [Number.MAX_SAFE_INTEGER, "USD", "en", "$90,071,992,547,409.91"],
      [1234, "KWD", "en", `KWD${NBSP}1.234`],
      [1234, "KWD", "vi", `1,234${NBSP}KWD`],
      [1, "KWD", "en", `KWD${NBSP}0.001`],
      [12_345, "JPY", "en", "¥12,345"],
      [-1_500_000, "VND", "vi", `-1.500.000${NBSP}₫`],
      [-1_500_000, "VND", "en", "-₫1,500,000"],
      [-5, "USD", "en", "-$0.05"],
      [-1234, "KWD", "en", `-KWD${NBSP}1.234`],
    ])("formats %i minor units of %s in %s", (minor, currency, language, expected) => {
      // Act
      const text = renderer.money(minor, currency, language);

      // Assess
      expect(text).toBe(expected);
    });

    it.each<[number, string, string]>([
      [150, "IDR", `IDR${NBSP}1.50`],
      [1234, "IQD", `IQD${NBSP}1.234`],
      [199, "HUF", `HUF${NBSP}1.99`],
      [250, "LAK", `LAK${NBSP}2.50`],
    ])("keeps every ISO minor digit of %i %s", (minor, currency, expected) => {
      // Act
      const text = renderer.money(minor, currency, "en");

      // Assess
      expect(text).toBe(expected);
    });

    it("rejects an unknown currency", () => {
      // Act
      const act = () => renderer.money(100, "ABC", "en");

      // Assess
      expect(act).toThrow(RangeError);
    });
  });

  describe("dates and times", () => {
    it.each<[string, Language, string]>([
      ["2026-12-12", "vi", "12/12"],
      ["2026-12-12", "en", "December 12"],
      ["2026-01-05", "vi", "5/1"],
      ["2026-01-05", "en", "January 5"],
      ["2026-12-31", "vi", "31/12"],
      ["2027-01-01", "en", "January 1"],
    ])("formats the date %s in %s", (date, language, expected) => {
      // Act
      const text = renderer.date(date, language);

      // Assess
      expect(text).toBe(expected);
    });

    it.each<[Language, string, RegExp]>([
      ["vi", VIETNAM, /^14:20$/u],
      ["en", VIETNAM, /^2:20\sPM$/u],
      ["vi", "Europe/Prague", /^8:20$/u],
      ["en", "Europe/Prague", /^8:20\sAM$/u],
    ])("formats the time in %s for %s", (language, timeZone, expected) => {
      // Act
      const text = renderer.time(AFTERNOON, language, timeZone);

      // Assess
      expect(text).toMatch(expected);
    });
  });

  describe("currency name", () => {
    it.each<[string, Language, string]>([
      ["THB", "vi", "bạt Thái Lan"],
      ["THB", "en", "Thai baht"],
      ["USD", "vi", "đô la Mỹ"],
      ["USD", "en", "US dollars"],
      ["EUR", "en", "euros"],
      ["JPY", "vi", "yên Nhật"],
    ])("names %s in %s", (code, language, expected) => {
      // Act
      const name = renderer.currencyName(code, language);

      // Assess
      expect(name).toBe(expected);
    });

    it("falls back to an unknown code", () => {
      // Act
      const name = renderer.currencyName("XYZ", "vi");

      // Assess
      expect(name).toBe("XYZ");
    });
  });

  describe("country", () => {
    it.each<[string, Language, string]>([
      ["TH", "vi", "Thái Lan"],
      ["TH", "en", "Thailand"],
      ["JP", "vi", "Nhật Bản"],
      ["JP", "en", "Japan"],
      ["US", "vi", "Hoa Kỳ"],
      ["KR", "en", "South Korea"],
    ])("names %s in %s", (code, language, expected) => {
      // Act
      const name = renderer.country(code, language);

      // Assess
      expect(name).toBe(expected);
    });
  });

  describe("templates", () => {
    const cases = [...renderer.templates()]
      .sort()
      .flatMap((template) => LANGUAGES.map((language) => [template, language] as const));

    it("lists every template with a title and a body", () => {
      // Act
      const templates = renderer.templates();

      // Assess
      expect([...templates].sort()).toEqual([
        "foreignUse",
        "fxCardOffer",
        "incomeReceived",
        "instalmentOffer",
        "largeTransaction",
        "lowBalance",
        "negativeBalance",
        "paymentDue",
        "savingsPlanOffer",
        "termDepositOffer",
        "travelInsuranceOffer",
        "unusualSpending",
      ]);
    });

    it.each(cases)("renders %s in %s as NFC text", (template, language) => {
      // Act
      const { title, body } = renderer.render(language, template, realisticParams(language));

      // Assess
      expect(title).not.toBe("");
      expect(body).not.toBe("");
      expect(title).toBe(title.normalize("NFC"));
      expect(body).toBe(body.normalize("NFC"));
      expect(`${title} ${body}`).not.toMatch(/[{}]/u);
      expect(`${title} ${body}`).not.toMatch(/\s{2}/u);
    });

    it.each<[Language, string]>([
      ["vi", "Số dư tài khoản của bạn còn 400.000 ₫, dưới mức cảnh báo 500.000 ₫."],
      ["en", "Your balance is ₫400,000, below your alert level of ₫500,000."],
    ])("renders the low balance body in %s", (language, expected) => {
      // Act
      const { body } = renderer.render(language, "lowBalance", realisticParams(language));

      // Assess
      expect(spaced(body)).toBe(expected);
    });

    it("composes decomposed Vietnamese names", () => {
      // Act
      const { body } = renderer.render("vi", "largeTransaction", realisticParams("vi"));

      // Assess
      expect(body).toContain("tại Phở Thìn Lò Đúc lúc 14:20");
    });

    it.each<[Language, string, string]>([
      ["vi", "Phở Thìn", "Tài khoản của bạn vừa bị trừ 1.500.000 ₫ tại Phở Thìn lúc 14:20."],
      ["vi", "none", "Tài khoản của bạn vừa bị trừ 1.500.000 ₫ lúc 14:20."],
      ["en", "Phở Thìn", "₫1,500,000 was just debited from your account at Phở Thìn at 2:20 PM."],
      ["en", "none", "₫1,500,000 was just debited from your account at 2:20 PM."],
    ])("names the merchant in %s for %s", (language, merchant, expected) => {
      // Prepare
      const params = { ...realisticParams(language), merchant };

      // Act
      const { body } = renderer.render(language, "largeTransaction", params);

      // Assess
      expect(spaced(body).startsWith(expected)).toBe(true);
    });

    it.each<[Language, number, string]>([
      ["vi", 0, "dự kiến đến hạn hôm nay."],
      ["vi", 1, "dự kiến đến hạn vào ngày mai."],
      ["vi", 3, "dự kiến đến hạn vào ngày 12/12."],
      ["en", 0, "is due today."],
      ["en", 1, "is due tomorrow."],
      ["en", 3, "is due on December 12."],
    ])("says when a payment is due in %s in %i days", (language, days, expected) => {
      // Prepare
      const params = { ...realisticParams(language), days };

      // Act
      const { title, body } = renderer.render(language, "paymentDue", params);

      // Assess
      expect(title).toContain("EVN HCMC - Tiền điện");
      expect(body).toContain(expected);
    });

    it.each<[Language, string]>([
      ["vi", "Sắp đến hạn thanh toán cho EVN HCMC - Tiền điện"],
      ["en", "Payment to EVN HCMC - Tiền điện due soon"],
    ])("names the payee of a due payment in %s", (language, expected) => {
      // Act
      const { title } = renderer.render(language, "paymentDue", realisticParams(language));

      // Assess
      expect(title).toBe(expected);
    });

    it.each<[string, Language, string]>([
      ["instalmentOffer", "vi", "Ưu đãi áp dụng đến hết ngày 3/12."],
      ["travelInsuranceOffer", "vi", "Ưu đãi áp dụng đến hết ngày 3/12."],
      ["fxCardOffer", "vi", "Ưu đãi áp dụng đến hết ngày 3/12."],
      ["termDepositOffer", "vi", "Ưu đãi áp dụng đến hết ngày 3/12."],
      ["savingsPlanOffer", "vi", "Ưu đãi áp dụng đến hết ngày 3/12."],
      ["instalmentOffer", "en", "Offer valid until December 3."],
      ["travelInsuranceOffer", "en", "Offer valid until December 3."],
      ["fxCardOffer", "en", "Offer valid until December 3."],
      ["termDepositOffer", "en", "Offer valid until December 3."],
      ["savingsPlanOffer", "en", "Offer valid until December 3."],
    ])("ends %s in %s with its last day", (template, language, expected) => {
      // Act
      const { body } = renderer.render(language, template, realisticParams(language));

      // Assess
      expect(body.endsWith(expected)).toBe(true);
    });

    it.each<[Language, string]>([
      ["vi", "Với thẻ đa tiền tệ, bạn thanh toán bằng bạt Thái Lan mà không mất phí chuyển đổi ngoại tệ."],
      ["en", "With a multi-currency card, you pay in Thai baht with no foreign exchange fees."],
    ])("names the foreign currency in %s", (language, expected) => {
      // Prepare
      const params = {
        ...realisticParams(language),
        foreignCurrency: renderer.currencyName("THB", language),
      };

      // Act
      const { body } = renderer.render(language, "fxCardOffer", params);

      // Assess
      expect(body.startsWith(expected)).toBe(true);
    });

    it.each<[Language, string, string]>([
      ["vi", "ACME Corp.", "Tài khoản của bạn vừa nhận 1.500.000 ₫ từ ACME Corp. Số dư hiện tại: 400.000 ₫."],
      ["vi", "Yahoo!", "Tài khoản của bạn vừa nhận 1.500.000 ₫ từ Yahoo! Số dư hiện tại: 400.000 ₫."],
      [
        "vi",
        "Công ty ABC",
        "Tài khoản của bạn vừa nhận 1.500.000 ₫ từ Công ty ABC. Số dư hiện tại: 400.000 ₫.",
      ],
      [
        "en",
        "ACME Corp.",
        "Your account just received ₫1,500,000 from ACME Corp. Your balance is now ₫400,000.",
      ],
    ])("ends the sentence once after the payer in %s for %s", (language, payer, expected) => {
      // Prepare
      const params = { ...realisticParams(language), payer };

      // Act
      const { body } = renderer.render(language, "incomeReceived", params);

      // Assess
      expect(spaced(body)).toBe(expected);
    });

    it.each<[Language, string]>([
      ["vi", "ăn uống"],
      ["en", "food and drink"],
    ])("names a category in %s", (language, expected) => {
      // Act
      const name = renderer.category("food_drink", language);

      // Assess
      expect(name).toBe(expected);
    });

    it("rejects a template without its values", () => {
      // Act
      const act = () => renderer.render("vi", "lowBalance", {});

      // Assess
      expect(act).toThrow();
    });

    it("rejects a missing message", () => {
      // Act
      const act = () => renderer.text("vi", "overdraftOffer.title");

      // Assess
      expect(act).toThrow(MessageCatalogError);
      expect(act).toThrow('Message "overdraftOffer.title" is missing from the vi catalog');
    });
  });

  describe("bundled catalogs", () => {
    const catalogs: Readonly<Record<Language, Record<string, string>>> = { vi, en };

    /** Collects the argument names of an ICU message, including those inside select and plural branches. */
    function argumentNames(message: string, language: Language): string[] {
      const names = new Set<string>();
      const visit = (elements: readonly unknown[]) => {
        for (const element of elements as readonly Record<string, unknown>[]) {
          if (typeof element.value === "string" && element.type !== 0) names.add(element.value);
          const options = (element.options ?? {}) as Record<string, { value: unknown[] }>;
          for (const option of Object.values(options)) visit(option.value);
        }
      };
      visit(new IntlMessageFormat(message, language).getAst());
      return [...names].sort();
    }

    it.each(Object.keys(vi).sort())("uses the same arguments in both languages for %s", (key) => {
      // Act
      const inVietnamese = argumentNames(catalogs.vi[key] ?? "", "vi");
      const inEnglish = argumentNames(catalogs.en[key] ?? "", "en");

      // Assess
      expect(inEnglish).toEqual(inVietnamese);
    });

    it.each(LANGUAGES)("leaves no doubled full stop in %s", (language) => {
      // Act
      const doubled = Object.values(catalogs[language]).filter((text) => /[.!?…]\./u.test(text));

      // Assess
      expect(doubled).toEqual([]);
    });

    it.each(Object.keys(vi).sort())("writes %s in Vietnamese in NFC", (key) => {
      // Act
      const text = catalogs.vi[key] ?? "";

      // Assess
      expect(text).toBe(text.normalize("NFC"));
    });
  });

  describe("catalogs", () => {
    it("rejects catalogs with different keys", () => {
      // Act
      const act = () =>
        new MessageRenderer({
          vi: { "greeting.title": "Xin chào", "greeting.body": "Chào bạn" },
          en: { "greeting.title": "Hello" },
        });

      // Assess
      expect(act).toThrow(MessageCatalogError);
      expect(act).toThrow("The vi and en message catalogs must have the same keys");
    });

    it.each<[Language, Record<Language, Record<string, string>>]>([
      ["vi", { vi: { "greeting.title": "Xin chào {name" }, en: { "greeting.title": "Hello {name}" } }],
      [
        "en",
        {
          vi: { "greeting.title": "Chào {name}" },
          en: { "greeting.title": "{count, plural, one {# day}}" },
        },
      ],
    ])("rejects invalid ICU syntax in %s", (language, catalogs) => {
      // Act
      const act = () => new MessageRenderer(catalogs);

      // Assess
      expect(act).toThrow(MessageCatalogError);
      expect(act).toThrow(`Message "greeting.title" in the ${language} catalog is not valid ICU syntax`);
    });

    it("keeps the parser's error as the cause", () => {
      // Prepare
      let caught: unknown;

      // Act
      try {
        new MessageRenderer({ vi: { "a.title": "{" }, en: { "a.title": "x" } });
      } catch (error) {
        caught = error;
      }

      // Assess
      expect(caught).toBeInstanceOf(MessageCatalogError);
      expect((caught as MessageCatalogError).cause).toBeDefined();
      expect((caught as MessageCatalogError).name).toBe("MessageCatalogError");
    });

    it("lists only templates with a title and a body", () => {
      // Prepare
      const messages = { "a.title": "A", "a.body": "A", "b.title": "B", "c.body": "C" };
      const custom = new MessageRenderer({ vi: messages, en: messages });

      // Act
      const templates = custom.templates();

      // Assess
      expect([...templates]).toEqual(["a"]);
    });
  });
});

describe("collapseDoubledFullStops", () => {
  it.each<[string, string]>([
    ["từ ACME Corp.. Số dư", "từ ACME Corp. Số dư"],
    ["từ ACME Corp..", "từ ACME Corp."],
    ["từ Yahoo!. Số dư", "từ Yahoo! Số dư"],
    ["từ Công ty?. Số dư", "từ Công ty? Số dư"],
    ["từ Công ty…. Số dư", "từ Công ty… Số dư"],
    ["từ Công ty.... Số dư", "từ Công ty... Số dư"],
  ])("collapses %j", (text, expected) => {
    // Act
    const collapsed = collapseDoubledFullStops(text);

    // Assess
    expect(collapsed).toBe(expected);
  });

  it.each([
    "Chờ nhé... Số dư",
    "tại ACME Corp. lúc 14:20.",
    "tại Yahoo!.com lúc 14:20.",
    "Số dư hiện tại: 1.500.000 ₫.",
    "Balance: $1,234.56.",
  ])("keeps %j", (text) => {
    // Act
    const collapsed = collapseDoubledFullStops(text);

    // Assess
    expect(collapsed).toBe(text);
  });
});

describe("truncateUtf8", () => {
  it.each([
    ["Số dư thấp", 100],
    ["Số dư thấp", Buffer.byteLength("Số dư thấp")],
    ["", 0],
  ])("keeps %j within %i bytes", (text, maxBytes) => {
    // Act
    const truncated = truncateUtf8(text, maxBytes);

    // Assess
    expect(truncated).toBe(text);
  });

  it.each<[string, number, string]>([
    ["Giao dịch lớn tại Phở Thìn", 14, "Giao dịch…"],
    ["Số dư thấp", 11, "Số dư…"],
    ["Số dư thấp", 10, "Số d…"],
    ["Chúc mừng 🇻🇳🇻🇳", 24, "Chúc mừng 🇻🇳…"],
    ["Chúc mừng 🇻🇳🇻🇳", 23, "Chúc mừng…"],
    ["👨‍👩‍👧 gia đình", 21, "👨‍👩‍👧…"],
    ["👨‍👩‍👧 gia đình", 20, "…"],
  ])("cuts %j to %i bytes", (text, maxBytes, expected) => {
    // Act
    const truncated = truncateUtf8(text, maxBytes);

    // Assess
    expect(truncated).toBe(expected);
    expect(Buffer.byteLength(truncated)).toBeLessThanOrEqual(maxBytes);
  });

  it("keeps a decomposed letter with its marks", () => {
    // Prepare
    const text = "Nguyễn Văn A".normalize("NFD");

    // Act
    const truncated = truncateUtf8(text, 11);

    // Assess
    expect(truncated).toBe("Nguy…");
  });

  it("never exceeds the limit or splits a grapheme", () => {
    fc.assert(
      fc.property(vietnameseText, fc.integer({ min: 3, max: 200 }), (text, maxBytes) => {
        // Act
        const truncated = truncateUtf8(text, maxBytes);

        // Assess
        expect(Buffer.byteLength(truncated)).toBeLessThanOrEqual(maxBytes);
        if (Buffer.byteLength(text) <= maxBytes) {
          expect(truncated).toBe(text);
          return;
        }
        expect(truncated.endsWith("…")).toBe(true);
        const prefix = truncated.slice(0, -1);
        const prefixes = graphemes(text).map((_, index, all) => all.slice(0, index).join("").trimEnd());
        expect(prefixes).toContain(prefix);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([0, 1, 2])("fits a limit of %i bytes below the ellipsis", (maxBytes) => {
    // Act
    const truncated = truncateUtf8("Số dư thấp", maxBytes);

    // Assess
    expect(Buffer.byteLength(truncated)).toBeLessThanOrEqual(maxBytes);
  });
});
