import { IntlMessageFormat } from "intl-messageformat";
import type { MessageCatalog } from "../messages/render";
import { LANGUAGES, type Language } from "../preferences";

/** Message catalogs by language, in the form the renderer reads them. */
export type MessageCatalogs = Readonly<Record<Language, MessageCatalog>>;

/** The title or body of a template in one language, with the argument names it uses. */
export interface TemplateMessage {
  /** Catalog key, such as "lowBalance.body". */
  readonly key: string;
  readonly language: Language;
  /** Argument names, such as "balance" for `{balance}` or "days" for `{days, plural, …}`. */
  readonly placeholders: ReadonlySet<string>;
  /** Names of XML-like tags (`<b>…</b>`), which need a function value that rule messages never pass. */
  readonly tags: ReadonlySet<string>;
  /** Set when the text is not valid ICU MessageFormat. */
  readonly syntaxError?: string;
}

type MessageElement = ReturnType<IntlMessageFormat["getAst"]>[number];

// Element types of the ICU message AST, as numbered by the TYPE enum of
// @formatjs/icu-messageformat-parser 3.x; intl-messageformat 12 does not re-export that enum.
const LITERAL = 0;
const POUND = 7;
const TAG = 8;

function collectNames(
  elements: readonly MessageElement[],
  placeholders: Set<string>,
  tags: Set<string>,
): void {
  for (const element of elements) {
    if (element.type === LITERAL || element.type === POUND) continue;
    if (element.type === TAG) tags.add(element.value);
    else placeholders.add(element.value);
    if ("options" in element) {
      for (const option of Object.values(element.options)) collectNames(option.value, placeholders, tags);
    }
    if ("children" in element) collectNames(element.children, placeholders, tags);
  }
}

function templateMessage(catalogs: MessageCatalogs, language: Language, key: string): TemplateMessage {
  const placeholders = new Set<string>();
  const tags = new Set<string>();
  try {
    collectNames(new IntlMessageFormat(catalogs[language][key] ?? "").getAst(), placeholders, tags);
  } catch (error) {
    return { key, language, placeholders, tags, syntaxError: (error as Error).message };
  }
  return { key, language, placeholders, tags };
}

/**
 * Lists each template that has a title and a body in every language, with the placeholders of those
 * messages. Templates are parsed here, not rendered, so a message that a rule could never fill is
 * found before any customer triggers it.
 */
export function messageTemplates(catalogs: MessageCatalogs): ReadonlyMap<string, readonly TemplateMessage[]> {
  const templates = new Map<string, TemplateMessage[]>();
  const titles = Object.keys(catalogs[LANGUAGES[0]]).filter((key) => key.endsWith(".title"));
  for (const title of titles) {
    const template = title.slice(0, -".title".length);
    const keys = [title, `${template}.body`];
    if (!LANGUAGES.every((language) => keys.every((key) => catalogs[language][key] !== undefined))) continue;
    templates.set(
      template,
      LANGUAGES.flatMap((language) => keys.map((key) => templateMessage(catalogs, language, key))),
    );
  }
  return templates;
}
