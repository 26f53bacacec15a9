import {
  type MessageHeader,
  type MessageTag,
  type SESv2Client,
  SendEmailCommand,
} from "@aws-sdk/client-sesv2";
import {
  type EmailMessage,
  type EmailSender,
  PermanentDeliveryError,
  RetryableDeliveryError,
} from "../../ports/delivery";
import { errorName, isTransientAwsError } from "./errors";

const CHARSET = "UTF-8";

/** SES accepts tag names and values of at most 256 characters from [A-Za-z0-9_-]. */
const MAX_TAG_LENGTH = 256;
const INVALID_TAG_CHARACTERS = /[^A-Za-z0-9_-]/g;

/**
 * SES errors that pass with time: the sending rate or the daily quota is used up, or sending is
 * paused for the account or the configuration set.
 */
const RETRYABLE_ERROR_NAMES = new Set([
  "TooManyRequestsException",
  "LimitExceededException",
  "SendingPausedException",
]);

/** SES accepts a header value of at most 995 printable ASCII characters (SES v2 `MessageHeader`). */
const MAX_HEADER_VALUE_LENGTH = 995;

export interface SesEmailSenderOptions {
  /** Verified sender identity, such as `"Bank <no-reply@bank.example>"`. */
  readonly fromAddress: string;
  /**
   * Configuration set whose event destinations receive deliveries, bounces and complaints.
   * @default none, so SES applies the identity's default configuration set, if one is set
   */
  readonly configurationSetName?: string;
  /**
   * https page where a customer stops marketing e-mail. Marketing e-mail names it in the
   * `List-Unsubscribe` header and offers one-click unsubscribe (RFC 8058). It must not contain the
   * e-mail address or the customer id, because mail servers and clients log these headers.
   * @default none, so marketing e-mail goes out without unsubscribe headers
   */
  readonly unsubscribeUrl?: string;
}

/**
 * Sends e-mail with SES v2 `SendEmail` as simple UTF-8 content with a text and an HTML part.
 * Errors name the SES error and the message id but never the recipient's address.
 */
export class SesEmailSender implements EmailSender {
  private readonly unsubscribeHeaders: readonly MessageHeader[];

  /** Throws a TypeError when `unsubscribeUrl` is not an https URL that fits in a header. */
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesEmailSenderOptions,
  ) {
    this.unsubscribeHeaders =
      options.unsubscribeUrl === undefined ? [] : listUnsubscribeHeaders(options.unsubscribeUrl);
  }

  async send(message: EmailMessage): Promise<string> {
    const tags = emailTags(message.tags);
    const headers = message.marketing ? this.unsubscribeHeaders : [];
    let messageId: string | undefined;
    try {
      const response = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.fromAddress,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: CHARSET },
              Body: {
                Text: { Data: message.text, Charset: CHARSET },
                Html: { Data: message.html, Charset: CHARSET },
              },
              ...(headers.length > 0 && { Headers: [...headers] }),
            },
          },
          ...(tags.length > 0 && { EmailTags: tags }),
          ...(this.options.configurationSetName && {
            ConfigurationSetName: this.options.configurationSetName,
          }),
        }),
      );
      messageId = response.MessageId;
    } catch (error) {
      throw deliveryErrorOf(error, message.messageId);
    }

    // SES may have accepted the e-mail, so sending it again could deliver it twice. The message is
    // recorded as failed instead.
    if (!messageId) {
      throw new PermanentDeliveryError(`SES returned no message id for e-mail ${message.messageId}`);
    }
    return messageId;
  }
}

/**
 * Builds the `List-Unsubscribe` (RFC 2369) and `List-Unsubscribe-Post` (RFC 8058) headers, which let
 * mail clients show an unsubscribe button that sends a POST to the URL.
 * NOTE: the URL is the same for every recipient, so a one-click POST to it cannot tell who
 * unsubscribed. The page behind it must identify the customer by a sign-in.
 */
export function listUnsubscribeHeaders(unsubscribeUrl: string): MessageHeader[] {
  let url: URL;
  try {
    url = new URL(unsubscribeUrl);
  } catch {
    throw new TypeError(
      "Invalid unsubscribeUrl: it is not an absolute URL. Use the https address of the unsubscribe page.",
    );
  }
  if (url.protocol !== "https:") {
    throw new TypeError(
      `Invalid unsubscribeUrl: the scheme is ${url.protocol} but one-click unsubscribe needs https:`,
    );
  }
  // URL.href is ASCII: the host in punycode, other characters percent-encoded.
  const value = `<${url.href}>`;
  if (value.length > MAX_HEADER_VALUE_LENGTH) {
    throw new TypeError(
      `Invalid unsubscribeUrl: it is ${url.href.length} characters, more than the ${MAX_HEADER_VALUE_LENGTH - 2} that fit in a header`,
    );
  }
  return [
    { Name: "List-Unsubscribe", Value: value },
    { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
  ];
}

/**
 * Converts tags to SES message tags: characters outside [A-Za-z0-9_-] become "_" and both parts are
 * cut to 256 characters. A tag whose name or value ends up empty is left out, because it carries
 * nothing to filter events on. When two names sanitize to the same name, the later tag wins.
 */
export function emailTags(tags: Readonly<Record<string, string>>): MessageTag[] {
  const valueByName = new Map<string, string>();
  for (const [name, value] of Object.entries(tags)) {
    const tagName = sanitizeTagPart(name);
    const tagValue = sanitizeTagPart(value);
    if (tagName && tagValue) valueByName.set(tagName, tagValue);
  }
  return [...valueByName].map(([Name, Value]) => ({ Name, Value }));
}

function sanitizeTagPart(text: string): string {
  return text.replace(INVALID_TAG_CHARACTERS, "_").slice(0, MAX_TAG_LENGTH);
}

/**
 * Maps an error from `SendEmail` to a delivery error. Throttling, quotas, a paused account, HTTP 5xx
 * responses, timeouts and network errors are retryable. Anything else, such as MessageRejected,
 * MailFromDomainNotVerifiedException, NotFoundException, BadRequestException or
 * AccountSuspendedException, is permanent.
 */
function deliveryErrorOf(error: unknown, messageId: string): RetryableDeliveryError | PermanentDeliveryError {
  // The SDK error is not kept as `cause`, because SES messages can contain e-mail addresses ("The
  // following identities failed the check") and a logger prints the cause chain.
  const name = errorName(error);
  if (RETRYABLE_ERROR_NAMES.has(name) || isTransientAwsError(error)) {
    return new RetryableDeliveryError(
      `SES could not send e-mail ${messageId} yet (${name}), so it should be sent again later`,
    );
  }
  return new PermanentDeliveryError(`SES rejected e-mail ${messageId} (${name})`);
}
