import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { PinpointClient } from "@aws-sdk/client-pinpoint";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { channelClientConfig, createDocumentClient } from "../../adapters/aws/clients";
import { EventBridgePublisher } from "../../adapters/aws/eventbridge-publisher";
import { PinpointPushSender } from "../../adapters/aws/pinpoint-push-sender";
import { SesEmailSender } from "../../adapters/aws/ses-email-sender";
import { DynamoDbOutboxStore } from "../../adapters/dynamodb/outbox-store";
import { DynamoDbInboxStore, DynamoDbRecipientStore } from "../../adapters/dynamodb/recipient-store";
import { ConfigurationError, parseEnvironment, TableNameSchema } from "../../config/environment";
import { PERSONALIZATION_SOURCE } from "../../contracts/event-bus";
import { renderEmail } from "../../domain/messages/email";
import { defaultRuleSet } from "../../domain/rules/default-catalog";
import {
  type EmailSender,
  type EventPublisher,
  PermanentDeliveryError,
  type PushSender,
} from "../../ports/delivery";
import type { DispatchOutcome } from "../../use-cases/dispatch-message";
import type { DispatchHandlerDependencies } from "./handler";

const optionalText = z.optional(z.string().check(z.minLength(1)));

export const DispatchEnvironmentSchema = z.object({
  TABLE_NAME: TableNameSchema,
  /** Pinpoint (End User Messaging push) application whose APNs and FCM channels send push notifications. */
  PINPOINT_APPLICATION_ID: optionalText,
  /** Verified SES identity the e-mails come from; without it, e-mails are recorded as failed. */
  EMAIL_FROM_ADDRESS: optionalText,
  SES_CONFIGURATION_SET: optionalText,
  /** Bus for derived events (AlertRaised, OfferPresented, MessageDelivered, MessageFailed). */
  EVENT_BUS_NAME: optionalText,
  /**
   * https page where customers stop marketing e-mail, named in the List-Unsubscribe header of offers.
   * It is the same for every customer, so it must contain no e-mail address or customer id.
   */
  UNSUBSCRIBE_URL: z.optional(
    z.url({ protocol: /^https$/, error: "must be an https URL such as https://bank.example/unsubscribe" }),
  ),
});

/** Duration of a dispatch claim, in milliseconds. The channel clients' timeouts end a provider call well before. */
export const DISPATCH_LEASE_MS = 60_000;

export interface DispatchDependencyOverrides {
  readonly documentClient?: DynamoDBDocumentClient;
  readonly push?: PushSender;
  readonly email?: EmailSender;
  readonly events?: EventPublisher;
  readonly clock?: () => Date;
  readonly logger?: Logger;
  readonly onOutcome?: (outcome: DispatchOutcome) => void;
}

/** The e-mail channel of a deployment without an SES identity: every e-mail fails with the reason. */
const emailTurnedOff: EmailSender = {
  send: async () => {
    throw new PermanentDeliveryError(
      "e-mail is not set up for this deployment (EMAIL_FROM_ADDRESS is not set)",
    );
  },
};

function required(value: string | undefined, name: string, purpose: string): string {
  if (value === undefined)
    throw new ConfigurationError(`Invalid environment: ${name} is not set; it names ${purpose}`);
  return value;
}

/**
 * Builds the SES sender, or the turned-off channel without EMAIL_FROM_ADDRESS. Without
 * UNSUBSCRIBE_URL, marketing e-mail still goes out, without unsubscribe headers, and a warning is
 * logged once per cold start.
 */
function createEmailSender(settings: z.infer<typeof DispatchEnvironmentSchema>, logger: Logger): EmailSender {
  if (settings.EMAIL_FROM_ADDRESS === undefined) return emailTurnedOff;
  if (settings.UNSUBSCRIBE_URL === undefined) {
    logger.warn(
      "UNSUBSCRIBE_URL is not set, so marketing e-mail goes out without List-Unsubscribe headers. Set it to the bank's https unsubscribe page.",
    );
  }
  return new SesEmailSender(new SESv2Client(channelClientConfig()), {
    fromAddress: settings.EMAIL_FROM_ADDRESS,
    ...(settings.SES_CONFIGURATION_SET && { configurationSetName: settings.SES_CONFIGURATION_SET }),
    ...(settings.UNSUBSCRIBE_URL && { unsubscribeUrl: settings.UNSUBSCRIBE_URL }),
  });
}

/**
 * Builds the dispatch dependencies from the environment. The AWS channels need their variables; the
 * local runtime passes its own channels instead, and then those variables may be absent.
 */
export function createDispatchDependencies(
  overrides: DispatchDependencyOverrides = {},
  environment: Record<string, string | undefined> = process.env,
): DispatchHandlerDependencies {
  const settings = parseEnvironment(DispatchEnvironmentSchema, environment);
  const logger = overrides.logger ?? new Logger({ serviceName: "dispatch" });
  const documentClient = overrides.documentClient ?? createDocumentClient();
  const recipients = new DynamoDbRecipientStore(documentClient, settings.TABLE_NAME);
  const { catalog, renderer } = defaultRuleSet();

  const push =
    overrides.push ??
    new PinpointPushSender(new PinpointClient(channelClientConfig()), {
      applicationId: required(
        settings.PINPOINT_APPLICATION_ID,
        "PINPOINT_APPLICATION_ID",
        "the push application",
      ),
    });
  const email = overrides.email ?? createEmailSender(settings, logger);
  const events =
    overrides.events ??
    new EventBridgePublisher(new EventBridgeClient(channelClientConfig()), {
      eventBusName: required(settings.EVENT_BUS_NAME, "EVENT_BUS_NAME", "the bus for derived events"),
      source: PERSONALIZATION_SOURCE,
    });

  return {
    outbox: new DynamoDbOutboxStore(documentClient, settings.TABLE_NAME),
    recipients,
    inbox: new DynamoDbInboxStore(documentClient, settings.TABLE_NAME),
    push,
    email,
    events,
    catalog,
    clock: overrides.clock ?? (() => new Date()),
    leaseMs: DISPATCH_LEASE_MS,
    maxAttempts: 6,
    renderEmail: (message) => renderEmail(message, renderer),
    concurrency: 10,
    logger,
    metrics: new Metrics({ namespace: "BankPersonalization", serviceName: "dispatch" }),
    ...(overrides.onOutcome && { onOutcome: overrides.onOutcome }),
  };
}
