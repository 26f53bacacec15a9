import { readFileSync } from "node:fs";
import { MessageRenderer } from "../lambdas/domain/messages/render";
import { loadRuleCatalog, RuleCatalogError } from "../lambdas/domain/rules/catalog";

/**
 * Validates a rule catalog the way the functions do at cold start and lists its rules, so a bank
 * team can check an edited catalog before deploying it.
 * Usage: npm run rules -- [path]   (default: lambdas/domain/rules/catalog.json)
 */
const path = process.argv[2] ?? "lambdas/domain/rules/catalog.json";

try {
  const catalog = loadRuleCatalog(JSON.parse(readFileSync(path, "utf8")), new MessageRenderer().templates());
  console.log(`${path}: catalog ${catalog.catalogVersion} is valid, ${catalog.rules.length} rules`);
  for (const rule of [...catalog.rules].sort((a, b) => b.priority - a.priority)) {
    const state = rule.enabled ? "" : " (disabled)";
    const consents = rule.consents.length > 0 ? `, needs ${rule.consents.join(" + ")}` : "";
    console.log(
      `  ${String(rule.priority).padStart(3)} ${rule.kind.padEnd(5)} ${rule.id} v${rule.version}${state}: ${rule.severity}, ` +
        `${rule.trigger}, cooldown ${rule.cooldownHours} h per ${rule.cooldownScope}, ${rule.channels.join("/")}${consents}`,
    );
  }
} catch (error) {
  if (error instanceof RuleCatalogError) {
    console.error(`${path} is invalid:`);
    for (const problem of error.problems) console.error(`  ${problem}`);
  } else {
    console.error(`Cannot read ${path}: ${(error as Error).message}`);
  }
  process.exitCode = 1;
}
