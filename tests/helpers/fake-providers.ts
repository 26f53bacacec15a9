import { AsyncLocalStorage } from "node:async_hooks";
import { EventBridgeClient, PutEventsCommand, type PutEventsResultEntry } from "@aws-sdk/client-eventbridge";
import {
  InternalServerErrorException,
  type MessageResult,
  PinpointClient,
  SendMessagesCommand,
} from "@aws-sdk/client-pinpoint";
import {
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import { EventBridgePublisher } from "../../lambdas/adapters/aws/eventbridge-publisher";
import { PinpointPushSender } from "../../lambdas/adapters/aws/pinpoint-push-sender";
import { SesEmailSender } from "../../lambdas/adapters/aws/ses-email-sender";
import { PERSONALIZATION_SOURCE } from "../../lambdas/contracts/event-bus";
import type { EmailMessage, EmailSender, EventPublisher, PushSender } from "../../lambdas/ports/delivery";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../scripts/local/dynamodb-local";
import { type CrashPlan, SeededRandom, type SimulatedProcess } from "./fault-injection";

/**
 * Fake push, e-mail and event-bus providers behind the real Pinpoint, SES and EventBridge adapters:
 * each simulated process gets SDK clients whose `send` is replaced by aws-sdk-client-mock, and every
 * message a provider accepts is written to one shared {@link ProviderLog}. A device token or an
 * e-mail address chooses how the provider treats it (see {@link TOKEN_PREFIXES}).
 */

/** Device token prefixes that choose the fake Pinpoint's per-address result. Other tokens succeed. */
export const TOKEN_PREFIXES = {
  /** PERMANENT_FAILURE with HTTP 410 and BadDeviceToken: the adapter reports an invalid token. */
  invalid: "invalid-",
  /** TEMPORARY_FAILURE at {@link ProviderFaults.flakyTokenFailureRate}, else SUCCESSFUL. */
  flaky: "flaky-",
  /** TEMPORARY_FAILURE on every attempt, so dispatch gives up after its last retry. */
  unreachable: "down-",
} as const;

/** E-mail addresses starting with this are refused by the fake SES with MessageRejected, a permanent error. */
export const REJECTED_EMAIL_PREFIX = "rejected-";

/** Pinpoint application id and SES sender the adapters are built with; no request leaves the process. */
const PUSH_APPLICATION_ID = "fault-suite-push-app";
const EMAIL_FROM_ADDRESS = "alerts@bank.example";
const EVENT_BUS_NAME = "fault-suite-bus";

/**
 * Endpoint of every provider client. Their `send` is mocked, so nothing is requested; should a mock be
 * missing, the request fails on a closed local port instead of reaching AWS.
 */
const UNREACHABLE_ENDPOINT = "http://127.0.0.1:1";

/** Seeded failure rates of the fake providers, each from 0 to 1. */
export interface ProviderFaults {
  /** Share of SendMessages calls that fail as a whole with HTTP 500 (InternalServerErrorException). */
  readonly pushServerErrorRate?: number;
  /** Share of deliveries to `flaky-` tokens that report TEMPORARY_FAILURE. Defaults to 0.5. */
  readonly flakyTokenFailureRate?: number;
  /** Share of SendEmail calls throttled with TooManyRequestsException (HTTP 429). */
  readonly emailThrottleRate?: number;
  /** Share of PutEvents entries reported as failed, with FailedEntryCount counting them. */
  readonly eventEntryFailureRate?: number;
}

export interface PushAcceptance {
  readonly messageId: string;
  readonly token: string;
}

export interface EmailAcceptance {
  readonly messageId: string;
  readonly to: string;
}

export interface PublishedEvent {
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

/** What the fake providers accepted, across every process of a run, and the faults they injected. */
export class ProviderLog {
  readonly push: PushAcceptance[] = [];
  readonly email: EmailAcceptance[] = [];
  readonly events: PublishedEvent[] = [];
  readonly faults = {
    pushServerErrors: 0,
    pushInvalidTokens: 0,
    pushTemporaryFailures: 0,
    emailThrottled: 0,
    emailRejected: 0,
    eventEntriesFailed: 0,
  };
}

/** Message id of the e-mail being sent, which SES requests do not carry, for the fake SES to log. */
const emailInFlight = new AsyncLocalStorage<string>();

/** Runs the SES adapter with the message id in {@link emailInFlight}. */
class TracedEmailSender implements EmailSender {
  constructor(private readonly inner: EmailSender) {}

  send(message: EmailMessage): Promise<string> {
    return emailInFlight.run(message.messageId, () => this.inner.send(message));
  }
}

export interface ProcessChannels {
  readonly push: PushSender;
  readonly email: EmailSender;
  readonly events: EventPublisher;
}

/** Runs a provider call under the crash plan: the process may die before the call or after it returned. */
async function underCrashPlan<T>(
  simulated: SimulatedProcess,
  crashes: CrashPlan | undefined,
  operation: string,
  call: () => T,
): Promise<T> {
  if (!crashes) {
    simulated.assertAlive(operation);
    return call();
  }
  const ticket = crashes.beforeRequest(simulated, operation);
  let result: T;
  try {
    result = call();
  } catch (error) {
    crashes.afterRequest(simulated, ticket);
    throw error;
  }
  crashes.afterRequest(simulated, ticket);
  return result;
}

export class FakeProviders {
  readonly log = new ProviderLog();
  private readonly random: SeededRandom;
  private emailSequence = 0;
  private eventSequence = 0;

  constructor(
    private readonly faults: ProviderFaults = {},
    seed = 1,
    private readonly crashes?: CrashPlan,
  ) {
    this.random = new SeededRandom(seed);
  }

  /** Builds the real adapters of one process on mocked SDK clients that answer as the fake providers. */
  channelsFor(simulated: SimulatedProcess): ProcessChannels {
    const clientConfig = {
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: UNREACHABLE_ENDPOINT,
    };

    const pinpoint = new PinpointClient(clientConfig);
    mockClient(pinpoint)
      .on(SendMessagesCommand)
      .callsFake((input: SendMessagesCommand["input"]) =>
        underCrashPlan(simulated, this.crashes, "push", () => this.answerPush(input)),
      );

    const ses = new SESv2Client(clientConfig);
    mockClient(ses)
      .on(SendEmailCommand)
      .callsFake((input: SendEmailCommand["input"]) =>
        underCrashPlan(simulated, this.crashes, "email", () => this.answerEmail(input)),
      );

    const eventBridge = new EventBridgeClient(clientConfig);
    mockClient(eventBridge)
      .on(PutEventsCommand)
      .callsFake((input: PutEventsCommand["input"]) =>
        underCrashPlan(simulated, this.crashes, "events", () => this.answerPutEvents(input)),
      );

    return {
      push: new PinpointPushSender(pinpoint, { applicationId: PUSH_APPLICATION_ID }),
      email: new TracedEmailSender(new SesEmailSender(ses, { fromAddress: EMAIL_FROM_ADDRESS })),
      events: new EventBridgePublisher(eventBridge, {
        eventBusName: EVENT_BUS_NAME,
        source: PERSONALIZATION_SOURCE,
      }),
    };
  }

  private answerPush(input: SendMessagesCommand["input"]) {
    if (this.random.chance(this.faults.pushServerErrorRate ?? 0)) {
      this.log.faults.pushServerErrors += 1;
      throw new InternalServerErrorException({
        message: "Internal server error",
        $metadata: { httpStatusCode: 500, requestId: "simulated-push-5xx" },
      });
    }
    const configuration = input.MessageRequest?.MessageConfiguration;
    const messageId = String(
      configuration?.GCMMessage?.Data?.messageId ?? configuration?.APNSMessage?.Data?.messageId ?? "",
    );
    const result: Record<string, MessageResult> = {};
    for (const token of Object.keys(input.MessageRequest?.Addresses ?? {})) {
      result[token] = this.pushResultFor(token);
      if (result[token].DeliveryStatus === "SUCCESSFUL") this.log.push.push({ messageId, token });
    }
    return { MessageResponse: { ApplicationId: input.ApplicationId, Result: result } };
  }

  private pushResultFor(token: string): MessageResult {
    if (token.startsWith(TOKEN_PREFIXES.invalid)) {
      this.log.faults.pushInvalidTokens += 1;
      return { DeliveryStatus: "PERMANENT_FAILURE", StatusCode: 410, StatusMessage: "BadDeviceToken" };
    }
    const temporary =
      token.startsWith(TOKEN_PREFIXES.unreachable) ||
      (token.startsWith(TOKEN_PREFIXES.flaky) &&
        this.random.chance(this.faults.flakyTokenFailureRate ?? 0.5));
    if (temporary) {
      this.log.faults.pushTemporaryFailures += 1;
      return { DeliveryStatus: "TEMPORARY_FAILURE", StatusCode: 503, StatusMessage: "ServiceUnavailable" };
    }
    return { DeliveryStatus: "SUCCESSFUL", StatusCode: 200 };
  }

  private answerEmail(input: SendEmailCommand["input"]) {
    const messageId = emailInFlight.getStore();
    if (messageId === undefined) throw new Error("The fake SES was called outside TracedEmailSender");
    const to = input.Destination?.ToAddresses?.[0] ?? "";
    if (to.startsWith(REJECTED_EMAIL_PREFIX)) {
      this.log.faults.emailRejected += 1;
      throw new MessageRejected({
        message: "Email address is not verified.",
        $metadata: { httpStatusCode: 400, requestId: "simulated-ses-rejected" },
      });
    }
    if (this.random.chance(this.faults.emailThrottleRate ?? 0)) {
      this.log.faults.emailThrottled += 1;
      throw new TooManyRequestsException({
        message: "Maximum sending rate exceeded.",
        $metadata: { httpStatusCode: 429, requestId: "simulated-ses-throttling" },
      });
    }
    this.emailSequence += 1;
    this.log.email.push({ messageId, to });
    return { MessageId: `fake-ses-${this.emailSequence}` };
  }

  private answerPutEvents(input: PutEventsCommand["input"]) {
    const entries: PutEventsResultEntry[] = [];
    let failed = 0;
    for (const entry of input.Entries ?? []) {
      if (this.random.chance(this.faults.eventEntryFailureRate ?? 0)) {
        failed += 1;
        this.log.faults.eventEntriesFailed += 1;
        entries.push(
          this.random.chance(0.5)
            ? { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }
            : { ErrorCode: "InternalFailure", ErrorMessage: "Internal service error" },
        );
        continue;
      }
      this.eventSequence += 1;
      this.log.events.push({
        detailType: entry.DetailType ?? "",
        detail: JSON.parse(entry.Detail ?? "{}") as Record<string, unknown>,
      });
      entries.push({ EventId: `fake-event-${this.eventSequence}` });
    }
    return { FailedEntryCount: failed, Entries: entries };
  }
}
