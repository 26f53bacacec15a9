import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * DynamoDB item sizes and request units by the rules AWS publishes in the developer guide
 * ("DynamoDB item sizes and formats" and "DynamoDB read and write operations"):
 *
 * - an item is the sum of its attribute names (UTF-8 bytes) and values;
 * - a string is its UTF-8 bytes, a binary value its raw bytes, a boolean or null 1 byte;
 * - a number is about 1 byte per two significant digits plus 1 byte (leading and trailing zeros
 *   are not significant);
 * - a list or map adds 3 bytes, and each of its elements 1 byte more (a map element also counts
 *   its name);
 * - a set is the sum of its elements.
 *
 * The number rule is the guide's own approximation, so sizes can be off by a byte per number.
 */

export type AttributeMap = Record<string, AttributeValue>;

const WRITE_UNIT_BYTES = 1024;
const READ_UNIT_BYTES = 4096;

function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Size of a number attribute value given as DynamoDB's decimal text, such as "-12.50" or "1e21". */
export function numberSize(text: string): number {
  const [mantissa = ""] = text.replace(/^[+-]/, "").toLowerCase().split("e");
  const digits = mantissa.replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Size of one attribute value, without its name. */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8Length(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberSize(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  if (value.L !== undefined) return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  if (value.M !== undefined) {
    let size = 3;
    for (const [name, element] of Object.entries(value.M)) size += 1 + utf8Length(name) + valueSize(element);
    return size;
  }
  throw new TypeError(`Unknown DynamoDB attribute value with keys ${Object.keys(value).join(", ")}`);
}

/** Size of an item in bytes; 0 for an item that does not exist. */
export function itemSize(item: AttributeMap | undefined): number {
  if (!item) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8Length(name) + valueSize(value);
  return size;
}

/** Write units of one standard write of an item of `bytes`: 1 per started KB, at least 1. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/**
 * Read units of one read of an item of `bytes` (0 for an item that does not exist, which still
 * costs the minimum): 1 per started 4 KB when strongly consistent, half that when eventually
 * consistent.
 */
export function readUnits(bytes: number, consistency: "strong" | "eventual"): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistency === "strong" ? units : units / 2;
}
