import { MessageRenderer } from "../messages/render";
import { loadRuleCatalog, type RuleCatalog } from "./catalog";
import catalogJson from "./catalog.json";

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
    const renderer = new MessageRenderer();
    loaded = { catalog: loadRuleCatalog(catalogJson, renderer.templates()), renderer };
  }
  return loaded;
}
