import { describe, expect, it } from "vitest";
import { createIngestHandler } from "../../lambdas/handlers/ingest/handler";
import { importBerka } from "../../scripts/importers/berka";
import { demoEvents } from "../../scripts/importers/demo";
import { importPlaid } from "../../scripts/importers/plaid";
import type { SourceEvent } from "../../scripts/importers/source-event";
import { replayThroughQueue } from "../../scripts/local/replay";
import { recipientsFor } from "../../scripts/local/seed";
import { scanProfiles, summarizeRecurring } from "../../scripts/local/summary";
import { createHarness } from "../helpers/ingest-harness";
import { createLocalTable } from "../helpers/local-table";
import { createRuntimeHarness } from "../helpers/runtime-harness";
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

describe.skipIf(!sampleDataAvailable)(`Berka alerts through the whole pipeline${NEEDS_SAMPLE_DATA}`, () => {
  it("raises balance and income alerts once, and nothing on a second replay", async () => {
    // Prepare: accounts whose balance crosses 1,000 CZK downwards or goes below zero, about 2,000 events.
    const all = importBerka(samplePath("berka"));
    const crossing = new Set<string>();
    for (const source of all) {
      if (source.kind !== "event") continue;
      const detail = source.event.detail as Record<string, string>;
      if (Number(detail.balanceAfter) < 1000 && detail.direction === "debit")
        crossing.add(String(detail.accountId));
      if (crossing.size >= 25) break;
    }
    const sources = all.filter(
      (source) =>
        source.kind === "event" &&
        crossing.has(String((source.event.detail as Record<string, string>).accountId)),
    );
    const table = await createLocalTable("berka-alerts");
    const harness = await createRuntimeHarness(table);
    const customers = new Set(
      sources.map((source) =>
        source.kind === "event" ? String((source.event.detail as Record<string, string>).customerId) : "",
      ),
    );
    await harness.seed(recipientsFor(customers));

    // Act: without day-by-day reminder runs, which the pipeline tests cover, to keep this test fast.
    await harness.replay(sources, false);
    await harness.runtime.dispatchFromStream();
    const firstRun = harness.ingested.flatMap((outcome) =>
      outcome.kind === "applied" ? outcome.decisions : [],
    );
    const pushesAfterFirst = harness.channelFile("push.jsonl").length;
    const ingestedBefore = harness.ingested.length;
    await harness.replay(sources, false);
    await harness.runtime.dispatchFromStream();

    // Assess
    const byRule = new Map<string, number>();
    for (const decision of firstRun) byRule.set(decision.ruleId, (byRule.get(decision.ruleId) ?? 0) + 1);
    expect(byRule.get("negative-balance")).toBeGreaterThan(0);
    expect(byRule.get("low-balance")).toBeGreaterThan(0);
    expect(byRule.get("income-received")).toBeGreaterThan(0);
    expect(firstRun.every((decision) => decision.language === "vi")).toBe(true);
    expect(firstRun.some((decision) => decision.kind === "offer")).toBe(false);
    const secondRun = harness.ingested.slice(ingestedBefore);
    expect(secondRun.every((outcome) => outcome.kind === "duplicate")).toBe(true);
    expect(harness.channelFile("push.jsonl")).toHaveLength(pushesAfterFirst);

    harness.close();
    await table.drop();
  });
});
