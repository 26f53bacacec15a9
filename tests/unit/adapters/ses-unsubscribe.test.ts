import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { listUnsubscribeHeaders, SesEmailSender } from "../../../lambdas/adapters/aws/ses-email-sender";
import type { EmailMessage } from "../../../lambdas/ports/delivery";

const UNSUBSCRIBE_URL = "https://bank.example/unsubscribe";

const OFFER_EMAIL: EmailMessage = {
  messageId: "offer-email",
  to: "nguyen.van.anh@example.com",
  subject: "Trả góp 0% cho giao dịch 25.000.000 ₫",
  text: "Chuyển giao dịch thành trả góp 0%.",
  html: "<p>Chuyển giao dịch thành trả góp 0%.</p>",
  tags: { rule: "instalment-offer", kind: "offer" },
  marketing: true,
};

/** Creates a sender whose client is mocked, so no request leaves the process. */
function createSender(unsubscribeUrl?: string) {
  const client = new SESv2Client({
    region: "ap-southeast-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
  const ses = mockClient(client);
  ses.on(SendEmailCommand).resolves({ MessageId: "0100018c-ses-message-id" });
  const sender = new SesEmailSender(client, {
    fromAddress: "no-reply@bank.example",
    ...(unsubscribeUrl && { unsubscribeUrl }),
  });
  return { ses, sender };
}

function sentHeaders(ses: ReturnType<typeof createSender>["ses"]) {
  return ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Headers;
}

describe("SesEmailSender unsubscribe headers", () => {
  it("adds one-click unsubscribe to marketing", async () => {
    const { ses, sender } = createSender(UNSUBSCRIBE_URL);

    await sender.send(OFFER_EMAIL);

    expect(sentHeaders(ses)).toEqual([
      { Name: "List-Unsubscribe", Value: "<https://bank.example/unsubscribe>" },
      { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
    ]);
  });

  it("keeps the recipient out of the headers", async () => {
    const { ses, sender } = createSender(UNSUBSCRIBE_URL);

    await sender.send(OFFER_EMAIL);

    const headers = JSON.stringify(sentHeaders(ses));
    expect(headers).not.toContain(OFFER_EMAIL.to);
    expect(headers).not.toContain("c-1");
  });

  it("leaves alerts without unsubscribe", async () => {
    const { ses, sender } = createSender(UNSUBSCRIBE_URL);

    await sender.send({ ...OFFER_EMAIL, marketing: false });

    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple).not.toHaveProperty(
      "Headers",
    );
  });

  it("sends marketing without a configured URL", async () => {
    const { ses, sender } = createSender();

    const messageId = await sender.send(OFFER_EMAIL);

    expect(messageId).toBe("0100018c-ses-message-id");
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple).not.toHaveProperty(
      "Headers",
    );
  });
});

describe("listUnsubscribeHeaders", () => {
  it("encodes the URL as ASCII", () => {
    const [listUnsubscribe] = listUnsubscribeHeaders("https://ngânhàng.example/hủy đăng ký");

    // SES accepts printable ASCII only in a header value.
    expect(listUnsubscribe?.Value).toMatch(/^<[\x21-\x7e]+>$/);
    expect(listUnsubscribe?.Value).toMatch(/^<https:\/\/xn--/);
    expect(listUnsubscribe?.Value).toContain("/h%E1%BB%A7y%20%C4%91%C4%83ng%20k%C3%BD>");
  });

  it.each([
    ["a relative path", "/unsubscribe", "it is not an absolute URL"],
    [
      "plain http",
      "http://bank.example/unsubscribe",
      "the scheme is http: but one-click unsubscribe needs https:",
    ],
    ["a mailto address", "mailto:unsubscribe@bank.example", "the scheme is mailto:"],
    [
      "an overlong URL",
      `https://bank.example/${"a".repeat(1_000)}`,
      "more than the 993 that fit in a header",
    ],
  ])("rejects %s", (_case, url, message) => {
    expect(() => listUnsubscribeHeaders(url)).toThrow(message);
  });
});
