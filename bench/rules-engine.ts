import { Engine, type Event, Rule, type TopLevelCondition } from "json-rules-engine";
import type { RuleCatalog } from "../lambdas/domain/rules/catalog";
import catalogJson from "../lambdas/domain/rules/catalog.json";
import { type Facts, transactionFacts } from "../lambdas/domain/rules/facts";
import type { TransactionDecisionInput } from "../lambdas/use-cases/decide-messages";

/** json-rules-engine's built-in operators (version 7), which a converted catalog may use. */
const ENGINE_OPERATORS = new Set([
  "equal",
  "notEqual",
  "in",
  "notIn",
  "contains",
  "doesNotContain",
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
]);

/** Minimum time the compiled rules are timed for, so that the timer's resolution does not matter. */
const MIN_TIMED_SECONDS = 1;

export interface Mismatch {
  readonly eventId: string;
  readonly compiled: readonly string[];
  readonly engine: readonly string[];
}

export interface RuleEngineComparison {
  /** Rules of the catalog that converted into json-rules-engine rules, of all rules. */
  readonly convertedRules: number;
  readonly catalogRules: number;
  /** Problems found converting the catalog; empty when its syntax is compatible. */
  readonly incompatibilities: readonly string[];
  /** Rules evaluated per event: the catalog's enabled rules of the transaction trigger. */
  readonly rulesPerEvaluation: number;
  readonly evaluations: number;
  /** Evaluations per CPU-second of this process, and per wall-clock second. */
  readonly compiled: { readonly perCpuSecond: number; readonly perSecond: number };
  readonly engine: { readonly perCpuSecond: number; readonly perSecond: number };
  /** How often a rule matched, summed over all events, by the compiled rules. */
  readonly matches: number;
  readonly mismatches: readonly Mismatch[];
}

interface RawCondition {
  readonly all?: readonly RawCondition[];
  readonly any?: readonly RawCondition[];
  readonly not?: RawCondition;
  readonly fact?: string;
  readonly path?: string;
  readonly operator?: string;
  readonly value?: unknown;
}

/** Lists what json-rules-engine would not accept in a condition tree: unknown keys or operators. */
function incompatibilitiesOf(condition: RawCondition, where: string): string[] {
  const problems: string[] = [];
  if (condition.all || condition.any) {
    const list = condition.all ?? condition.any ?? [];
    list.forEach((part, index) => {
      problems.push(...incompatibilitiesOf(part, `${where}.${condition.all ? "all" : "any"}[${index}]`));
    });
  } else if (condition.not) {
    problems.push(...incompatibilitiesOf(condition.not, `${where}.not`));
  } else {
    if (!condition.operator || !ENGINE_OPERATORS.has(condition.operator)) {
      problems.push(`${where}: operator "${condition.operator}" is not built into json-rules-engine`);
    }
    if (condition.path !== undefined && !condition.path.startsWith("$.")) {
      problems.push(`${where}: path "${condition.path}" is not a JSONPath from the fact's root`);
    }
  }
  return problems;
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function matchedRuleIds(rules: RuleCatalog["rulesByTrigger"]["transaction"], facts: Facts): string[] {
  const ids: string[] = [];
  for (const rule of rules) if (rule.matches(facts)) ids.push(rule.id);
  return ids;
}

/**
 * Evaluates the catalog's transaction rules on each event's facts twice: with the catalog's compiled
 * predicates, as ingestion does, and with json-rules-engine on the same conditions, converted
 * unchanged from catalog.json. It compares the sets of matching rules event by event and times both.
 * One evaluation is one event's facts checked against every rule of the trigger.
 */
export async function compareRuleEngines(
  catalog: RuleCatalog,
  inputs: readonly TransactionDecisionInput[],
  homeCountry: string,
): Promise<RuleEngineComparison> {
  const incompatibilities: string[] = [];
  let convertedRules = 0;
  const engine = new Engine([], { allowUndefinedFacts: false });
  const transactionRules = new Set(catalog.rulesByTrigger.transaction.map((rule) => rule.id));
  for (const rule of catalogJson.rules) {
    const problems = incompatibilitiesOf(rule.conditions as RawCondition, `rule "${rule.id}" conditions`);
    incompatibilities.push(...problems);
    if (problems.length > 0) continue;
    let converted: Rule;
    try {
      converted = new Rule({
        name: rule.id,
        conditions: rule.conditions as TopLevelCondition,
        event: { type: rule.id },
      });
    } catch (error) {
      incompatibilities.push(`rule "${rule.id}": ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    convertedRules += 1;
    if (transactionRules.has(rule.id)) engine.addRule(converted);
  }

  const facts = inputs.map((input) =>
    transactionFacts(
      input.transaction,
      input.before,
      input.change,
      input.context.preferences,
      catalog.defaults,
      homeCountry,
    ),
  );
  const compiledRules = catalog.rulesByTrigger.transaction;

  // Both engines on every event, for the comparison; the engine's pass is also its timing.
  const mismatches: Mismatch[] = [];
  let matches = 0;
  const engineCpu = process.cpuUsage();
  const engineStart = performance.now();
  const engineResults: string[][] = [];
  for (const eventFacts of facts) {
    const { events } = await engine.run(eventFacts as Record<string, unknown>);
    engineResults.push(events.map((event: Event) => event.type));
  }
  const engineSeconds = (performance.now() - engineStart) / 1000;
  const engineCpuSeconds = cpuSecondsSince(engineCpu);
  facts.forEach((eventFacts, index) => {
    const compiled = matchedRuleIds(compiledRules, eventFacts);
    matches += compiled.length;
    const other = [...(engineResults[index] ?? [])].sort();
    if (
      compiled.length !== other.length ||
      [...compiled].sort().some((id, position) => id !== other[position])
    ) {
      mismatches.push({ eventId: inputs[index]?.eventId ?? "", compiled, engine: other });
    }
  });

  // The compiled predicates: whole passes over all events until at least a second has passed.
  let passes = 0;
  let sink = 0;
  const compiledCpu = process.cpuUsage();
  const compiledStart = performance.now();
  do {
    for (const eventFacts of facts) {
      for (const rule of compiledRules) if (rule.matches(eventFacts)) sink += 1;
    }
    passes += 1;
  } while (performance.now() - compiledStart < MIN_TIMED_SECONDS * 1000);
  const compiledSeconds = (performance.now() - compiledStart) / 1000;
  const compiledCpuSeconds = cpuSecondsSince(compiledCpu);
  if (sink !== matches * passes)
    throw new Error("The compiled rules matched differently from one pass to the next");

  return {
    convertedRules,
    catalogRules: catalogJson.rules.length,
    incompatibilities,
    rulesPerEvaluation: compiledRules.length,
    evaluations: facts.length,
    compiled: {
      perCpuSecond: (facts.length * passes) / compiledCpuSeconds,
      perSecond: (facts.length * passes) / compiledSeconds,
    },
    engine: { perCpuSecond: facts.length / engineCpuSeconds, perSecond: facts.length / engineSeconds },
    matches,
    mismatches,
  };
}
