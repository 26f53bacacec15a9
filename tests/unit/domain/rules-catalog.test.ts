import { describe, expect, it } from "vitest";
import { PersonalizationError } from "../../../lambdas/domain/errors";
import {
  type CompiledRule,
  loadRuleCatalog,
  OPERATORS,
  type Operator,
  RuleCatalogError,
} from "../../../lambdas/domain/rules/catalog";
import catalogJson from "../../../lambdas/domain/rules/catalog.json";
import { BUNDLED_MESSAGES, defaultRuleSet } from "../../../lambdas/domain/rules/default-catalog";
import type { FactName, Facts } from "../../../lambdas/domain/rules/facts";
import { cardPayment, evaluate } from "./rule-fixtures";

/** A rule or condition as plain JSON, loose enough to be edited into invalid shapes. */
type JsonObject = Record<string, unknown>;

interface JsonCatalog {
  catalogVersion: string;
  defaults: unknown;
  rules: JsonObject[];
}

/** Returns a copy of the bundled catalog that a test may change freely. */
function bundledCopy(): JsonCatalog {
  return structuredClone(catalogJson) as JsonCatalog;
}

/** Returns the rule `id` of `catalog`, failing the test when it is missing. */
function ruleOf(catalog: JsonCatalog, id: string): JsonObject {
  const rule = catalog.rules.find((candidate) => candidate.id === id);
  if (!rule) throw new Error(`the catalog has no rule "${id}"`);
  return rule;
}

/** Builds an enabled transaction alert "test-rule" with `conditions`, changed by `fields`. */
function testRule(conditions: unknown, fields: JsonObject = {}): JsonObject {
  return {
    id: "test-rule",
    version: 1,
    kind: "alert",
    trigger: "transaction",
    priority: 50,
    severity: "service",
    cooldownHours: 0,
    cooldownScope: "transaction",
    channels: ["inbox"],
    consents: [],
    template: "lowBalance",
    conditions,
    ...fields,
  };
}

/** Builds a catalog with the bundled defaults and only `rules`. */
function catalogOf(...rules: JsonObject[]): JsonCatalog {
  return { catalogVersion: "test", defaults: structuredClone(catalogJson.defaults), rules };
}

/** Compiles a catalog whose only rule has `conditions`, and returns that rule. */
function compile(conditions: unknown): CompiledRule {
  const [rule] = loadRuleCatalog(catalogOf(testRule(conditions)), BUNDLED_MESSAGES).rules;
  if (!rule) throw new Error("the compiled catalog has no rule");
  return rule;
}

/** Returns the problems listed by the RuleCatalogError that loading `input` raises. */
function problemsOf(input: unknown): readonly string[] {
  try {
    loadRuleCatalog(input, BUNDLED_MESSAGES);
  } catch (error) {
    if (error instanceof RuleCatalogError) return error.problems;
    throw error;
  }
  throw new Error("expected loadRuleCatalog to reject the catalog");
}

/** Facts of a 65 000 VND café card payment that left 12 435 000 VND, with some fields replaced. */
function factsWith(changes: { [Name in FactName]?: Partial<NonNullable<Facts[Name]>> } = {}): Facts {
  const { facts } = evaluate(cardPayment("txn-1", "2026-11-03T08:15:42+07:00", "65000", "12435000"));
  for (const [name, fields] of Object.entries(changes)) Object.assign(facts[name as FactName] ?? {}, fields);
  return facts;
}

describe("loadRuleCatalog", () => {
  describe("bundled catalog", () => {
    it("loads every rule", () => {
      // Act
      const { catalog } = defaultRuleSet();

      // Assess
      expect(catalog.catalogVersion).toBe("2026.12.1");
      expect(catalog.rules.map((rule) => rule.id)).toEqual(catalogJson.rules.map((rule) => rule.id));
      expect(catalog.defaults).toEqual(catalogJson.defaults);
    });

    it("groups rules by trigger, highest priority first", () => {
      // Act
      const { rulesByTrigger } = defaultRuleSet().catalog;

      // Assess
      expect(rulesByTrigger.transaction.map((rule) => rule.id)).toEqual([
        "negative-balance",
        "large-transaction",
        "low-balance",
        "foreign-use-travelling",
        "unusual-spending",
        "income-received",
        "instalment-offer",
        "travel-insurance-offer",
        "fx-card-offer",
        "term-deposit-offer",
        "savings-plan-offer",
      ]);
      expect(rulesByTrigger.payment_due.map((rule) => rule.id)).toEqual(["payment-due"]);
    });

    it("enables rules that do not say", () => {
      // Act
      const { rules } = defaultRuleSet().catalog;

      // Assess
      expect(rules.every((rule) => rule.enabled)).toBe(true);
    });

    it("uses only templates of the message catalogs", () => {
      // Act
      const { catalog, renderer } = defaultRuleSet();

      // Assess
      const templates = renderer.templates();
      for (const rule of catalog.rules) expect(templates.has(rule.template), rule.id).toBe(true);
    });
  });

  describe("rule problems", () => {
    it("rejects an unknown fact path", () => {
      // Prepare
      const catalog = bundledCopy();
      const conditions = ruleOf(catalog, "low-balance").conditions as { all: JsonObject[] };
      conditions.all[2] = { ...conditions.all[2], path: "$.balanceAfter" };

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        expect.stringContaining(
          'rule "low-balance" conditions.all[2]: path "$.balanceAfter" is not a field of "transaction"',
        ),
      ]);
    });

    it("rejects a fact that the trigger lacks", () => {
      // Prepare
      const catalog = bundledCopy();
      const conditions = ruleOf(catalog, "payment-due").conditions as { all: JsonObject[] };
      conditions.all[0] = { fact: "transaction", path: "$.amountMinor", operator: "greaterThan", value: 0 };

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        'rule "payment-due" conditions.all[0]: fact "transaction" is not available to trigger "payment_due" (use payment, customer, thresholds)',
      ]);
    });

    it("rejects an offer without marketing consent", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "instalment-offer").consents = [];

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        'rule "instalment-offer": offers and marketing messages must list the "marketing" consent',
      ]);
    });

    it("rejects a marketing alert without marketing consent", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "income-received").severity = "marketing";

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        'rule "income-received": offers and marketing messages must list the "marketing" consent',
      ]);
    });

    it("rejects an offer without its product", () => {
      // Prepare
      const catalog = bundledCopy();
      delete ruleOf(catalog, "term-deposit-offer").offer;

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        'rule "term-deposit-offer": an offer needs "offer": { productCode, validDays }',
      ]);
    });

    it("rejects an offer that is not marketing", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "savings-plan-offer").severity = "service";

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual(['rule "savings-plan-offer": an offer\'s severity must be "marketing"']);
    });

    it("rejects an alert with a product", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "low-balance").offer = { productCode: "OVERDRAFT", validDays: 7 };

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual(['rule "low-balance": only offers have an "offer" field']);
    });

    it("rejects a template missing from the messages", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "fx-card-offer").template = "fxCardOfferV2";

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        'rule "fx-card-offer": template "fxCardOfferV2" is not in the message catalogs',
      ]);
    });

    it("rejects a duplicate id", () => {
      // Prepare
      const catalog = bundledCopy();
      catalog.rules.push({ ...ruleOf(catalog, "low-balance"), priority: 10 });

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual(['rule "low-balance": id is used twice']);
    });

    it("rejects a channel listed twice", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "negative-balance").channels = ["push", "email", "push"];

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual(['rule "negative-balance": channels are listed twice']);
    });

    it("lists every problem at once", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "instalment-offer").consents = [];
      ruleOf(catalog, "fx-card-offer").template = "fxCardOfferV2";
      const conditions = ruleOf(catalog, "large-transaction").conditions as { all: JsonObject[] };
      conditions.all[1] = { ...conditions.all[1], value: "card" };

      // Act
      const act = () => loadRuleCatalog(catalog, BUNDLED_MESSAGES);

      // Assess
      expect(act).toThrow(RuleCatalogError);
      const problems = problemsOf(catalog);
      expect(problems).toEqual([
        'rule "large-transaction" conditions.all[1]: operator "in" needs a list as value',
        'rule "instalment-offer": offers and marketing messages must list the "marketing" consent',
        'rule "fx-card-offer": template "fxCardOfferV2" is not in the message catalogs',
      ]);
      expect(act).toThrow(`Invalid rule catalog: ${problems.join("; ")}`);
    });

    it("raises a PersonalizationError", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "fx-card-offer").template = "fxCardOfferV2";

      // Act
      const act = () => loadRuleCatalog(catalog, BUNDLED_MESSAGES);

      // Assess
      expect(act).toThrow(PersonalizationError);
      expect(act).toThrow(expect.objectContaining({ name: "RuleCatalogError" }));
    });
  });

  describe("condition problems", () => {
    it.each<[string, JsonObject, string]>([
      [
        "unknown path",
        { fact: "transaction", path: "$.balance", operator: "lessThan", value: 0 },
        ': path "$.balance" is not a field of "transaction"',
      ],
      [
        "nested path",
        { fact: "transaction", path: "$.amountMinor.value", operator: "lessThan", value: 0 },
        ': path "$.amountMinor.value" is not a field of "transaction"',
      ],
      [
        "missing path",
        { fact: "transaction", operator: "equal", value: "debit" },
        ': path "" is not a field of "transaction"',
      ],
      [
        "unknown fact",
        { fact: "weather", path: "$.rain", operator: "equal", value: true },
        ': fact "weather" is not available to trigger "transaction"',
      ],
      [
        "fact of another trigger",
        { fact: "payment", path: "$.daysUntilDue", operator: "lessThan", value: 3 },
        ': fact "payment" is not available to trigger "transaction"',
      ],
      [
        "numeric operator on a string fact",
        { fact: "transaction", path: "$.currency", operator: "greaterThan", value: 5 },
        ': operator "greaterThan" compares numbers, but the operands are string and number',
      ],
      [
        "numeric operator on a boolean fact",
        { fact: "transaction", path: "$.isForeign", operator: "lessThanInclusive", value: 1 },
        ': operator "lessThanInclusive" compares numbers, but the operands are boolean and number',
      ],
      [
        "numeric operator with text",
        { fact: "transaction", path: "$.amountMinor", operator: "lessThan", value: "1000" },
        ': operator "lessThan" compares numbers, but the operands are number and string',
      ],
      [
        "numeric operator with a string fact as value",
        {
          fact: "transaction",
          path: "$.amountMinor",
          operator: "greaterThanInclusive",
          value: { fact: "transaction", path: "$.category" },
        },
        ': operator "greaterThanInclusive" compares numbers, but the operands are number and string',
      ],
      [
        "in without a list",
        { fact: "transaction", path: "$.channel", operator: "in", value: "card" },
        ': operator "in" needs a list as value',
      ],
      [
        "notIn with a fact as value",
        {
          fact: "transaction",
          path: "$.channel",
          operator: "notIn",
          value: { fact: "transaction", path: "$.category" },
        },
        ': operator "notIn" needs a list as value',
      ],
      [
        "unknown path as value",
        {
          fact: "transaction",
          path: "$.amountMinor",
          operator: "greaterThan",
          value: { fact: "thresholds", path: "$.largeTransaction" },
        },
        '.value: path "$.largeTransaction" is not a field of "thresholds"',
      ],
    ])("rejects %s", (_case, leaf, problem) => {
      // Prepare
      const catalog = catalogOf(testRule({ all: [{ any: [{ not: leaf }] }] }));

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        expect.stringContaining(`rule "test-rule" conditions.all[0].any[0].not${problem}`),
      ]);
    });
  });

  describe("schema problems", () => {
    it.each<[string, (catalog: JsonCatalog) => void, string]>([
      [
        "priority above 100",
        (catalog) => (ruleOf(catalog, "low-balance").priority = 101),
        'rule "low-balance" rules.1.priority: ',
      ],
      [
        "negative priority",
        (catalog) => (ruleOf(catalog, "low-balance").priority = -1),
        'rule "low-balance" rules.1.priority: ',
      ],
      [
        "fractional version",
        (catalog) => (ruleOf(catalog, "low-balance").version = 1.5),
        'rule "low-balance" rules.1.version: ',
      ],
      [
        "negative cooldown",
        (catalog) => (ruleOf(catalog, "payment-due").cooldownHours = -1),
        'rule "payment-due" rules.6.cooldownHours: ',
      ],
      [
        "unknown severity",
        (catalog) => (ruleOf(catalog, "low-balance").severity = "urgent"),
        'rule "low-balance" rules.1.severity: ',
      ],
      [
        "unknown channel",
        (catalog) => (ruleOf(catalog, "low-balance").channels = ["sms"]),
        'rule "low-balance" rules.1.channels.0: ',
      ],
      [
        "no channel",
        (catalog) => (ruleOf(catalog, "low-balance").channels = []),
        'rule "low-balance" rules.1.channels: ',
      ],
      [
        "unknown consent",
        (catalog) => (ruleOf(catalog, "low-balance").consents = ["profiling"]),
        'rule "low-balance" rules.1.consents.0: ',
      ],
      [
        "unknown trigger",
        (catalog) => (ruleOf(catalog, "low-balance").trigger = "login"),
        'rule "low-balance" rules.1.trigger: ',
      ],
      [
        "unknown field",
        (catalog) => (ruleOf(catalog, "low-balance").colour = "red"),
        'rule "low-balance" rules.1.colour: is not a known field; use one of id, version, kind,',
      ],
      [
        "id in capitals",
        (catalog) => (ruleOf(catalog, "low-balance").id = "Low_Balance"),
        'rule "Low_Balance" rules.1.id: must be lower-case words joined by -',
      ],
      [
        "unknown operator",
        (catalog) => {
          const conditions = ruleOf(catalog, "low-balance").conditions as { all: JsonObject[] };
          conditions.all[0] = { ...conditions.all[0], operator: "contains" };
        },
        'rule "low-balance" rules.1.conditions',
      ],
      [
        "lower-case currency default",
        (catalog) => ((catalog.defaults as { lowBalanceMinor: JsonObject }).lowBalanceMinor.vnd = 1),
        "defaults.lowBalanceMinor.vnd: ",
      ],
      ["no rules", (catalog) => (catalog.rules = []), "rules: "],
    ])("rejects %s", (_case, change, problem) => {
      // Prepare
      const catalog = bundledCopy();
      change(catalog);

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toContainEqual(expect.stringContaining(problem));
    });

    it("lists schema problems of several rules", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "low-balance").priority = 101;
      ruleOf(catalog, "payment-due").kind = "reminder";

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^rule "low-balance" rules\.1\.priority: /);
      expect(problems[1]).toMatch(/^rule "payment-due" rules\.6\.kind: /);
    });

    it("rejects input that is not a catalog", () => {
      // Act
      const problems = problemsOf(null);

      // Assess
      expect(problems).toHaveLength(1);
    });
  });

  describe("compiled rules", () => {
    it("leaves disabled rules out of triggers", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "low-balance").enabled = false;

      // Act
      const loaded = loadRuleCatalog(catalog, BUNDLED_MESSAGES);

      // Assess
      expect(loaded.rulesByTrigger.transaction.map((rule) => rule.id)).not.toContain("low-balance");
      expect(loaded.rules.find((rule) => rule.id === "low-balance")?.enabled).toBe(false);
      expect(loaded.rulesByTrigger.transaction).toHaveLength(10);
    });

    it("sorts rules by priority", () => {
      // Prepare
      const catalog = catalogOf(
        testRule({ all: [] }, { id: "low", priority: 10 }),
        testRule({ all: [] }, { id: "high", priority: 90 }),
        testRule({ all: [] }, { id: "middle", priority: 50 }),
        testRule(
          { all: [] },
          { id: "reminder", priority: 100, trigger: "payment_due", template: "paymentDue" },
        ),
      );

      // Act
      const loaded = loadRuleCatalog(catalog, BUNDLED_MESSAGES);

      // Assess
      expect(loaded.rulesByTrigger.transaction.map((rule) => rule.id)).toEqual(["high", "middle", "low"]);
      expect(loaded.rulesByTrigger.payment_due.map((rule) => rule.id)).toEqual(["reminder"]);
      expect(loaded.rules.map((rule) => rule.id)).toEqual(["low", "high", "middle", "reminder"]);
    });
  });

  describe("conditions", () => {
    const amountOver = (operator: Operator, value: unknown) => ({
      fact: "transaction",
      path: "$.amountMinor",
      operator,
      value,
    });

    it.each<[Operator, number, boolean]>([
      ["equal", 999, false],
      ["equal", 1000, true],
      ["notEqual", 999, true],
      ["notEqual", 1000, false],
      ["lessThan", 999, true],
      ["lessThan", 1000, false],
      ["lessThanInclusive", 1000, true],
      ["lessThanInclusive", 1001, false],
      ["greaterThan", 1000, false],
      ["greaterThan", 1001, true],
      ["greaterThanInclusive", 999, false],
      ["greaterThanInclusive", 1000, true],
    ])("compares %s with amount %i", (operator, amountMinor, expected) => {
      // Prepare
      const rule = compile(amountOver(operator, 1000));

      // Act
      const matched = rule.matches(factsWith({ transaction: { amountMinor } }));

      // Assess
      expect(matched).toBe(expected);
    });

    it.each<[Operator, string, boolean]>([
      ["in", "card", true],
      ["in", "atm", false],
      ["notIn", "card", false],
      ["notIn", "atm", true],
    ])("checks %s a list for %s", (operator, channel, expected) => {
      // Prepare
      const rule = compile({ fact: "transaction", path: "$.channel", operator, value: ["card", "qr"] });

      // Act
      const matched = rule.matches(factsWith({ transaction: { channel } }));

      // Assess
      expect(matched).toBe(expected);
    });

    it.each<[string, string, number, string, boolean]>([
      ["a large card debit", "debit", 2_000_000, "card", true],
      ["a small card debit", "debit", 65_000, "card", false],
      ["a small ATM debit", "debit", 65_000, "atm", true],
      ["a large card credit", "credit", 2_000_000, "card", false],
    ])("nests all, any and not for %s", (_case, direction, amountMinor, channel, expected) => {
      // Prepare
      const rule = compile({
        all: [
          { fact: "transaction", path: "$.direction", operator: "equal", value: "debit" },
          {
            any: [
              amountOver("greaterThanInclusive", 1_000_000),
              { not: { fact: "transaction", path: "$.channel", operator: "in", value: ["card", "qr"] } },
            ],
          },
        ],
      });

      // Act
      const matched = rule.matches(factsWith({ transaction: { direction, amountMinor, channel } }));

      // Assess
      expect(matched).toBe(expected);
    });

    it.each([
      ["all", { all: [] }, true],
      ["any", { any: [] }, false],
    ])("evaluates an empty %s", (_case, conditions, expected) => {
      // Prepare
      const rule = compile(conditions);

      // Act
      const matched = rule.matches(factsWith());

      // Assess
      expect(matched).toBe(expected);
    });

    it.each([
      [9_999_999, false],
      [10_000_000, true],
    ])("compares a fact with another for amount %i", (amountMinor, expected) => {
      // Prepare
      const rule = compile(
        amountOver("greaterThanInclusive", { fact: "thresholds", path: "$.largeTransactionMinor" }),
      );

      // Act
      const matched = rule.matches(factsWith({ transaction: { amountMinor } }));

      // Assess
      expect(matched).toBe(expected);
    });

    it("reads both sides of a comparison from the facts", () => {
      // Prepare
      const rule = compile({
        fact: "transaction",
        path: "$.balanceAfterMinor",
        operator: "lessThan",
        value: { fact: "thresholds", path: "$.lowBalanceMinor" },
      });

      // Act
      const belowDefault = rule.matches(factsWith({ transaction: { balanceAfterMinor: 400_000 } }));
      const belowRaised = rule.matches(
        factsWith({
          transaction: { balanceAfterMinor: 600_000 },
          thresholds: { lowBalanceMinor: 1_000_000 },
        }),
      );
      const aboveDefault = rule.matches(factsWith({ transaction: { balanceAfterMinor: 600_000 } }));

      // Assess
      expect(belowDefault).toBe(true);
      expect(belowRaised).toBe(true);
      expect(aboveDefault).toBe(false);
    });

    it.each(OPERATORS.filter((operator) => operator.includes("Than")))(
      "makes %s with a NaN fact false",
      (operator) => {
        // Prepare
        const literal = compile({ fact: "category", path: "$.spendingRatio", operator, value: 1 });
        const reference = compile(amountOver(operator, { fact: "thresholds", path: "$.lowBalanceMinor" }));
        const facts = factsWith({
          category: { spendingRatio: Number.NaN },
          thresholds: { lowBalanceMinor: Number.NaN },
        });

        // Act
        const literalMatched = literal.matches(facts);
        const referenceMatched = reference.matches(facts);

        // Assess
        expect(literalMatched).toBe(false);
        expect(referenceMatched).toBe(false);
      },
    );

    it("makes equal with a NaN fact false", () => {
      // Prepare
      const rule = compile({
        fact: "category",
        path: "$.trailingAverageMinor",
        operator: "equal",
        value: { fact: "category", path: "$.trailingAverageMinor" },
      });

      // Act
      const matched = rule.matches(factsWith({ category: { trailingAverageMinor: Number.NaN } }));

      // Assess
      expect(matched).toBe(false);
    });
  });
});
