import { readFileSync } from "node:fs";
import { MessageCatalogError, MessageRenderer } from "../lambdas/domain/messages/render";
import { loadRuleCatalog, RuleCatalogError } from "../lambdas/domain/rules/catalog";
import { BUNDLED_MESSAGES } from "../lambdas/domain/rules/default-catalog";

/**
 * Validates a rule catalog the way the functions do at cold start and lists its rules, so a bank
 * team can check an edited catalog before deploying it. The check covers the schema, the facts and
 * operand types of each condition, and the placeholders of each rule's message template.
 * Usage: npm run rules -- [path]   (default: lambdas/domain/rules/catalog.json)
 */
const path = process.argv[2] ?? "lambdas/domain/rules/catalog.json";

/** Reads and parses the file, or returns undefined after printing why it could not. */
function readCatalog(): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    console.error(`Cannot read ${path}: ${(error as Error).message}`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    console.error(`${path} is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
}

const input = readCatalog();
if (input === undefined) {
  process.exitCode = 1;
} else {
  try {
    // The renderer compiles every message, so a syntax error in the message catalogs fails here too.
    new MessageRenderer(BUNDLED_MESSAGES);
    const catalog = loadRuleCatalog(input, BUNDLED_MESSAGES);
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
      const count = error.problems.length;
      console.error(`${path} is invalid (${count} ${count === 1 ? "problem" : "problems"}):`);
      for (const problem of error.problems) console.error(`  ${problem}`);
    } else if (error instanceof MessageCatalogError) {
      console.error(`The message catalogs are invalid: ${error.message}`);
    } else {
      throw error;
    }
    process.exitCode = 1;
  }
}
