import * as z from "zod/mini";
import { CONSENT_PURPOSES, type ConsentPurpose } from "../consents";
import { PersonalizationError } from "../errors";
import { MESSAGE_CHANNELS, type MessageChannel } from "../preferences";
import {
  FACT_FIELDS,
  type FactName,
  type Facts,
  type FactType,
  type RuleDefaults,
  TRIGGER_FACTS,
  TRIGGER_MESSAGE_PARAMS,
  type Trigger,
} from "./facts";
import { type MessageCatalogs, messageTemplates, type TemplateMessage } from "./message-templates";
import { describeIssue, describeValue, issueProblems } from "./schema-messages";

/**
 * The rule catalog: alert and offer rules as data, validated when loaded and compiled once into plain
 * predicates. Conditions use json-rules-engine's syntax (`all`, `any`, `not`, `fact`, `path`,
 * `operator`, `value`), so a catalog can be evaluated by that engine as well, as the benchmark does.
 */

export const OPERATORS = [
  "equal",
  "notEqual",
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
  "in",
  "notIn",
] as const;
export type Operator = (typeof OPERATORS)[number];

export const SEVERITIES = ["critical", "service", "marketing"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a cooldown is counted per: a rule with scope "account" may fire again for another account. */
export const COOLDOWN_SCOPES = [
  "customer",
  "account",
  "category",
  "country",
  "payee",
  "transaction",
] as const;
export type CooldownScope = (typeof COOLDOWN_SCOPES)[number];

const FactReferenceSchema = z.object({ fact: z.string(), path: z.optional(z.string()) });
const LiteralSchema = z.union([
  z.number(),
  z.string(),
  z.boolean(),
  z.array(z.union([z.number(), z.string()])),
]);
const OperandSchema = z.union([LiteralSchema, FactReferenceSchema], {
  error:
    'must be a number, a string, true or false, a list of numbers or strings, or a fact reference { "fact", "path" }',
});

export interface LeafCondition {
  readonly fact: string;
  readonly path?: string | undefined;
  readonly operator: Operator;
  readonly value: z.infer<typeof LiteralSchema> | z.infer<typeof FactReferenceSchema>;
}
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | LeafCondition;

const LeafConditionSchema = z.strictObject({
  fact: z.string(),
  path: z.optional(z.string()),
  operator: z.enum(OPERATORS),
  value: OperandSchema,
});

const ConditionSchema: z.ZodMiniType<Condition> = z.union(
  [
    z.strictObject({ all: z.array(z.lazy(() => ConditionSchema)) }),
    z.strictObject({ any: z.array(z.lazy(() => ConditionSchema)) }),
    z.strictObject({ not: z.lazy(() => ConditionSchema) }),
    LeafConditionSchema,
  ],
  {
    error:
      'must be a condition: { "all": [conditions] }, { "any": [conditions] }, { "not": condition } or { "fact", "path", "operator", "value" }',
  },
);

const amountsByCurrency = z.record(
  z
    .string()
    .check(z.regex(/^[A-Z]{3}$/, { error: "must be an upper-case ISO 4217 currency code such as VND" })),
  z.number().check(z.nonnegative()),
);

const RuleSchema = z.strictObject({
  id: z.string().check(
    z.regex(/^[a-z][a-z0-9-]{1,62}$/, {
      error: 'must be lower-case words joined by -, 2 to 63 characters, such as "low-balance"',
    }),
  ),
  version: z.int().check(z.positive()),
  kind: z.enum(["alert", "offer"]),
  trigger: z.enum(Object.keys(TRIGGER_FACTS) as [Trigger, ...Trigger[]]),
  priority: z.int().check(z.minimum(0), z.maximum(100)),
  severity: z.enum(SEVERITIES),
  cooldownHours: z.number().check(z.nonnegative()),
  cooldownScope: z.enum(COOLDOWN_SCOPES),
  channels: z.array(z.enum(MESSAGE_CHANNELS)).check(z.minLength(1)),
  consents: z.array(z.enum(CONSENT_PURPOSES)),
  template: z.string().check(
    z.regex(/^[a-zA-Z][a-zA-Z0-9]*$/, {
      error: 'must be a template name of letters and digits, such as "lowBalance"',
    }),
  ),
  offer: z.optional(z.strictObject({ productCode: z.string(), validDays: z.int().check(z.positive()) })),
  enabled: z._default(z.boolean(), true),
  conditions: ConditionSchema,
});

const CatalogSchema = z.strictObject({
  catalogVersion: z.string(),
  defaults: z.strictObject({
    lowBalanceMinor: amountsByCurrency,
    largeTransactionFloorMinor: amountsByCurrency,
    largeTransactionMultiple: z.number().check(z.positive()),
    largeTransactionMinimumHistory: z.int().check(z.nonnegative()),
    unusualSpendingRatio: z.number().check(z.positive()),
    unusualSpendingMinimumMinor: amountsByCurrency,
    instalmentMinimumMinor: amountsByCurrency,
    idleBalanceMinimumMinor: amountsByCurrency,
    idleBalanceSpendingMonths: z.number().check(z.positive()),
    incomeMinimumMinor: amountsByCurrency,
  }),
  rules: z.array(RuleSchema).check(z.minLength(1, { error: "must list at least one rule" })),
});

export type RuleDefinition = z.infer<typeof RuleSchema>;

/** A rule ready to evaluate: its definition and its compiled condition. */
export interface CompiledRule extends RuleDefinition {
  readonly kind: "alert" | "offer";
  readonly matches: (facts: Facts) => boolean;
}

export interface RuleCatalog {
  readonly catalogVersion: string;
  readonly defaults: RuleDefaults;
  /** Enabled rules by trigger, highest priority first. */
  readonly rulesByTrigger: Readonly<Record<Trigger, readonly CompiledRule[]>>;
  readonly rules: readonly CompiledRule[];
}

/** The catalog is invalid; the message lists every problem with the rule id and field. */
export class RuleCatalogError extends PersonalizationError {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid rule catalog: ${problems.join("; ")}`);
  }
}

type Getter = (facts: Facts) => unknown;

/** A fact field a condition reads: how to read it, its type, and its name for messages. */
interface Operand {
  readonly get: Getter;
  readonly type: FactType;
  /** Such as `transaction $.amountMinor`. */
  readonly label: string;
}

function resolveReference(
  fact: string,
  path: string | undefined,
  trigger: Trigger,
  where: string,
  problems: string[],
): Operand | undefined {
  const allowed: readonly string[] = TRIGGER_FACTS[trigger];
  if (!allowed.includes(fact)) {
    problems.push(
      `${where}: fact "${fact}" is not available to trigger "${trigger}" (use ${allowed.join(", ")})`,
    );
    return undefined;
  }
  const field = path?.replace(/^\$\./, "");
  const fields = FACT_FIELDS[fact as FactName] as Record<string, FactType>;
  const type = field === undefined ? undefined : fields[field];
  if (field === undefined || type === undefined || field.includes(".")) {
    problems.push(
      `${where}: path "${path ?? ""}" is not a field of "${fact}" (use $.${Object.keys(fields).join(", $.")})`,
    );
    return undefined;
  }
  const factName = fact as FactName;
  return {
    get: (facts) => (facts[factName] as Record<string, unknown> | undefined)?.[field],
    type,
    label: `${fact} $.${field}`,
  };
}

function compare(operator: Operator, left: unknown, right: unknown): boolean {
  switch (operator) {
    case "equal":
      return left === right;
    case "notEqual":
      return left !== right;
    case "lessThan":
      return (left as number) < (right as number);
    case "lessThanInclusive":
      return (left as number) <= (right as number);
    case "greaterThan":
      return (left as number) > (right as number);
    case "greaterThanInclusive":
      return (left as number) >= (right as number);
    case "in":
      return Array.isArray(right) && right.includes(left as never);
    case "notIn":
      return Array.isArray(right) && !right.includes(left as never);
  }
}

/** Hints for an operand of the wrong type, by the fact's type: for "equal" and "notEqual". */
const VALUE_HINTS: Readonly<Record<FactType, string>> = {
  number: "a number",
  string: "a string",
  boolean: "true or false",
};
/** Hints for a list item of the wrong type, by the fact's type: for "in" and "notIn". */
const LIST_HINTS: Readonly<Record<FactType, string>> = {
  number: "list only numbers",
  string: "list only strings",
  boolean: 'a list cannot contain true or false, so use "equal"',
};

const NUMERIC_OPERATORS: ReadonlySet<Operator> = new Set([
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
]);

function compileCondition(
  condition: Condition,
  trigger: Trigger,
  where: string,
  problems: string[],
): (facts: Facts) => boolean {
  if ("all" in condition) {
    const parts = condition.all.map((part, index) =>
      compileCondition(part, trigger, `${where}.all[${index}]`, problems),
    );
    return (facts) => parts.every((part) => part(facts));
  }
  if ("any" in condition) {
    const parts = condition.any.map((part, index) =>
      compileCondition(part, trigger, `${where}.any[${index}]`, problems),
    );
    return (facts) => parts.some((part) => part(facts));
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not, trigger, `${where}.not`, problems);
    return (facts) => !inner(facts);
  }

  const left = resolveReference(condition.fact, condition.path, trigger, where, problems);
  const { operator, value } = condition;
  let right: Getter;
  let rightType: string;
  let rightLabel: string;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const reference = resolveReference(value.fact, value.path, trigger, `${where}.value`, problems);
    right = reference?.get ?? (() => undefined);
    rightType = reference?.type ?? "unknown";
    rightLabel = reference ? `${reference.label}, a ${reference.type}` : "";
  } else {
    right = () => value;
    rightType = Array.isArray(value) ? "array" : typeof value;
    rightLabel = describeValue(value);
  }
  if (
    left &&
    NUMERIC_OPERATORS.has(operator) &&
    (left.type !== "number" || (rightType !== "number" && rightType !== "unknown"))
  ) {
    problems.push(
      `${where}: operator "${operator}" compares numbers, but the operands are ${left.type} and ${rightType}`,
    );
  }
  if ((operator === "in" || operator === "notIn") && rightType !== "array") {
    problems.push(`${where}: operator "${operator}" needs a list as value`);
  }
  if (left && (operator === "equal" || operator === "notEqual") && rightType !== "unknown") {
    if (rightType !== left.type) {
      problems.push(
        `${where}: operator "${operator}" compares ${left.label}, a ${left.type}, with ${rightLabel}; ` +
          `use ${VALUE_HINTS[left.type]}`,
      );
    }
  }
  if (left && (operator === "in" || operator === "notIn") && Array.isArray(value)) {
    const wrong = value.find((item) => typeof item !== left.type);
    if (wrong !== undefined) {
      problems.push(
        `${where}: operator "${operator}" compares ${left.label}, a ${left.type}, with a list that contains ` +
          `${describeValue(wrong)}; ${LIST_HINTS[left.type]}`,
      );
    }
  }
  const get = left?.get ?? (() => undefined);
  return (facts) => compare(operator, get(facts), right(facts));
}

/** Checks what the schema cannot: consent for marketing, offer fields, templates that exist, channels. */
function crossCheck(
  rule: RuleDefinition,
  where: string,
  templates: ReadonlyMap<string, readonly TemplateMessage[]>,
  problems: string[],
): void {
  const needsMarketing = rule.kind === "offer" || rule.severity === "marketing";
  if (needsMarketing && !rule.consents.includes("marketing" as ConsentPurpose)) {
    problems.push(`${where}: offers and marketing messages must list the "marketing" consent`);
  }
  if (rule.kind === "offer" && rule.severity !== "marketing")
    problems.push(`${where}: an offer's severity must be "marketing"`);
  if (rule.kind === "offer" && !rule.offer)
    problems.push(`${where}: an offer needs "offer": { productCode, validDays }`);
  if (rule.kind === "alert" && rule.offer) problems.push(`${where}: only offers have an "offer" field`);
  const messages = templates.get(rule.template);
  if (messages) checkPlaceholders(rule, where, messages, problems);
  else problems.push(`${where}: template "${rule.template}" is not in the message catalogs`);
  const unique = new Set<MessageChannel>(rule.channels);
  if (unique.size !== rule.channels.length) problems.push(`${where}: channels are listed twice`);
}

/** Checks that the rule's trigger supplies every placeholder of its template's messages. */
function checkPlaceholders(
  rule: RuleDefinition,
  where: string,
  messages: readonly TemplateMessage[],
  problems: string[],
): void {
  const supplied: readonly string[] = TRIGGER_MESSAGE_PARAMS[rule.trigger];
  for (const message of messages) {
    const at = `${where}: message "${message.key}" (${message.language})`;
    if (message.syntaxError !== undefined) {
      problems.push(`${at} is not valid ICU MessageFormat: ${message.syntaxError}`);
      continue;
    }
    const missing = [...message.placeholders].filter((name) => !supplied.includes(name));
    if (missing.length > 0) {
      problems.push(
        `${at} uses ${missing.map((name) => `{${name}}`).join(", ")}, which trigger "${rule.trigger}" ` +
          `does not supply; use only ${supplied.map((name) => `{${name}}`).join(", ")}`,
      );
    }
    for (const tag of message.tags) {
      problems.push(`${at} uses the tag <${tag}>, which rule messages cannot fill; remove it`);
    }
  }
}

/** Returns "rules.1.priority", or "catalog" for the input itself. */
function pathText(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "catalog" : path.map(String).join(".");
}

/** Returns the input's rules as they arrived, or none when `rules` is not a list. */
function inputRules(input: unknown): readonly unknown[] {
  const rules =
    typeof input === "object" && input !== null ? (input as { rules?: unknown }).rules : undefined;
  return Array.isArray(rules) ? rules : [];
}

function idOf(rule: unknown): string | undefined {
  const id = typeof rule === "object" && rule !== null ? (rule as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : undefined;
}

/**
 * Validates and compiles a catalog against the message catalogs its templates come from. Every
 * problem is collected, each naming the rule and field, and raised together in one
 * {@link RuleCatalogError}: schema problems, and the checks of every rule whose own fields are valid,
 * so one run lists both kinds.
 */
export function loadRuleCatalog(input: unknown, messages: MessageCatalogs): RuleCatalog {
  const templates = messageTemplates(messages);
  const parsed = CatalogSchema.safeParse(input, { error: describeIssue });

  // Schema problems of one rule are listed with that rule; the others come first.
  const problems: string[] = [];
  const ruleSchemaProblems = new Map<number, string[]>();
  const raw = inputRules(input);
  for (const { path, message } of parsed.success ? [] : issueProblems(parsed.error.issues)) {
    const index = path[0] === "rules" && typeof path[1] === "number" ? path[1] : undefined;
    if (index === undefined) {
      problems.push(`${pathText(path)}: ${message}`);
      continue;
    }
    const id = idOf(raw[index]);
    const listed = ruleSchemaProblems.get(index) ?? [];
    listed.push(`${id === undefined ? "" : `rule "${id}" `}${pathText(path)}: ${message}`);
    ruleSchemaProblems.set(index, listed);
  }

  const seen = new Set<string>();
  const rules: CompiledRule[] = [];
  raw.forEach((candidate, index) => {
    const id = idOf(candidate);
    const where = `rule "${id}"`;
    const schemaProblems = ruleSchemaProblems.get(index) ?? [];
    problems.push(...schemaProblems);
    if (id !== undefined && seen.has(id)) problems.push(`${where}: id is used twice`);
    if (id !== undefined) seen.add(id);
    if (schemaProblems.length > 0) return;

    const rule = parsed.success ? parsed.data.rules[index] : RuleSchema.safeParse(candidate).data;
    if (!rule) return;
    crossCheck(rule, where, templates, problems);
    rules.push({
      ...rule,
      matches: compileCondition(rule.conditions, rule.trigger, `${where} conditions`, problems),
    });
  });
  if (!parsed.success || problems.length > 0) throw new RuleCatalogError(problems);

  const enabled = rules.filter((rule) => rule.enabled).sort((a, b) => b.priority - a.priority);
  const rulesByTrigger = Object.fromEntries(
    (Object.keys(TRIGGER_FACTS) as Trigger[]).map((trigger) => [
      trigger,
      enabled.filter((rule) => rule.trigger === trigger),
    ]),
  ) as Record<Trigger, CompiledRule[]>;
  return {
    catalogVersion: parsed.data.catalogVersion,
    defaults: parsed.data.defaults,
    rulesByTrigger,
    rules,
  };
}
