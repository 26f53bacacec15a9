import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalTable, type LocalTable } from "../helpers/local-table";
import { createRuntimeHarness, type RuntimeHarness, vndEvent } from "../helpers/runtime-harness";

let table: LocalTable;
let harness: RuntimeHarness;

beforeAll(async () => {
  table = await createLocalTable("pipeline");
  harness = await createRuntimeHarness(table);
});

afterAll(async () => {
  harness.close();
  await table.drop();
});

function decisionsOf(customerId: string) {
  return harness.ingested.flatMap((outcome) =>
    outcome.kind === "applied" && outcome.customerId === customerId ? outcome.decisions : [],
  );
}

function suppressionsOf(customerId: string) {
  return harness.ingested.flatMap((outcome) =>
    outcome.kind === "applied" && outcome.customerId === customerId ? outcome.suppressions : [],
  );
}

describe("pipeline from transaction to delivered message", () => {
  it("holds only non-critical push in quiet hours", async () => {
    // Prepare: quiet hours 22:00 to 07:00 in Vietnam.
    const customerId = "pl-quiet";
    await harness.seed([
      {
        customerId,
        devices: [{ deviceId: "phone", platform: "android", token: "local-quiet" }],
        email: true,
      },
    ]);
    const lowBalancePush = async () =>
      (await harness.items(customerId, "OUT#")).find(
        (item) => item.ruleId === "low-balance" && item.channel === "push",
      );

    // Act: at 23:00 the balance falls below 500,000 đ (service), at 23:30 below zero (critical).
    // Without the timeline, no release job runs during the replay.
    await harness.replay(
      [
        vndEvent(customerId, "2026-11-03T09:00", { amount: 100_000, balanceAfter: 700_000 }),
        vndEvent(customerId, "2026-11-03T23:00", { amount: 300_000, balanceAfter: 400_000 }),
        vndEvent(customerId, "2026-11-03T23:30", { amount: 500_000, balanceAfter: -100_000 }),
      ],
      false,
    );
    await harness.runtime.dispatchFromStream();

    // Assess: the critical alert is out, the service alert's push waits for 07:00 (00:00 UTC), and
    // both inbox entries are there at once, because the inbox makes no sound.
    const decisions = decisionsOf(customerId);
    expect(decisions.map((decision) => decision.ruleId).sort()).toEqual(["low-balance", "negative-balance"]);
    expect(decisions.find((decision) => decision.ruleId === "negative-balance")?.notBefore).toBeUndefined();
    expect(decisions.find((decision) => decision.ruleId === "low-balance")?.notBefore).toBe(
      "2026-11-04T00:00:00.000Z",
    );
    const inbox = await harness.items(customerId, "INBOX#");
    expect(inbox.map((entry) => entry.ruleId).sort()).toEqual(["low-balance", "negative-balance"]);
    expect(await lowBalancePush()).toMatchObject({ status: "deferred" });

    // Act: the release job runs before and after the end of quiet hours.
    await harness.runtime.releaseDue(Date.parse("2026-11-03T23:59:00Z"));
    const pushAtNight = await lowBalancePush();
    await harness.runtime.releaseDue(Date.parse("2026-11-04T00:01:00Z"));
    await harness.runtime.dispatchFromStream();

    // Assess
    expect(pushAtNight).toMatchObject({ status: "deferred" });
    const pushInTheMorning = await lowBalancePush();
    expect(pushInTheMorning).toMatchObject({ status: "delivered", deliveredAt: "2026-11-04T00:01:00.000Z" });
    expect(pushInTheMorning?.GSI1PK).toBeUndefined();
    expect(await harness.items(customerId, "INBOX#")).toHaveLength(2);
  });

  it("sends offers only with marketing consent and honours a withdrawal from the next event", async () => {
    // Prepare
    const customerId = "pl-consent";
    await harness.seed([
      {
        customerId,
        consents: ["marketing"],
        devices: [{ deviceId: "phone", platform: "ios", token: "local-consent" }],
      },
    ]);
    const laptop = (localTime: string, balanceAfter: number) =>
      vndEvent(customerId, localTime, {
        amount: 25_000_000,
        balanceAfter,
        merchant: { name: "Thế Giới Di Động", mcc: "5732", country: "VN" },
      });

    // Act
    await harness.replay([laptop("2026-11-02T15:00", 60_000_000)]);
    await harness.setConsents(customerId, { marketing: false }, 2);
    await harness.replay([laptop("2026-11-12T15:00", 35_000_000)]);

    // Assess
    const offersDecided = decisionsOf(customerId).filter((decision) => decision.kind === "offer");
    expect(offersDecided.map((decision) => decision.ruleId)).toEqual(["instalment-offer"]);
    expect(suppressionsOf(customerId)).toContainEqual({ ruleId: "instalment-offer", reason: "consent" });
    const offers = await harness.items(customerId, "OFFER#");
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ productCode: "CARD_INSTALMENT_0", status: "presented" });
  });

  it("sends nothing again when the same events are replayed", async () => {
    // Prepare
    const customerId = "pl-replay";
    await harness.seed([
      { customerId, devices: [{ deviceId: "phone", platform: "android", token: "local-replay" }] },
    ]);
    const events = [
      vndEvent(customerId, "2026-11-05T09:05", {
        amount: 28_500_000,
        balanceAfter: 30_000_000,
        direction: "credit",
        channel: "transfer",
        purposeCode: "SALA",
        merchant: undefined,
        counterparty: { name: "CONG TY ABC" },
      }),
    ];
    await harness.replay(events);
    await harness.runtime.dispatchFromStream();
    const outboxBefore = await harness.items(customerId, "OUT#");
    const pushesBefore = harness.channelFile("push.jsonl").length;

    // Act
    await harness.replay(events);
    await harness.runtime.dispatchFromStream();

    // Assess
    expect(outboxBefore.length).toBeGreaterThan(0);
    expect(await harness.items(customerId, "OUT#")).toHaveLength(outboxBefore.length);
    expect(harness.channelFile("push.jsonl")).toHaveLength(pushesBefore);
    expect(
      harness.ingested.filter((outcome) => outcome.kind === "duplicate" && outcome.customerId === customerId),
    ).toHaveLength(1);
  });

  it("reminds a recurring payment once, before its expected date", async () => {
    // Prepare: an electricity bill paid on the 12th of three months makes the next one due on 12 December.
    const customerId = "pl-reminder";
    await harness.seed([
      { customerId, devices: [{ deviceId: "phone", platform: "android", token: "local-reminder" }] },
    ]);
    const bill = (month: string, balanceAfter: number) =>
      vndEvent(customerId, `2026-${month}-12T08:30`, {
        amount: 1_049_000,
        balanceAfter,
        channel: "bill_payment",
        purposeCode: "ELEC",
        merchant: undefined,
        counterparty: { name: "EVN HCMC" },
      });
    await harness.replay([bill("09", 20_000_000), bill("10", 18_000_000), bill("11", 16_000_000)]);
    const [entry] = await harness.items(customerId, "DUE#");

    // Act: the morning job of 9 December (three days ahead) runs twice.
    const runsBefore = harness.reminders.length;
    await harness.runtime.runReminders(["Asia/Ho_Chi_Minh"], Date.parse("2026-12-09T01:00:00Z"));
    await harness.runtime.runReminders(["Asia/Ho_Chi_Minh"], Date.parse("2026-12-09T01:00:00Z"));
    await harness.runtime.dispatchFromStream();

    // Assess
    expect(entry).toMatchObject({ dueDate: "2026-12-12", remindOn: "2026-12-09", amountMinor: 1_049_000 });
    const [first, second] = harness.reminders.slice(runsBefore);
    expect(first?.decisions.map((decision) => decision.ruleId)).toEqual(["payment-due"]);
    expect(second?.decisions).toEqual([]);
    const inbox = await harness.items(customerId, "INBOX#");
    expect(inbox.map((item) => item.ruleId)).toEqual(["payment-due"]);
    expect(String(inbox[0]?.body)).toContain("1.049.000");
  });

  it("deactivates an invalid push token and fails e-mail without an address", async () => {
    // Prepare: one valid and one dead token, and no e-mail address on file.
    const customerId = "pl-channels";
    await harness.seed([
      {
        customerId,
        devices: [
          { deviceId: "new-phone", platform: "android", token: "local-new-phone" },
          { deviceId: "old-tablet", platform: "ios", token: "invalid-old-tablet" },
        ],
      },
    ]);

    // Act: a negative balance goes to push, e-mail and inbox.
    await harness.replay([
      vndEvent(customerId, "2026-11-06T10:00", { amount: 100_000, balanceAfter: 50_000 }),
      vndEvent(customerId, "2026-11-06T11:00", { amount: 100_000, balanceAfter: -50_000 }),
    ]);
    await harness.runtime.dispatchFromStream();

    // Assess
    const outbox = await harness.items(customerId, "OUT#");
    const byChannel = Object.fromEntries(
      outbox.filter((item) => item.ruleId === "negative-balance").map((item) => [item.channel, item]),
    );
    expect(byChannel.push).toMatchObject({ status: "delivered", deliveryDetail: "1 of 2 devices" });
    expect(byChannel.email).toMatchObject({ status: "failed", lastError: "no e-mail address on file" });
    expect(byChannel.inbox).toMatchObject({ status: "delivered" });
    expect(byChannel.event).toMatchObject({ status: "delivered" });
    const devices = await harness.items(customerId, "DEVICE#");
    expect(devices.find((device) => device.deviceId === "old-tablet")).toMatchObject({ active: false });
    expect(devices.find((device) => device.deviceId === "new-phone")).toMatchObject({ active: true });
    const events = harness
      .channelFile("events.jsonl")
      .filter((event) => (event.detail as Record<string, unknown>).customerId === customerId);
    expect(events.map((event) => event["detail-type"]).sort()).toEqual([
      "AlertRaised",
      "MessageDelivered",
      "MessageDelivered",
      "MessageFailed",
    ]);
  });
});
