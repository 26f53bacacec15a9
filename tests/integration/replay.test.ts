import { describe, expect, it } from "vitest";
import { createIngestHandler } from "../../lambdas/handlers/ingest/handler";
import { importBerka } from "../../scripts/importers/berka";
import { demoEvents } from "../../scripts/importers/demo";
import { importPlaid } from "../../scripts/importers/plaid";
import type { SourceEvent } from "../../scripts/importers/source-event";
import { replayThroughQueue } from "../../scripts/local/replay";
import { scanProfiles, summarizeRecurring } from "../../scripts/local/summary";
import { createHarness } from "../helpers/ingest-harness";
import { createLocalTable } from "../helpers/local-table";
import { NEEDS_SAMPLE_DATA, sampleDataAvailable, samplePath } from "../helpers/sample-data";

async function replay(sources: readonly SourceEvent[], tablePrefix: string, times = 1) {
  const table = await createLocalTable(tablePrefix);
  const harness = createHarness(table);
  const handler = createIngestHandler(harness.deps);
  const runs: Record<string, number>[] = [];
  for (let run = 0; run < times; run += 1) {
    const start = harness.outcomes.length;
    const result = await replayThroughQueue(sources, handler, {
      lanes: 4,
      batchSize: 10,
      maxReceiveCount: 5,
      functionName: "test-ingest",
    });
    expect(result.deadLettered).toEqual([]);
    const counts: Record<string, number> = { applied: 0, duplicate: 0, quarantined: 0 };
    for (const outcome of harness.outcomes.slice(start)) {
      const kind = outcome.kind === "quarantined" && outcome.alreadyQuarantined ? "duplicate" : outcome.kind;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    runs.push(counts);
  }
  const profiles = await scanProfiles(table.documentClient, table.tableName);
  await table.drop();
  return { runs, profiles };
}

describe("replay through the queue", () => {
  it("applies the demo with its duplicate and two invalid events", async () => {
    const sources = demoEvents({ now: new Date("2026-11-20T05:00:00Z") });

    const { runs, profiles } = await replay(sources, "demo");

    expect(runs[0]).toEqual({ applied: sources.length - 3, duplicate: 1, quarantined: 2 });
    expect(profiles.map((profile) => profile.customerId)).toEqual([
      "demo-an",
      "demo-binh",
      "demo-chi",
      "demo-dung",
      "demo-emma",
    ]);
    const an = profiles[0];
    const recurring = Object.values(an?.payees ?? {}).filter((payee) => payee.cadence === "monthly");
    expect(recurring.map((payee) => payee.category).sort()).toEqual(
      expect.arrayContaining(["bills_utilities", "housing", "income"]),
    );
    expect(Object.keys(profiles[1]?.countries ?? {}).sort()).toEqual(["TH", "VN"]);
  });

  it.skipIf(!sampleDataAvailable)(
    `applies Berka accounts once and detects standing orders${NEEDS_SAMPLE_DATA}`,
    async () => {
      // Prepare: the first 40 accounts of the data set, about 3,500 transactions.
      const all = importBerka(samplePath("berka"));
      const accounts = new Set<string>();
      const sources = all.filter((source) => {
        if (source.kind !== "event") return false;
        const accountId = String((source.event.detail as Record<string, unknown>).accountId);
        if (accounts.size < 40) accounts.add(accountId);
        return accounts.has(accountId);
      });

      // Act: replay twice into the same table.
      const { runs, profiles } = await replay(sources, "berka", 2);

      // Assess
      expect(runs[0]).toEqual({ applied: sources.length, duplicate: 0, quarantined: 0 });
      expect(runs[1]).toEqual({ applied: 0, duplicate: sources.length, quarantined: 0 });
      const recurring = summarizeRecurring(profiles);
      expect(recurring.byCategory.bills_utilities).toBeGreaterThan(5);
      expect(recurring.byCategory.insurance).toBeGreaterThan(0);
      expect(profiles.reduce((sum, profile) => sum + profile.transactionCount, 0)).toBe(sources.length);
    },
  );

  it.skipIf(!sampleDataAvailable)(`applies both Plaid sandbox users${NEEDS_SAMPLE_DATA}`, async () => {
    const sources = [
      ...importPlaid(samplePath("plaid-sandbox", "assets_custom_user2.json")),
      ...importPlaid(samplePath("plaid-sandbox", "bank_income_basic.json")),
    ];

    const { runs, profiles } = await replay(sources, "plaid");

    expect(sources).toHaveLength(158);
    expect(runs[0]).toEqual({ applied: 158, duplicate: 0, quarantined: 0 });
    const income = profiles.find((profile) => profile.customerId === "plaid-bank_income_basic");
    const recurringCategories = Object.values(income?.payees ?? {})
      .filter((payee) => payee.cadence === "monthly")
      .map((payee) => payee.category);
    expect(recurringCategories).toEqual(expect.arrayContaining(["loans", "income"]));
  });
});
