import { IntlMessageFormat } from "intl-messageformat";
import type { Category } from "../categories";
import { currencyExponent, formatMinorAsDecimal } from "../money";
import { LANGUAGES, type Language } from "../preferences";
import en from "./en.json";
import vi from "./vi.json";

/**
 * Customer-facing text from ICU MessageFormat catalogs in Vietnamese and English. Amounts, dates and
 * country names are formatted by `Intl` for the customer's language before they enter a message, so
 * catalogs never do arithmetic on money.
 */

export type MessageCatalog = Readonly<Record<string, string>>;

export const LOCALES: Readonly<Record<Language, string>> = { vi: "vi-VN", en: "en-US" };

/** Values a template may use; amounts arrive formatted, as text. */
export type MessageParams = Readonly<Record<string, string | number>>;

export interface RenderedText {
  readonly title: string;
  readonly body: string;
}

/** A template or a catalog entry is missing or malformed. */
export class MessageCatalogError extends Error {
  override name = "MessageCatalogError";
}

const BYTES_OF_ELLIPSIS = 3;
const segmenters = new Map<string, Intl.Segmenter>();

/**
 * Cuts text to at most `maxBytes` of UTF-8 on a grapheme boundary, ending with "…" when cut, so a
 * Vietnamese letter with its tone mark or an emoji is never split.
 */
export function truncateUtf8(text: string, maxBytes: number, locale = "vi"): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const ellipsis = maxBytes >= BYTES_OF_ELLIPSIS ? "…" : "";
  let segmenter = segmenters.get(locale);
  if (!segmenter) {
    segmenter = new Intl.Segmenter(locale, { granularity: "grapheme" });
    segmenters.set(locale, segmenter);
  }
  let used = 0;
  let kept = "";
  for (const { segment } of segmenter.segment(text)) {
    const size = Buffer.byteLength(segment, "utf8");
    if (used + size > maxBytes - Buffer.byteLength(ellipsis, "utf8")) break;
    kept += segment;
    used += size;
  }
  return `${kept.trimEnd()}${ellipsis}`;
}

/** Day and month options of {@link MessageRenderer.date}. Templates put "ngày" before the Vietnamese form. */
const DATE_OPTIONS: Readonly<Record<Language, Intl.DateTimeFormatOptions>> = {
  vi: { day: "numeric", month: "numeric" },
  en: { day: "numeric", month: "long" },
};

/**
 * A full stop that follows a value already ending in ".", "!", "?" or "…" at the end of a sentence,
 * as in "từ ACME Corp.. Số dư". An ellipsis ("...") is left as it is. Catalog texts never contain
 * such a pair, so only a value can produce one.
 */
const DOUBLED_FULL_STOP = /(?<!\.)(\.{3}|[.!?…])\.(?=\s|$)/gu;

/** Removes the template's full stop after a value that already ends its sentence. */
export function collapseDoubledFullStops(text: string): string {
  return text.replace(DOUBLED_FULL_STOP, "$1");
}

export class MessageRenderer {
  private readonly compiled = new Map<string, IntlMessageFormat>();
  private readonly moneyFormats = new Map<string, Intl.NumberFormat>();
  private readonly dateFormats = new Map<string, Intl.DateTimeFormat>();
  private readonly regionNames = new Map<Language, Intl.DisplayNames>();
  private readonly currencyNames = new Map<string, string>();

  constructor(private readonly catalogs: Readonly<Record<Language, MessageCatalog>> = { vi, en }) {
    const viKeys = Object.keys(catalogs.vi).sort().join(",");
    const enKeys = Object.keys(catalogs.en).sort().join(",");
    if (viKeys !== enKeys)
      throw new MessageCatalogError("The vi and en message catalogs must have the same keys");
    for (const language of LANGUAGES) {
      for (const key of Object.keys(catalogs[language])) this.formatter(language, key);
    }
  }

  /** Templates that have both a title and a body in every language. */
  templates(): Set<string> {
    const keys = new Set(Object.keys(this.catalogs.vi));
    return new Set(
      [...keys]
        .filter((key) => key.endsWith(".title"))
        .map((key) => key.slice(0, -".title".length))
        .filter((template) => keys.has(`${template}.body`)),
    );
  }

  private formatter(language: Language, key: string): IntlMessageFormat {
    const cacheKey = `${language}:${key}`;
    let formatter = this.compiled.get(cacheKey);
    if (!formatter) {
      const source = this.catalogs[language][key];
      if (source === undefined)
        throw new MessageCatalogError(`Message "${key}" is missing from the ${language} catalog`);
      try {
        formatter = new IntlMessageFormat(source, LOCALES[language]);
      } catch (error) {
        throw new MessageCatalogError(`Message "${key}" in the ${language} catalog is not valid ICU syntax`, {
          cause: error,
        });
      }
      this.compiled.set(cacheKey, formatter);
    }
    return formatter;
  }

  /**
   * Formats a catalog entry as NFC text that keeps the no-break spaces `Intl` puts in amounts. A name
   * that ends a sentence with its own full stop ("ACME Corp.") does not get a second one.
   */
  text(language: Language, key: string, params: MessageParams = {}): string {
    const text = String(this.formatter(language, key).format(params)).normalize("NFC");
    return collapseDoubledFullStops(text).trim();
  }

  render(language: Language, template: string, params: MessageParams): RenderedText {
    return {
      title: this.text(language, `${template}.title`, params),
      body: this.text(language, `${template}.body`, params),
    };
  }

  /** Formats minor units exactly: `Intl` receives decimal text, never a float ("1.500.000 ₫" in Vietnamese). */
  money(minor: number, currency: string, language: Language): string {
    const cacheKey = `${language}:${currency}`;
    let format = this.moneyFormats.get(cacheKey);
    if (!format) {
      // ICU's default decimals differ from ISO 4217 for some currencies (IQD, IDR, HUF), so the ISO
      // exponent is set explicitly and nothing is rounded away.
      const exponent = currencyExponent(currency);
      format = new Intl.NumberFormat(LOCALES[language], {
        style: "currency",
        currency,
        ...(exponent !== undefined && { minimumFractionDigits: exponent, maximumFractionDigits: exponent }),
      });
      this.moneyFormats.set(cacheKey, format);
    }
    return format.format(formatMinorAsDecimal(minor, currency) as unknown as number);
  }

  /**
   * Formats a calendar date ("YYYY-MM-DD") as day and month: "12/12" in Vietnamese, as banks write it
   * after "ngày", and "December 12" in English, where a numeric date could be read either way.
   */
  date(isoDate: string, language: Language): string {
    return this.dateTime(Date.parse(`${isoDate}T12:00:00Z`), language, "UTC", DATE_OPTIONS[language]);
  }

  /** Formats the wall-clock time of an instant in the customer's zone ("14:20", "2:20 PM"). */
  time(instantMs: number, language: Language, timeZone: string): string {
    return this.dateTime(instantMs, language, timeZone, { hour: "numeric", minute: "2-digit" });
  }

  private dateTime(
    instantMs: number,
    language: Language,
    timeZone: string,
    options: Intl.DateTimeFormatOptions,
  ) {
    const cacheKey = `${language}:${timeZone}:${JSON.stringify(options)}`;
    let format = this.dateFormats.get(cacheKey);
    if (!format) {
      format = new Intl.DateTimeFormat(LOCALES[language], { ...options, timeZone });
      this.dateFormats.set(cacheKey, format);
    }
    return format.format(new Date(instantMs));
  }

  /**
   * Returns the currency's name as it reads inside a sentence ("bạt Thái Lan", "Thai baht", "US
   * dollars"), or the code if `Intl` has none. English gets the plural form, as in "pay in euros".
   * Throws a RangeError for a code that is not three letters.
   */
  currencyName(code: string, language: Language): string {
    const cacheKey = `${language}:${code}`;
    let name = this.currencyNames.get(cacheKey);
    if (name === undefined) {
      const parts = new Intl.NumberFormat(LOCALES[language], {
        style: "currency",
        currency: code,
        currencyDisplay: "name",
      }).formatToParts(2); // 2 selects the plural name where the language has one.
      name = parts.find((part) => part.type === "currency")?.value ?? code;
      this.currencyNames.set(cacheKey, name);
    }
    return name;
  }

  /** The country's name in the language ("Thái Lan", "Thailand"), or the code if `Intl` has none. */
  country(code: string, language: Language): string {
    let names = this.regionNames.get(language);
    if (!names) {
      names = new Intl.DisplayNames([LOCALES[language]], { type: "region" });
      this.regionNames.set(language, names);
    }
    return names.of(code) ?? code;
  }

  category(category: Category, language: Language): string {
    return this.text(language, `category.${category}`);
  }
}
