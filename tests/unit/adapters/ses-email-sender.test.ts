import {
  AccountSuspendedException,
  BadRequestException,
  InternalServiceErrorException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SESv2Client,
  SESv2ServiceException,
  SendEmailCommand,
  SendingPausedException,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { describe, expect, it } from "vitest";
import { SesEmailSender } from "../../../lambdas/adapters/aws/ses-email-sender";
import {
  type EmailMessage,
  PermanentDeliveryError,
  RetryableDeliveryError,
} from "../../../lambdas/ports/delivery";

const FROM_ADDRESS = "Ngân hàng Demo <no-reply@bank.example>";
const RECIPIENT = "nguyen.van.anh@example.com";
const MESSAGE: EmailMessage = {
  messageId: "6f1d0c5e9b2a4f7d8e3c1b0a9f8e7d6c",
  to: RECIPIENT,
  subject: "Giao dịch lớn: 1.500.000 ₫",
  text: "Thẻ của bạn vừa thanh toán 1.500.000 ₫ tại Highlands Coffee.",
  html: "<p>Thẻ của bạn vừa thanh toán <b>1.500.000 ₫</b> tại Highlands Coffee.</p>",
  tags: { ruleId: "large-purchase", kind: "alert" },
  marketing: false,
};

/** Creates a sender whose client is mocked, so no request leaves the process. */
function createSender(configurationSetName?: string) {
  const client = new SESv2Client({
    region: "ap-southeast-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
  const ses = mockClient(client);
  const sender = new SesEmailSender(client, {
    fromAddress: FROM_ADDRESS,
    ...(configurationSetName && { configurationSetName }),
  });
  return { ses, sender };
}

/** Returns what `promise` rejected with, and fails the test when it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the send to fail, but it returned a message id");
}

/** Text of an SES rejection that contains the recipient's address, like SES's MessageRejected messages. */
const rejectedText = `Email address is not verified. The following identities failed the check: ${RECIPIENT}`;
const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe("SesEmailSender", () => {
  it("sends simple UTF-8 content", async () => {
    // Prepare
    const { ses, sender } = createSender("personalization-events");
    ses.on(SendEmailCommand).resolves({ MessageId: "0100018c-ses-message-id" });

    // Act
    const messageId = await sender.send(MESSAGE);

    // Assess
    expect(messageId).toBe("0100018c-ses-message-id");
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toStrictEqual({
      FromEmailAddress: FROM_ADDRESS,
      Destination: { ToAddresses: [RECIPIENT] },
      Content: {
        Simple: {
          Subject: { Data: MESSAGE.subject, Charset: "UTF-8" },
          Body: {
            Text: { Data: MESSAGE.text, Charset: "UTF-8" },
            Html: { Data: MESSAGE.html, Charset: "UTF-8" },
          },
        },
      },
      EmailTags: [
        { Name: "ruleId", Value: "large-purchase" },
        { Name: "kind", Value: "alert" },
      ],
      ConfigurationSetName: "personalization-events",
    });
  });

  it("omits an unset configuration set and empty tags", async () => {
    // Prepare
    const { ses, sender } = createSender();
    ses.on(SendEmailCommand).resolves({ MessageId: "0100018c-ses-message-id" });

    // Act
    await sender.send({ ...MESSAGE, tags: {} });

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty("ConfigurationSetName");
    expect(input).not.toHaveProperty("EmailTags");
  });

  it.each([
    ["a dot in the name", { "rule.id": "large-purchase" }, [{ Name: "rule_id", Value: "large-purchase" }]],
    ["Vietnamese letters", { campaign: "Tết 2026" }, [{ Name: "campaign", Value: "T_t_2026" }]],
    ["a colon and spaces", { "ses:source": "a b:c" }, [{ Name: "ses_source", Value: "a_b_c" }]],
    [
      "an empty value",
      { ruleId: "large-purchase", empty: "" },
      [{ Name: "ruleId", Value: "large-purchase" }],
    ],
    ["an empty name", { "": "orphan" }, []],
    ["an overlong value", { long: "v".repeat(300) }, [{ Name: "long", Value: "v".repeat(256) }]],
    [
      "names that collide",
      { "rule.id": "first", "rule:id": "second" },
      [{ Name: "rule_id", Value: "second" }],
    ],
  ])("sanitizes tags with %s", async (_case, tags, expected) => {
    // Prepare
    const { ses, sender } = createSender();
    ses.on(SendEmailCommand).resolves({ MessageId: "0100018c-ses-message-id" });

    // Act
    await sender.send({ ...MESSAGE, tags });

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.EmailTags ?? []).toEqual(expected);
  });

  it.each([
    {
      name: "TooManyRequestsException",
      error: new TooManyRequestsException({ message: "Maximum sending rate exceeded.", ...metadata(429) }),
      expected: RetryableDeliveryError,
    },
    {
      name: "LimitExceededException",
      error: new LimitExceededException({ message: "Daily message quota exceeded.", ...metadata(400) }),
      expected: RetryableDeliveryError,
    },
    {
      name: "SendingPausedException",
      error: new SendingPausedException({ message: "Sending is paused for this account.", ...metadata(400) }),
      expected: RetryableDeliveryError,
    },
    {
      name: "InternalServiceErrorException",
      error: new InternalServiceErrorException({ message: "Internal failure.", ...metadata(500) }),
      expected: RetryableDeliveryError,
    },
    {
      name: "ServiceUnavailable",
      error: new SESv2ServiceException({
        name: "ServiceUnavailable",
        $fault: "server",
        message: "Service unavailable",
        ...metadata(503),
      }),
      expected: RetryableDeliveryError,
    },
    {
      name: "ThrottlingException",
      error: new SESv2ServiceException({
        name: "ThrottlingException",
        $fault: "client",
        message: "Rate exceeded",
        ...metadata(400),
      }),
      expected: RetryableDeliveryError,
    },
    {
      name: "ECONNRESET",
      error: Object.assign(new Error(`socket hang up sending to ${RECIPIENT}`), { code: "ECONNRESET" }),
      expected: RetryableDeliveryError,
    },
    {
      name: "MessageRejected",
      error: new MessageRejected({ message: rejectedText, ...metadata(400) }),
      expected: PermanentDeliveryError,
    },
    {
      name: "MailFromDomainNotVerifiedException",
      error: new MailFromDomainNotVerifiedException({
        message: "MAIL FROM domain not verified",
        ...metadata(400),
      }),
      expected: PermanentDeliveryError,
    },
    {
      name: "NotFoundException",
      error: new NotFoundException({ message: "Configuration set does not exist", ...metadata(404) }),
      expected: PermanentDeliveryError,
    },
    {
      name: "BadRequestException",
      error: new BadRequestException({ message: `Invalid address ${RECIPIENT}`, ...metadata(400) }),
      expected: PermanentDeliveryError,
    },
    {
      name: "AccountSuspendedException",
      error: new AccountSuspendedException({ message: "Account suspended", ...metadata(400) }),
      expected: PermanentDeliveryError,
    },
  ])("maps $name to $expected.name", async ({ name, error, expected }) => {
    // Prepare
    const { ses, sender } = createSender();
    ses.on(SendEmailCommand).rejects(error);

    // Act
    const thrown = await rejectionOf(sender.send(MESSAGE));

    // Assess
    expect(thrown).toBeInstanceOf(expected);
    const { message, cause } = thrown as Error;
    expect(message).toContain(name);
    expect(message).toContain(MESSAGE.messageId);
    expect(message).not.toContain(RECIPIENT);
    expect(message).not.toContain("@");
    expect(cause).toBeUndefined();
  });

  it.each([
    ["no MessageId", {}],
    ["an empty MessageId", { MessageId: "" }],
  ])("fails a response with %s", async (_case, output) => {
    // Prepare
    const { ses, sender } = createSender();
    ses.on(SendEmailCommand).resolves(output);

    // Act
    const thrown = await rejectionOf(sender.send(MESSAGE));

    // Assess
    expect(thrown).toBeInstanceOf(PermanentDeliveryError);
    expect((thrown as Error).message).toBe(`SES returned no message id for e-mail ${MESSAGE.messageId}`);
  });
});
