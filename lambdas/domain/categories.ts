/**
 * The spending and income taxonomy. Every transaction gets exactly one category; docs/CATEGORIES.md
 * lists what belongs where, and the message catalogs hold the Vietnamese and English labels.
 */
export const CATEGORIES = [
  "food_drink",
  "groceries",
  "transport",
  "bills_utilities",
  "housing",
  "shopping",
  "travel",
  "health",
  "education",
  "entertainment",
  "cash",
  "transfers",
  "fees_interest",
  "income",
  "loans",
  "insurance",
  "savings_investments",
  "government_taxes",
  "other",
] as const;

export type Category = (typeof CATEGORIES)[number];

/** Categories that count as discretionary spending for insights and unusual-spending alerts. */
export const DISCRETIONARY_CATEGORIES: ReadonlySet<Category> = new Set([
  "food_drink",
  "groceries",
  "transport",
  "shopping",
  "travel",
  "health",
  "education",
  "entertainment",
]);

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}
