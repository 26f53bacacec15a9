import {
  EventBridgeClient,
  EventBridgeServiceException,
  InternalException,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { describe, expect, it } from "vitest";
import { EventBridgePublisher, entrySize } from "../../../lambdas/adapters/aws/eventbridge-publisher";
import { PERSONALIZATION_SOURCE } from "../../../lambdas/contracts/event-bus";
import type { DerivedEvent } from "../../../lambdas/domain/outbox";

const EVENT_BUS_NAME = "bank-events";

/** Builds an AlertRaised event whose ids contain `index`. */
function alertRaised(index: number): DerivedEvent {
  return {
    detailType: "AlertRaised",
    detail: {
      customerId: `customer-${index}`,
      ruleId: "large-purchase",
      ruleVersion: 1,
      severity: "warning",
      channels: ["push", "inbox"],
      messageIds: [`message-${index}`],
      decidedAt: "2026-01-15T08:30:00.000Z",
    },
  };
}

/** Creates a publisher whose client is mocked, so no request leaves the process. */
function createPublisher() {
  const client = new EventBridgeClient({
    region: "ap-southeast-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
  const eventBridge = mockClient(client);
  const publisher = new EventBridgePublisher(client, {
    eventBusName: EVENT_BUS_NAME,
    source: PERSONALIZATION_SOURCE,
  });
  return { eventBridge, publisher };
}

/** Returns a PutEvents output that accepts every entry of the request. */
function acceptAll(input: { Entries?: PutEventsRequestEntry[] }) {
  const Entries: PutEventsResultEntry[] = (input.Entries ?? []).map((_, index) => ({
    EventId: `event-${index}`,
  }));
  return { FailedEntryCount: 0, Entries };
}

describe("EventBridgePublisher", () => {
  it("sends the detail type and JSON detail", async () => {
    // Prepare
    const { eventBridge, publisher } = createPublisher();
    eventBridge.on(PutEventsCommand).callsFake(acceptAll);
    const event = alertRaised(1);

    // Act
    const failed = await publisher.publish([event]);

    // Assess
    expect(failed).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: EVENT_BUS_NAME,
          Source: "personalization",
          DetailType: "AlertRaised",
          Detail: JSON.stringify(event.detail),
        },
      ],
    });
  });

  it("sends 25 events in 3 requests", async () => {
    // Prepare
    const { eventBridge, publisher } = createPublisher();
    eventBridge.on(PutEventsCommand).callsFake(acceptAll);
    const events = Array.from({ length: 25 }, (_, index) => alertRaised(index));

    // Act
    const failed = await publisher.publish(events);

    // Assess
    expect(failed).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    const requests = eventBridge
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries ?? []);
    expect(requests.map((entries) => entries.length)).toEqual([10, 10, 5]);
    const sentDetails = requests.flat().map((entry) => entry.Detail);
    expect(sentDetails).toEqual(events.map((event) => JSON.stringify(event.detail)));
  });

  it("splits requests at 256 KiB", async () => {
    // Prepare: three events of about 100 KiB each fit two to a request.
    const { eventBridge, publisher } = createPublisher();
    eventBridge.on(PutEventsCommand).callsFake(acceptAll);
    const events: DerivedEvent[] = [0, 1, 2].map((index) => ({
      detailType: "OfferPresented",
      detail: { customerId: `customer-${index}`, padding: "x".repeat(100 * 1024) },
    }));

    // Act
    const failed = await publisher.publish(events);

    // Assess
    expect(failed).toEqual([]);
    const requests = eventBridge
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries ?? []);
    expect(requests.map((entries) => entries.length)).toEqual([2, 1]);
    for (const entries of requests) {
      const size = entries.reduce((total, entry) => total + entrySize(entry), 0);
      expect(size).toBeLessThanOrEqual(256 * 1024);
    }
  });

  it("reports an oversized entry unsent", async () => {
    // Prepare
    const { eventBridge, publisher } = createPublisher();
    eventBridge.on(PutEventsCommand).callsFake(acceptAll);
    const oversized: DerivedEvent = {
      detailType: "OfferPresented",
      detail: { customerId: "customer-big", padding: "x".repeat(256 * 1024) },
    };
    const small = alertRaised(1);

    // Act
    const failed = await publisher.publish([oversized, small]);

    // Assess
    expect(failed).toHaveLength(1);
    expect(failed[0]?.event).toBe(oversized);
    expect(failed[0]?.error).toBe(
      "The OfferPresented entry is 262215 bytes, more than the 262144 bytes that PutEvents accepts, so sending it again cannot succeed",
    );
    expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ Detail: JSON.stringify(small.detail) })],
    });
  });

  it("counts entry size as EventBridge does", () => {
    // Prepare: "é" is 2 bytes of UTF-8, and Time counts 14 bytes.
    const entry: PutEventsRequestEntry = {
      EventBusName: "not-counted",
      Source: "personalization",
      DetailType: "AlertRaised",
      Detail: '{"name":"é"}',
      Resources: ["arn:aws:events:ap-southeast-1:123456789012:rule/r"],
      Time: new Date("2026-01-15T08:30:00Z"),
    };

    // Act
    const size = entrySize(entry);

    // Assess
    expect(size).toBe(14 + 15 + 11 + 13 + 49);
  });

  it.each([
    {
      case: "ErrorCode and ErrorMessage",
      result: { ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." },
      error: "InternalFailure: Internal service failure.",
    },
    {
      case: "ErrorCode only",
      result: { ErrorCode: "ThrottlingException" },
      error: "ThrottlingException",
    },
    {
      case: "neither EventId nor ErrorCode",
      result: {},
      error: "PutEvents returned no result for this entry",
    },
  ])("reports a failed entry with $case", async ({ result, error }) => {
    // Prepare: the second of three entries fails.
    const { eventBridge, publisher } = createPublisher();
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ EventId: "event-0" }, result, { EventId: "event-2" }] });
    const events = [alertRaised(0), alertRaised(1), alertRaised(2)];

    // Act
    const failed = await publisher.publish(events);

    // Assess
    expect(failed).toEqual([{ event: events[1], error }]);
  });

  it("orders partial failures across requests", async () => {
    // Prepare: the first request fails entries 3 and 7, the second fails entry 11, the third passes.
    const { eventBridge, publisher } = createPublisher();
    const failing = new Set([3, 7, 11]);
    let offset = 0;
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      const Entries = input.Entries.map((_, index) =>
        failing.has(offset + index)
          ? { ErrorCode: "InternalFailure", ErrorMessage: `Entry ${offset + index} failed.` }
          : { EventId: `event-${offset + index}` },
      );
      offset += input.Entries.length;
      return { FailedEntryCount: Entries.filter((entry) => "ErrorCode" in entry).length, Entries };
    });
    const events = Array.from({ length: 25 }, (_, index) => alertRaised(index));

    // Act
    const failed = await publisher.publish(events);

    // Assess
    expect(failed).toEqual([
      { event: events[3], error: "InternalFailure: Entry 3 failed." },
      { event: events[7], error: "InternalFailure: Entry 7 failed." },
      { event: events[11], error: "InternalFailure: Entry 11 failed." },
    ]);
  });

  it("fails all when FailedEntryCount disagrees", async () => {
    // Prepare
    const { eventBridge, publisher } = createPublisher();
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ EventId: "a" }, { EventId: "b" }] });
    const events = [alertRaised(0), alertRaised(1)];

    // Act
    const failed = await publisher.publish(events);

    // Assess
    const error = "PutEvents reported 1 failed entries but marked only 0";
    expect(failed).toEqual([
      { event: events[0], error },
      { event: events[1], error },
    ]);
  });

  it.each([
    {
      name: "InternalException",
      error: new InternalException({ message: "Internal failure", $metadata: { httpStatusCode: 500 } }),
    },
    {
      name: "ThrottlingException",
      error: new EventBridgeServiceException({
        name: "ThrottlingException",
        $fault: "client",
        message: "Rate exceeded",
        $metadata: { httpStatusCode: 400 },
      }),
    },
    { name: "ECONNRESET", error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) },
  ])("fails only the entries of a request that threw $name", async ({ name, error }) => {
    // Prepare: the second of three requests throws.
    const { eventBridge, publisher } = createPublisher();
    eventBridge.on(PutEventsCommand).callsFakeOnce(acceptAll).rejectsOnce(error).callsFake(acceptAll);
    const events = Array.from({ length: 25 }, (_, index) => alertRaised(index));

    // Act
    const failed = await publisher.publish(events);

    // Assess
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect(failed).toEqual(events.slice(10, 20).map((event) => ({ event, error: name })));
  });

  it("sends nothing for no events", async () => {
    // Prepare
    const { eventBridge, publisher } = createPublisher();

    // Act
    const failed = await publisher.publish([]);

    // Assess
    expect(failed).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});
