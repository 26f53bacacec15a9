import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { AttributeMap } from "./item-size";

/**
 * Applies an UpdateItem expression to a copy of an item, so that the item's size after the update is
 * known without reading it back. It covers what this service's updates use: `SET name = :value`,
 * `SET name = if_not_exists(name, :value)`, `ADD name :number`, `ADD name :set`, `REMOVE name` and
 * `DELETE name :set`, on top-level attributes. Anything else (nested paths, arithmetic, list_append)
 * leaves the attribute as it was and marks the result as approximate.
 */

export interface UpdateResult {
  readonly item: AttributeMap;
  /** True when a clause could not be applied exactly. */
  readonly approximate: boolean;
}

const CLAUSE_KEYWORDS = /\b(SET|ADD|REMOVE|DELETE)\b/gi;

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (character === "(") depth += 1;
    else if (character === ")") depth -= 1;
    else if (character === "," && depth === 0) {
      parts.push(text.slice(start, index).trim());
      start = index + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((part) => part !== "");
}

function addNumbers(left: string, right: string): string {
  return String(Number(left) + Number(right));
}

export function applyUpdateExpression(
  before: AttributeMap | undefined,
  key: AttributeMap,
  expression: string,
  names: Record<string, string> = {},
  values: Record<string, AttributeValue> = {},
): UpdateResult {
  const item: AttributeMap = { ...before, ...key };
  let approximate = false;
  const attributeName = (token: string): string | undefined => {
    const resolved = token.startsWith("#") ? names[token] : token;
    if (resolved === undefined || /[.[\]]/.test(token)) return undefined;
    return resolved;
  };
  const operand = (token: string): AttributeValue | undefined => {
    if (token.startsWith(":")) return values[token];
    const name = attributeName(token);
    return name === undefined ? undefined : item[name];
  };

  const keywords = [...expression.matchAll(CLAUSE_KEYWORDS)];
  keywords.forEach((match, index) => {
    const action = (match[1] as string).toUpperCase();
    const body = expression.slice(
      (match.index ?? 0) + match[0].length,
      keywords[index + 1]?.index ?? expression.length,
    );
    for (const clause of splitTopLevel(body)) {
      if (action === "SET") {
        const [target = "", source = ""] = clause.split(/=(.*)/s).map((part) => part.trim());
        const name = attributeName(target);
        const ifNotExists = /^if_not_exists\(\s*([^,\s]+)\s*,\s*(\S+)\s*\)$/.exec(source);
        const value = ifNotExists
          ? (operand(ifNotExists[1] as string) ?? operand(ifNotExists[2] as string))
          : operand(source);
        if (name === undefined || value === undefined) {
          approximate = true;
          continue;
        }
        item[name] = value;
      } else if (action === "REMOVE") {
        const name = attributeName(clause);
        if (name === undefined) approximate = true;
        else delete item[name];
      } else {
        const [target = "", source = ""] = clause.split(/\s+/);
        const name = attributeName(target);
        const value = operand(source);
        if (name === undefined || value === undefined) {
          approximate = true;
          continue;
        }
        const current = item[name];
        if (action === "ADD" && value.N !== undefined) {
          item[name] = { N: current?.N === undefined ? value.N : addNumbers(current.N, value.N) };
        } else if (value.SS !== undefined) {
          const merged = new Set(current?.SS ?? []);
          for (const element of value.SS) {
            if (action === "ADD") merged.add(element);
            else merged.delete(element);
          }
          if (merged.size > 0) item[name] = { SS: [...merged] };
          else delete item[name];
        } else {
          approximate = true;
        }
      }
    }
  });
  return { item, approximate };
}
