import en from "../messages/en.json";
import { MessageRenderer } from "../messages/render";
import vi from "../messages/vi.json";
import { loadRuleCatalog, type RuleCatalog } from "./catalog";
import catalogJson from "./catalog.json";
import type { MessageCatalogs } from "./message-templates";

/** The bundled message catalogs, which the renderer formats and the rule catalog is checked against. */
export const BUNDLED_MESSAGES: MessageCatalogs = { vi, en };

export interface RuleSet {
  readonly catalog: RuleCatalog;
  readonly renderer: MessageRenderer;
}

let loaded: RuleSet | undefined;

/**
 * Loads the bundled rule catalog (lambdas/domain/rules/catalog.json) and message catalogs once per
 * process, validating both; an invalid catalog fails the cold start with every problem listed.
 */
export function defaultRuleSet(): RuleSet {
  if (!loaded) {
    const renderer = new MessageRenderer(BUNDLED_MESSAGES);
    loaded = { catalog: loadRuleCatalog(catalogJson, BUNDLED_MESSAGES), renderer };
  }
  return loaded;
}
