import type * as z from "zod/mini";

/**
 * Sentences for zod issues. zod/mini loads no message locale, so an issue without a custom message
 * would read "Invalid input". {@link describeIssue} is passed as the error map of a parse and names
 * what was expected and what arrived instead.
 */

type RawIssue = z.core.$ZodRawIssue;
type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "an object",
  null: "null",
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

/** Names a received value without quoting more than a short scalar. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/**
 * Returns the types a union accepts when every option rejected the value's type itself, such as a
 * number where the options are a string or a list. Returns undefined when some option got further.
 */
function unionTypes(errors: readonly (readonly Issue[])[]): string[] | undefined {
  const types: string[] = [];
  for (const branch of errors) {
    for (const issue of branch) {
      if (issue.path.length > 0) return undefined;
      if (issue.code === "invalid_type") types.push(typeName(issue.expected));
      else if (issue.code === "invalid_union") {
        const nested = unionTypes(issue.errors);
        if (!nested) return undefined;
        types.push(...nested);
      } else return undefined;
    }
  }
  return [...new Set(types)];
}

/** Returns the fields of the object schema that raised an issue, for "use one of" hints. */
function objectFields(issue: RawIssue): string[] {
  const definition = (issue.inst as z.core.$ZodType | undefined)?._zod.def;
  return definition?.type === "object" ? Object.keys((definition as z.core.$ZodObjectDef).shape) : [];
}

function sizeLimit(origin: string, bound: number | bigint | Date, word: "at most" | "at least"): string {
  if (origin === "array") return `must list ${word} ${String(bound)} ${bound === 1 ? "item" : "items"}`;
  if (origin === "string") return `must have ${word} ${String(bound)} characters`;
  return `must be ${word} ${String(bound)}`;
}

/** Returns the message of an issue that its schema gave none: what was expected, and what arrived. */
export function describeIssue(issue: RawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return `is missing; add ${typeName(issue.expected)}`;
      return `must be ${typeName(issue.expected)}, not ${describeValue(issue.input)}`;
    case "too_big": {
      const limit = issue.inclusive === false ? `must be less than ${String(issue.maximum)}` : undefined;
      return `${limit ?? sizeLimit(issue.origin, issue.maximum, "at most")}, not ${describeValue(issue.input)}`;
    }
    case "too_small": {
      const limit = issue.inclusive === false ? `must be more than ${String(issue.minimum)}` : undefined;
      const message = limit ?? sizeLimit(issue.origin, issue.minimum, "at least");
      return issue.origin === "array" ? message : `${message}, not ${describeValue(issue.input)}`;
    }
    case "invalid_format":
      return `must match ${issue.pattern ?? issue.format}, not ${describeValue(issue.input)}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}, not ${describeValue(issue.input)}`;
    case "invalid_value":
      if (issue.input === undefined)
        return `is missing; use one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}, not ${describeValue(issue.input)}`;
    case "unrecognized_keys": {
      const fields = objectFields(issue);
      return fields.length > 0
        ? `is not a known field; use one of ${fields.join(", ")}`
        : "is not a known field";
    }
    case "invalid_key":
      return `is not a valid key: ${issue.issues.map((inner) => inner.message).join("; ")}`;
    case "invalid_element":
      return `has an invalid element: ${issue.issues.map((inner) => inner.message).join("; ")}`;
    case "invalid_union": {
      const types = unionTypes(issue.errors);
      if (types) return `must be ${listed(types)}, not ${describeValue(issue.input)}`;
      return "matches none of the accepted forms";
    }
    case "custom":
      return "is invalid";
  }
}

/** One problem of a parse: where, and what is wrong there. */
export interface IssueProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * Counts how far an option of a union is from the value's shape: unknown fields and a wrong type at
 * the union's own level. Problems deeper inside the value do not count, so `{ "all": [ … ] }` with a
 * mistake inside the list is still explained as an `all` condition.
 */
function shapeDistance(issues: readonly Issue[]): number {
  let distance = 0;
  for (const issue of issues) {
    if (issue.path.length > 0) continue;
    if (issue.code === "unrecognized_keys") distance += issue.keys.length;
    if (issue.code === "invalid_type") distance += 1;
  }
  return distance;
}

/**
 * Turns issues into problems. An unknown field becomes one problem per key. A union that no option
 * accepted is explained by the option closest to the value's shape, then by the one with the fewest
 * problems. When options still tie, or every option rejected the value's type, the union's own
 * message says what it accepts.
 */
export function issueProblems(issues: readonly Issue[], base: readonly PropertyKey[] = []): IssueProblem[] {
  return issues.flatMap((issue): IssueProblem[] => {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...path, key], message: issue.message }));
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0 && !unionTypes(issue.errors)) {
      const options = issue.errors.map((branch) => ({
        distance: shapeDistance(branch),
        problems: issueProblems(branch, path),
      }));
      const nearest = Math.min(...options.map((option) => option.distance));
      const near = options.filter((option) => option.distance === nearest);
      const fewest = Math.min(...near.map((option) => option.problems.length));
      const closest = near.filter((option) => option.problems.length === fewest);
      if (closest.length === 1 && closest[0]) return closest[0].problems;
    }
    return [{ path, message: issue.message }];
  });
}
