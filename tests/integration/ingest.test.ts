import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CustomerProfile } from "../../lambdas/domain/profile";
import { redriveQuarantined } from "../../lambdas/use-cases/redrive-quarantined";
import {
  cardEvent,
  createHarness,
  type Harness,
  invalidSampleEvents,
  sampleEvent,
} from "../helpers/ingest-harness";
import { createLocalTable, type LocalTable } from "../helpers/local-table";

let table: LocalTable;

beforeAll(async () => {
  table = await createLocalTable("ingest");
});

afterAll(async () => {
  await table.drop();
});

async function profileOf(harness: Harness, customerId: string): Promise<CustomerProfile> {
  return (await harness.deps.ledger.loadCustomer(customerId)).profile;
}

function transactionRecords(items: Record<string, unknown>[]) {
  return items.filter((item) => String(item.SK).startsWith("TX#"));
}

describe("ingest handler against DynamoDB Local", () => {
  it("applies sample events to the profile", async () => {
    // Prepare
    const harness = createHarness(table);
    const customerId = "it-sample";
    const names = [
      "transaction-posted.card-purchase.json",
      "transaction-posted.salary.json",
      "transaction-posted.bill-payment.json",
      "transaction-posted.card-abroad.json",
      "transaction-posted.usd-transfer.json",
    ];
    const events = names.map((name) => {
      const event = sampleEvent(name);
      return { ...event, detail: { ...event.detail, customerId } };
    });

    // Act
    const response = await harness.deliver(events);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(harness.outcomes.map((outcome) => outcome.kind)).toEqual([
      "applied",
      "applied",
      "applied",
      "applied",
      "applied",
    ]);
    const profile = await profileOf(harness, customerId);
    expect(profile.transactionCount).toBe(5);
    expect(profile.accounts["acc-0001-vnd"]).toMatchObject({ balanceMinor: 39_210_000, currency: "VND" });
    expect(profile.accounts["acc-0001-usd"]).toMatchObject({ balanceMinor: 340_075, currency: "USD" });
    expect(profile.months["2026-11"]?.VND?.spending).toEqual({
      food_drink: 65_000 + 676_000,
      bills_utilities: 1_049_000,
    });
    expect(profile.months["2026-11"]?.VND?.income).toEqual({ income: 28_500_000 });
    expect(profile.months["2026-11"]?.USD?.income).toEqual({ transfers: 125_050 });
    expect(profile.countries).toEqual({ VN: "2026-11-03", TH: "2026-11-14" });
    expect(profile.trip).toEqual({ country: "TH", startedOn: "2026-11-14", lastSeenOn: "2026-11-14" });
    expect(transactionRecords(await harness.customerItems(customerId))).toHaveLength(5);
  });

  it("applies a redelivered event once", async () => {
    // Prepare
    const harness = createHarness(table);
    const event = cardEvent("redelivery-1", {
      customerId: "it-redelivery",
      transactionId: "redelivery-tx-1",
    });
    await harness.deliver([event]);
    const before = await profileOf(harness, "it-redelivery");

    // Act: the queue delivers the same message again, as after a crash before the batch was acknowledged.
    const response = await harness.deliver([event], 2);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(harness.outcomes.map((outcome) => outcome.kind)).toEqual(["applied", "duplicate"]);
    const after = await profileOf(harness, "it-redelivery");
    expect(after).toEqual(before);
  });

  it("applies a transaction once when two copies share a batch", async () => {
    const harness = createHarness(table);
    const detail = { customerId: "it-same-batch", transactionId: "same-batch-tx" };

    await harness.deliver([cardEvent("same-batch-1", detail), cardEvent("same-batch-2", detail)]);

    expect(harness.outcomes.map((outcome) => outcome.kind).sort()).toEqual(["applied", "duplicate"]);
    expect((await profileOf(harness, "it-same-batch")).transactionCount).toBe(1);
  });

  it("keeps the newer balance when an older event arrives late", async () => {
    // Prepare
    const harness = createHarness(table);
    const customerId = "it-out-of-order";
    const newer = cardEvent("order-newer", {
      customerId,
      transactionId: "order-2",
      bookingTime: "2026-11-03T10:00:00+07:00",
      balanceAfter: "900000",
    });
    const older = cardEvent("order-older", {
      customerId,
      transactionId: "order-1",
      bookingTime: "2026-11-03T09:00:00+07:00",
      balanceAfter: "965000",
    });

    // Act
    await harness.deliver([newer]);
    await harness.deliver([older]);

    // Assess
    const profile = await profileOf(harness, customerId);
    expect(profile.accounts["acc-0001-vnd"]).toMatchObject({
      balanceMinor: 900_000,
      balanceTransactionId: "order-2",
    });
    expect(profile.months["2026-11"]?.VND?.spending.food_drink).toBe(130_000);
    expect(profile.transactionCount).toBe(2);
  });

  it("quarantines a re-publish with changed content", async () => {
    const harness = createHarness(table);
    const detail = { customerId: "it-changed", transactionId: "changed-tx" };
    await harness.deliver([cardEvent("changed-1", detail)]);

    await harness.deliver([cardEvent("changed-2", { ...detail, amount: "99000" })]);

    const last = harness.outcomes.at(-1);
    expect(last?.kind).toBe("quarantined");
    expect(last?.kind === "quarantined" && last.reasons[0]?.field).toBe("detail.transactionId");
    expect((await profileOf(harness, "it-changed")).transactionCount).toBe(1);
  });

  it("loses no update when two invocations write one profile", async () => {
    // Prepare
    const harness = createHarness(table);
    const customerId = "it-concurrent";
    const events = Array.from({ length: 12 }, (_, index) =>
      cardEvent(`concurrent-${index}`, {
        customerId,
        transactionId: `concurrent-tx-${index}`,
        bookingTime: `2026-11-03T10:${String(index).padStart(2, "0")}:00+07:00`,
      }),
    );

    // Act: twelve invocations of one event each, all at once, as twelve Lambda instances would run;
    // an event whose commit kept losing the race goes back to the queue and is delivered again.
    let pending = events;
    for (let receive = 1; pending.length > 0 && receive <= 5; receive += 1) {
      const responses = await Promise.all(pending.map((event) => harness.deliver([event], receive)));
      pending = pending.filter((_, index) => (responses[index]?.batchItemFailures.length ?? 0) > 0);
    }

    // Assess
    expect(pending).toEqual([]);
    expect(harness.outcomes.filter((outcome) => outcome.kind === "applied")).toHaveLength(12);
    const profile = await profileOf(harness, customerId);
    expect(profile.transactionCount).toBe(12);
    expect(profile.months["2026-11"]?.VND?.spending.food_drink).toBe(12 * 65_000);
    expect(profile.accounts["acc-0001-vnd"]?.balanceTransactionId).toBe("concurrent-tx-11");
  });

  it("moves old months out of the profile and adds late ones to month items", async () => {
    // Prepare
    const harness = createHarness(table);
    const customerId = "it-months";
    const months = ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"];
    const events = months.map((month, index) =>
      cardEvent(`months-${index}`, {
        customerId,
        transactionId: `months-tx-${index}`,
        bookingTime: `${month}-10T10:00:00+07:00`,
        amount: String((index + 1) * 1000),
      }),
    );
    const late = cardEvent("months-late", {
      customerId,
      transactionId: "months-tx-late",
      bookingTime: "2026-03-20T10:00:00+07:00",
      amount: "500",
    });

    // Act
    await harness.deliver(events);
    await harness.deliver([late]);

    // Assess
    const profile = await profileOf(harness, customerId);
    expect(Object.keys(profile.months).sort()).toEqual(["2026-05", "2026-06", "2026-07", "2026-08"]);
    const items = await harness.customerItems(customerId);
    const monthItems = Object.fromEntries(
      items.filter((item) => String(item.SK).startsWith("M#")).map((item) => [String(item.SK), item]),
    );
    expect(monthItems["M#2026-03"]).toMatchObject({ "spending.VND.food_drink": 1500, "debitCount.VND": 2 });
    expect(monthItems["M#2026-04"]).toMatchObject({ "spending.VND.food_drink": 2000, "debitCount.VND": 1 });
  });

  it.each(invalidSampleEvents())("quarantines %s with a reason naming the field", async (name, body) => {
    // Prepare
    const harness = createHarness(table);
    const expectedField = {
      "missing-transaction-id.json": "detail.transactionId",
      "amount-not-a-number.json": "detail.amount",
      "vnd-with-decimals.json": "detail.amount",
      "unknown-currency.json": "detail.currency",
      "float-amount.json": "detail.amount",
    }[name];

    // Act
    const response = await harness.deliver([body]);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const [outcome] = harness.outcomes;
    expect(outcome?.kind).toBe("quarantined");
    if (outcome?.kind !== "quarantined") return;
    expect(outcome.reasons.map((reason) => reason.field)).toContain(expectedField);
    const stored = await harness.deps.quarantine.find(outcome.eventId);
    expect(stored).toMatchObject({ status: "open", body, customerId: "cust-0001" });
  });

  it("quarantines a body that is not JSON under its message id", async () => {
    const harness = createHarness(table);

    await harness.deliver(["{not json"]);

    const [outcome] = harness.outcomes;
    expect(outcome).toMatchObject({ kind: "quarantined", reasons: [{ field: "body" }] });
    const stored = outcome ? await harness.deps.quarantine.find(outcome.eventId) : undefined;
    expect(stored?.body).toBe("{not json");
  });

  it("lists and re-drives a quarantined event with a corrected detail", async () => {
    // Prepare
    const harness = createHarness(table);
    const broken = cardEvent("redrive-me", {
      customerId: "it-redrive",
      transactionId: "redrive-tx",
      amount: "65000.5",
    });
    await harness.deliver([broken]);
    const open = await harness.deps.quarantine.listOpen(100);
    expect(open.map((entry) => entry.eventId)).toContain("redrive-me");

    // Act
    const stillBroken = await redriveQuarantined("redrive-me", harness.deps);
    const fixed = await redriveQuarantined("redrive-me", harness.deps, {
      correctedDetail: { ...broken.detail, amount: "65000" },
    });
    const again = await redriveQuarantined("redrive-me", harness.deps);

    // Assess
    expect(stillBroken.status).toBe("still-invalid");
    expect(fixed.status).toBe("applied");
    expect(again.status).toBe("already-redriven");
    expect((await profileOf(harness, "it-redrive")).transactionCount).toBe(1);
    const entry = await harness.deps.quarantine.find("redrive-me");
    expect(entry).toMatchObject({ status: "redriven", redriveAttempts: 2 });
    expect((await harness.deps.quarantine.listOpen(100)).map((open) => open.eventId)).not.toContain(
      "redrive-me",
    );
  });

  it("stores a quarantined event once when redelivered", async () => {
    const harness = createHarness(table);
    const body = JSON.stringify(cardEvent("quarantine-twice", { customerId: "it-q2", currency: "ABC" }));

    await harness.deliver([body]);
    await harness.deliver([body], 2);

    expect(
      harness.outcomes.map((outcome) => outcome.kind === "quarantined" && outcome.alreadyQuarantined),
    ).toEqual([false, true]);
  });
});
