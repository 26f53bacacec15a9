import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decide } from "../../../lambdas/domain/decide";
import {
  type MessageParams,
  MessageRenderer,
  type RenderedText,
} from "../../../lambdas/domain/messages/render";
import { defaultPreferences, type Language } from "../../../lambdas/domain/preferences";
import { loadRuleCatalog, RuleCatalogError } from "../../../lambdas/domain/rules/catalog";
import catalogJson from "../../../lambdas/domain/rules/catalog.json";
import { BUNDLED_MESSAGES, defaultRuleSet } from "../../../lambdas/domain/rules/default-catalog";
import {
  type DuePayment,
  paymentDueFacts,
  TRIGGER_MESSAGE_PARAMS,
} from "../../../lambdas/domain/rules/facts";
import type { MessageCatalogs } from "../../../lambdas/domain/rules/message-templates";
import { cardPayment, electricityBill, evaluate, profileOf } from "./rule-fixtures";

/** A rule or condition as plain JSON, loose enough to be edited into invalid shapes. */
type JsonObject = Record<string, unknown>;

interface JsonCatalog {
  catalogVersion: unknown;
  defaults: JsonObject;
  rules: JsonObject[];
  [field: string]: unknown;
}

/** Returns a copy of the bundled catalog that a test may change freely. */
function bundledCopy(): JsonCatalog {
  return structuredClone(catalogJson) as unknown as JsonCatalog;
}

/** Returns the rule `id` of `catalog`, failing the test when it is missing. */
function ruleOf(catalog: JsonCatalog, id: string): JsonObject {
  const rule = catalog.rules.find((candidate) => candidate.id === id);
  if (!rule) throw new Error(`the catalog has no rule "${id}"`);
  return rule;
}

/** Returns the leaf conditions of a rule whose conditions are one `all` list. */
function leavesOf(catalog: JsonCatalog, id: string): JsonObject[] {
  return (ruleOf(catalog, id).conditions as { all: JsonObject[] }).all;
}

/** Returns the problems listed by the RuleCatalogError that loading `input` raises. */
function problemsOf(input: unknown, messages: MessageCatalogs = BUNDLED_MESSAGES): readonly string[] {
  try {
    loadRuleCatalog(input, messages);
  } catch (error) {
    if (error instanceof RuleCatalogError) return error.problems;
    throw error;
  }
  throw new Error("expected loadRuleCatalog to reject the catalog");
}

/** Returns the bundled message catalogs with `entries` added to both languages. */
function messagesWith(entries: Record<string, string>): MessageCatalogs {
  return {
    vi: { ...BUNDLED_MESSAGES.vi, ...entries },
    en: { ...BUNDLED_MESSAGES.en, ...entries },
  };
}

/** A renderer that records the values each render call receives. */
class RecordingRenderer extends MessageRenderer {
  readonly rendered: MessageParams[] = [];

  override render(language: Language, template: string, params: MessageParams): RenderedText {
    this.rendered.push(params);
    return super.render(language, template, params);
  }
}

describe("loadRuleCatalog checks", () => {
  describe("template placeholders", () => {
    it("rejects a transaction rule with a reminder template", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "low-balance").template = "paymentDue";

      // Act
      const problems = problemsOf(catalog);

      // Assess
      const supplied = TRIGGER_MESSAGE_PARAMS.transaction.map((name) => `{${name}}`).join(", ");
      expect(problems).toEqual([
        `rule "low-balance": message "paymentDue.title" (vi) uses {payee}, which trigger "transaction" does not supply; use only ${supplied}`,
        `rule "low-balance": message "paymentDue.body" (vi) uses {payee}, {days}, {dueDate}, which trigger "transaction" does not supply; use only ${supplied}`,
        `rule "low-balance": message "paymentDue.title" (en) uses {payee}, which trigger "transaction" does not supply; use only ${supplied}`,
        `rule "low-balance": message "paymentDue.body" (en) uses {payee}, {days}, {dueDate}, which trigger "transaction" does not supply; use only ${supplied}`,
      ]);
    });

    it("rejects a reminder rule with a transaction template", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "payment-due").template = "largeTransaction";

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(
        /^rule "payment-due": message "largeTransaction.body" \(vi\) uses \{merchant\}, \{time\}, which trigger "payment_due" does not supply; use only \{payee\}/,
      );
      expect(problems[1]).toMatch(
        /^rule "payment-due": message "largeTransaction.body" \(en\) uses \{merchant\}, \{time\},/,
      );
    });

    it("finds placeholders inside select and plural", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "income-received").template = "nested";
      const messages = messagesWith({
        "nested.title": "{amount}",
        "nested.body": "{payer, select, none {} other {{days, plural, one {# day} other {on {dueDate}}}}}",
      });

      // Act
      const problems = problemsOf(catalog, messages);

      // Assess
      expect(problems).toHaveLength(2);
      expect(problems[0]).toContain('message "nested.body" (vi) uses {days}, {dueDate}, which trigger');
    });

    it("rejects a message with a tag", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "low-balance").template = "tagged";
      const messages = messagesWith({ "tagged.title": "<b>{balance}</b>", "tagged.body": "{balance}" });

      // Act
      const problems = problemsOf(catalog, messages);

      // Assess
      expect(problems).toEqual([
        'rule "low-balance": message "tagged.title" (vi) uses the tag <b>, which rule messages cannot fill; remove it',
        'rule "low-balance": message "tagged.title" (en) uses the tag <b>, which rule messages cannot fill; remove it',
      ]);
    });

    it("rejects a message that is not ICU syntax", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "low-balance").template = "broken";
      const messages = messagesWith({ "broken.title": "{balance", "broken.body": "{balance}" });

      // Act
      const problems = problemsOf(catalog, messages);

      // Assess
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(
        /^rule "low-balance": message "broken.title" \(vi\) is not valid ICU MessageFormat: /,
      );
    });

    it("accepts every bundled rule", () => {
      // Act
      const catalog = loadRuleCatalog(catalogJson, BUNDLED_MESSAGES);

      // Assess
      expect(catalog.rules).toHaveLength(catalogJson.rules.length);
    });
  });

  describe("message params", () => {
    const { catalog } = defaultRuleSet();

    it("lists what a transaction decision passes", () => {
      // Prepare
      const renderer = new RecordingRenderer(BUNDLED_MESSAGES);
      const transaction = cardPayment("txn-low", "2026-11-03T08:15:42+07:00", "200000", "400000");
      const { facts } = evaluate(transaction);

      // Act
      decide(
        catalog.rulesByTrigger.transaction,
        {
          trigger: { kind: "transaction", transaction },
          facts,
          preferences: defaultPreferences(),
          consents: {},
          notifications: undefined,
          now: transaction.bookedAtMs,
          processedAt: transaction.bookedAtMs,
          maxEventAgeMs: 0,
        },
        catalog,
        renderer,
      );

      // Assess
      expect(renderer.rendered).toHaveLength(1);
      expect(Object.keys(renderer.rendered[0] ?? {}).sort()).toEqual(
        [...TRIGGER_MESSAGE_PARAMS.transaction].sort(),
      );
    });

    it("lists what a reminder decision passes", () => {
      // Prepare
      const renderer = new RecordingRenderer(BUNDLED_MESSAGES);
      const profile = profileOf([
        electricityBill("txn-bill-aug", "2026-08-12"),
        electricityBill("txn-bill-sep", "2026-09-12"),
        electricityBill("txn-bill-oct", "2026-10-12"),
      ]);
      const payment: DuePayment = {
        payeeKey: Object.keys(profile.payees)[0] ?? "",
        name: "EVN HCMC - Tiền điện",
        category: "bills_utilities",
        currency: "VND",
        amountMinor: 1_049_000,
        dueDate: "2026-11-12",
      };
      const preferences = defaultPreferences();
      const now = Date.parse("2026-11-10T08:00:00+07:00");

      // Act
      decide(
        catalog.rulesByTrigger.payment_due,
        {
          trigger: { kind: "payment_due", payment, daysUntilDue: 2 },
          facts: paymentDueFacts(payment, 2, profile, preferences, catalog.defaults),
          preferences,
          consents: {},
          notifications: undefined,
          now,
          processedAt: now,
          maxEventAgeMs: 0,
        },
        catalog,
        renderer,
      );

      // Assess
      expect(renderer.rendered).toHaveLength(1);
      expect(Object.keys(renderer.rendered[0] ?? {}).sort()).toEqual(
        [...TRIGGER_MESSAGE_PARAMS.payment_due].sort(),
      );
    });
  });

  describe("operand types", () => {
    it.each<[string, string, number, unknown, string]>([
      [
        "a string for a boolean",
        "negative-balance",
        0,
        "true",
        'rule "negative-balance" conditions.all[0]: operator "equal" compares transaction $.isLatestBalance, a boolean, with the string "true"; use true or false',
      ],
      [
        "a number for a string",
        "low-balance",
        1,
        1,
        'rule "low-balance" conditions.all[1]: operator "equal" compares transaction $.direction, a string, with the number 1; use a string',
      ],
      [
        "a list for equal",
        "low-balance",
        1,
        ["debit"],
        'rule "low-balance" conditions.all[1]: operator "equal" compares transaction $.direction, a string, with a list; use a string',
      ],
      [
        "numbers in a list of channels",
        "large-transaction",
        1,
        [1, 2],
        'rule "large-transaction" conditions.all[1]: operator "in" compares transaction $.channel, a string, with a list that contains the number 1; list only strings',
      ],
      [
        "a string among numbers",
        "instalment-offer",
        1,
        ["card", 2],
        'rule "instalment-offer" conditions.all[1]: operator "in" compares transaction $.channel, a string, with a list that contains the number 2; list only strings',
      ],
    ])("rejects %s", (_case, ruleId, index, value, problem) => {
      // Prepare
      const catalog = bundledCopy();
      const leaf = leavesOf(catalog, ruleId)[index];
      if (leaf) leaf.value = value;

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([problem]);
    });

    it("rejects notEqual with a fact of another type", () => {
      // Prepare
      const catalog = bundledCopy();
      leavesOf(catalog, "low-balance")[1] = {
        fact: "transaction",
        path: "$.direction",
        operator: "notEqual",
        value: { fact: "transaction", path: "$.amountMinor" },
      };

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        'rule "low-balance" conditions.all[1]: operator "notEqual" compares transaction $.direction, a string, with transaction $.amountMinor, a number; use a string',
      ]);
    });

    it("rejects in on a boolean fact", () => {
      // Prepare
      const catalog = bundledCopy();
      leavesOf(catalog, "travel-insurance-offer")[0] = {
        fact: "customer",
        path: "$.tripStarted",
        operator: "notIn",
        value: ["yes"],
      };

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        'rule "travel-insurance-offer" conditions.all[0]: operator "notIn" compares customer $.tripStarted, a boolean, with a list that contains the string "yes"; a list cannot contain true or false, so use "equal"',
      ]);
    });

    it("accepts operands of the fact's type", () => {
      // Prepare
      const catalog = bundledCopy();
      leavesOf(catalog, "low-balance").push(
        { fact: "transaction", path: "$.currency", operator: "notEqual", value: "USD" },
        { fact: "transaction", path: "$.amountMinor", operator: "notIn", value: [1, 2] },
        {
          fact: "transaction",
          path: "$.balanceAfterMinor",
          operator: "notEqual",
          value: { fact: "account", path: "$.balanceMinor" },
        },
      );

      // Act
      const loaded = loadRuleCatalog(catalog, BUNDLED_MESSAGES);

      // Assess
      expect(loaded.rules.find((rule) => rule.id === "low-balance")).toBeDefined();
    });
  });

  describe("schema messages", () => {
    it.each<[string, (catalog: JsonCatalog) => void, string[]]>([
      [
        "priority above 100",
        (catalog) => (ruleOf(catalog, "low-balance").priority = 150),
        ['rule "low-balance" rules.1.priority: must be at most 100, not the number 150'],
      ],
      [
        "fractional version",
        (catalog) => (ruleOf(catalog, "low-balance").version = 1.5),
        ['rule "low-balance" rules.1.version: must be a whole number, not the number 1.5'],
      ],
      [
        "zero validity",
        (catalog) => (ruleOf(catalog, "instalment-offer").offer = { productCode: "X", validDays: 0 }),
        ['rule "instalment-offer" rules.7.offer.validDays: must be more than 0, not the number 0'],
      ],
      [
        "unknown channel",
        (catalog) => (ruleOf(catalog, "low-balance").channels = ["sms"]),
        [
          'rule "low-balance" rules.1.channels.0: must be one of "push", "email", "inbox", not the string "sms"',
        ],
      ],
      [
        "missing kind",
        (catalog) => delete ruleOf(catalog, "low-balance").kind,
        ['rule "low-balance" rules.1.kind: is missing; use one of "alert", "offer"'],
      ],
      [
        "missing template",
        (catalog) => delete ruleOf(catalog, "low-balance").template,
        ['rule "low-balance" rules.1.template: is missing; add a string'],
      ],
      [
        "text as version",
        (catalog) => (ruleOf(catalog, "low-balance").version = "2"),
        ['rule "low-balance" rules.1.version: must be a number, not the string "2"'],
      ],
      [
        "two unknown fields",
        (catalog) => Object.assign(ruleOf(catalog, "low-balance"), { colour: "red", shade: "dark" }),
        [
          'rule "low-balance" rules.1.colour: is not a known field; use one of id, version, kind, trigger, priority, severity, cooldownHours, cooldownScope, channels, consents, template, offer, enabled, conditions',
          'rule "low-balance" rules.1.shade: is not a known field; use one of id, version, kind, trigger, priority, severity, cooldownHours, cooldownScope, channels, consents, template, offer, enabled, conditions',
        ],
      ],
      [
        "unknown catalog field",
        (catalog) => (catalog.owner = "risk team"),
        ["owner: is not a known field; use one of catalogVersion, defaults, rules"],
      ],
      [
        "lower-case currency default",
        (catalog) => ((catalog.defaults.lowBalanceMinor as JsonObject).vnd = 1),
        [
          "defaults.lowBalanceMinor.vnd: is not a valid key: must be an upper-case ISO 4217 currency code such as VND",
        ],
      ],
      [
        "negative default",
        (catalog) => ((catalog.defaults.lowBalanceMinor as JsonObject).VND = -1),
        ["defaults.lowBalanceMinor.VND: must be at least 0, not the number -1"],
      ],
      [
        "number as catalog version",
        (catalog) => (catalog.catalogVersion = 2026),
        ["catalogVersion: must be a string, not the number 2026"],
      ],
      ["no rules", (catalog) => (catalog.rules = []), ["rules: must list at least one rule"]],
      [
        "unknown operator",
        (catalog) => Object.assign(leavesOf(catalog, "low-balance")[0] ?? {}, { operator: "contains" }),
        [
          'rule "low-balance" rules.1.conditions.all.0.operator: must be one of "equal", "notEqual", "lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive", "in", "notIn", not the string "contains"',
        ],
      ],
      [
        "misspelt value",
        (catalog) => {
          leavesOf(catalog, "low-balance")[0] = {
            fact: "transaction",
            path: "$.isLatestBalance",
            operator: "equal",
            valeu: true,
          };
        },
        [
          'rule "low-balance" rules.1.conditions.all.0.value: must be a number, a string, true or false, a list of numbers or strings, or a fact reference { "fact", "path" }',
          'rule "low-balance" rules.1.conditions.all.0.valeu: is not a known field; use one of fact, path, operator, value',
        ],
      ],
      [
        "null value",
        (catalog) => Object.assign(leavesOf(catalog, "low-balance")[0] ?? {}, { value: null }),
        [
          'rule "low-balance" rules.1.conditions.all.0.value: must be a number, a string, true or false, a list of numbers or strings, or a fact reference { "fact", "path" }',
        ],
      ],
      [
        "any that is not a list",
        (catalog) => leavesOf(catalog, "low-balance").push({ any: 3 }),
        ['rule "low-balance" rules.1.conditions.all.5.any: must be a list, not the number 3'],
      ],
      [
        "empty condition",
        (catalog) => leavesOf(catalog, "low-balance").push({}),
        [
          'rule "low-balance" rules.1.conditions.all.5: must be a condition: { "all": [conditions] }, { "any": [conditions] }, { "not": condition } or { "fact", "path", "operator", "value" }',
        ],
      ],
    ])("explains %s", (_case, change, expected) => {
      // Prepare
      const catalog = bundledCopy();
      change(catalog);

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual(expected);
    });

    it("explains input that is not an object", () => {
      // Act
      const problems = problemsOf(null);

      // Assess
      expect(problems).toEqual(["catalog: must be an object, not null"]);
    });
  });

  describe("problems of both kinds", () => {
    it("lists schema and rule problems together", () => {
      // Prepare
      const catalog = bundledCopy();
      ruleOf(catalog, "low-balance").priority = 150;
      ruleOf(catalog, "income-received").template = "paymentDue";
      leavesOf(catalog, "negative-balance")[0] = {
        fact: "transaction",
        path: "$.isLatestBalance",
        operator: "equal",
        value: "true",
      };
      (catalog.defaults.lowBalanceMinor as JsonObject).vnd = 1;

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems[0]).toMatch(/^defaults\.lowBalanceMinor\.vnd: /);
      expect(problems[1]).toMatch(
        /^rule "negative-balance" conditions\.all\[0\]: operator "equal" compares /,
      );
      expect(problems[2]).toMatch(/^rule "low-balance" rules\.1\.priority: must be at most 100/);
      expect(problems.slice(3)).toHaveLength(4);
      for (const problem of problems.slice(3))
        expect(problem).toMatch(/^rule "income-received": message "paymentDue/);
    });

    it("reports a duplicate id of a rule with schema problems", () => {
      // Prepare
      const catalog = bundledCopy();
      catalog.rules.push({ ...ruleOf(catalog, "low-balance"), priority: 101 });

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems).toEqual([
        'rule "low-balance" rules.12.priority: must be at most 100, not the number 101',
        'rule "low-balance": id is used twice',
      ]);
    });

    it("never says only Invalid input", () => {
      // Prepare
      const catalog = bundledCopy();
      for (const rule of catalog.rules) {
        for (const field of Object.keys(rule)) if (field !== "id") rule[field] = { wrong: [null] };
      }
      catalog.defaults = { lowBalanceMinor: "many", extra: true };

      // Act
      const problems = problemsOf(catalog);

      // Assess
      expect(problems.length).toBeGreaterThan(catalog.rules.length);
      for (const problem of problems) expect(problem).not.toMatch(/Invalid input/);
    });
  });
});

describe("npm run rules", () => {
  const folder = mkdtempSync(join(tmpdir(), "check-rules-"));

  /** Runs the check on `catalog` written to a file, and returns its exit code and output. */
  function checkRules(catalog: unknown): { status: number | null; output: string } {
    const path = join(folder, "catalog.json");
    writeFileSync(path, JSON.stringify(catalog));
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/check-rules.ts", path], {
      encoding: "utf8",
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  it("accepts the bundled catalog", () => {
    // Act
    const { status, output } = checkRules(catalogJson);

    // Assess
    expect(status).toBe(0);
    expect(output).toContain(
      `catalog ${catalogJson.catalogVersion} is valid, ${catalogJson.rules.length} rules`,
    );
  });

  it("lists placeholder and schema problems", () => {
    // Prepare
    const catalog = bundledCopy();
    ruleOf(catalog, "low-balance").template = "paymentDue";
    ruleOf(catalog, "large-transaction").channels = ["sms"];

    // Act
    const { status, output } = checkRules(catalog);

    // Assess
    expect(status).toBe(1);
    expect(output).toContain("is invalid (5 problems):");
    expect(output).toContain(
      'rule "large-transaction" rules.2.channels.0: must be one of "push", "email", "inbox"',
    );
    expect(output).toContain(
      'rule "low-balance": message "paymentDue.body" (en) uses {payee}, {days}, {dueDate}',
    );
    expect(output).not.toContain("Invalid input");
  });

  it("rejects a file that is not JSON", () => {
    // Prepare
    const path = join(folder, "broken.json");
    writeFileSync(path, "{ rules: [");

    // Act
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/check-rules.ts", path], {
      encoding: "utf8",
    });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${path} is not valid JSON: `);
  });
});
