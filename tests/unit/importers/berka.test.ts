import { describe, expect, it } from "vitest";
import { validateEventBody } from "../../../lambdas/contracts/validate-event";
import { importBerka } from "../../../scripts/importers/berka";
import { messageBodyOf } from "../../../scripts/importers/source-event";
import { NEEDS_SAMPLE_DATA, sampleDataAvailable, samplePath } from "../../helpers/sample-data";

describe.skipIf(!sampleDataAvailable)(`Berka importer${NEEDS_SAMPLE_DATA}`, () => {
  const sources = sampleDataAvailable ? importBerka(samplePath("berka")) : [];
  const validations = sources.map((source, index) => validateEventBody(messageBodyOf(source), `m${index}`));

  it("reads every row as a valid event", () => {
    expect(sources).toHaveLength(30_200);
    expect(validations.filter((validation) => !validation.ok)).toEqual([]);
  });

  it("gives every event its own ids", () => {
    const transactions = new Set(
      validations.map((validation) => validation.ok && validation.transaction.transactionId),
    );
    const events = new Set(validations.map((validation) => validation.eventId));
    expect(transactions.size).toBe(30_200);
    expect(events.size).toBe(30_200);
  });

  it("chains balances within days for most rows", () => {
    const last = new Map<string, number>();
    let chained = 0;
    let compared = 0;
    for (const validation of validations) {
      if (!validation.ok) continue;
      const { accountId, amountMinor, direction, balanceAfterMinor } = validation.transaction;
      const previous = last.get(accountId);
      if (previous !== undefined) {
        compared += 1;
        if (previous + (direction === "credit" ? amountMinor : -amountMinor) === balanceAfterMinor)
          chained += 1;
      }
      last.set(accountId, balanceAfterMinor);
    }
    expect(chained / compared).toBeGreaterThan(0.95);
  });

  it("maps operations and k_symbol codes to categories", () => {
    const counts = new Map<string, number>();
    for (const validation of validations) {
      if (!validation.ok) continue;
      const key = `${validation.transaction.direction}:${validation.transaction.category}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({
      "credit:cash": 5304,
      "credit:fees_interest": 5130,
      "credit:income": 1448,
      "debit:bills_utilities": 2192,
      "debit:cash": 10613,
      "debit:fees_interest": 3229,
      "debit:insurance": 681,
      "debit:shopping": 54,
      "debit:transfers": 1549,
    });
  });
});
