import { describe, expect, it } from "vitest";
import { renderEmail } from "../../../lambdas/domain/messages/email";
import { MessageRenderer } from "../../../lambdas/domain/messages/render";
import type { OutboxMessage } from "../../../lambdas/domain/outbox";
import type { Language } from "../../../lambdas/domain/preferences";

const renderer = new MessageRenderer();

/** Builds the e-mail outbox message of a negative balance alert, changed by `fields`. */
function emailMessage(fields: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    messageId: "5d1c7e0f9a2b4c6d8e0f1a2b3c4d5e6f",
    customerId: "cust-0001",
    channel: "email",
    ruleId: "negative-balance",
    ruleVersion: 1,
    kind: "alert",
    severity: "critical",
    language: "vi",
    title: "Tài khoản của bạn bị âm",
    body: "Sau giao dịch 500.000 ₫, số dư tài khoản của bạn là -100.000 ₫.",
    triggerKey: "txn-20261103-000123",
    decidedAt: "2026-11-03T01:15:42.000Z",
    ...fields,
  };
}

/** Escapes text for HTML the way an independent implementation would, as the oracle for footers. */
function escaped(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

describe("renderEmail", () => {
  it("uses the title as subject", () => {
    // Act
    const email = renderEmail(emailMessage(), renderer);

    // Assess
    expect(email.subject).toBe("Tài khoản của bạn bị âm");
  });

  it("ends the text with the footer", () => {
    // Act
    const email = renderEmail(emailMessage(), renderer);

    // Assess
    expect(email.text).toBe(
      `Sau giao dịch 500.000 ₫, số dư tài khoản của bạn là -100.000 ₫.\n\n--\n${renderer.text("vi", "email.footer.alert")}\n`,
    );
  });

  it("builds an HTML page in the message's language", () => {
    // Act
    const email = renderEmail(
      emailMessage({ language: "en", title: "Low balance", body: "Your balance is low." }),
      renderer,
    );

    // Assess
    expect(email.html).toMatch(/^<!doctype html><html lang="en"><head><meta charset="utf-8">/u);
    expect(email.html).toContain("<title>Low balance</title>");
    expect(email.html).toContain("<h1>Low balance</h1><p>Your balance is low.</p>");
    expect(email.html).toMatch(/<\/body><\/html>$/u);
  });

  it.each<["alert" | "offer", Language, string]>([
    ["alert", "vi", "Bạn nhận email này vì đã bật thông báo qua email."],
    ["offer", "vi", "Bạn nhận ưu đãi này vì đã đồng ý nhận thông tin tiếp thị."],
    ["alert", "en", "You receive this e-mail because e-mail notifications are on."],
    ["offer", "en", "You receive this offer because you agreed to marketing messages."],
  ])("adds the %s footer in %s", (kind, language, footerStart) => {
    // Act
    const email = renderEmail(emailMessage({ kind, language }), renderer);

    // Assess
    const footer = renderer.text(language, `email.footer.${kind}`);
    expect(footer.startsWith(footerStart)).toBe(true);
    expect(email.text.endsWith(`\n--\n${footer}\n`)).toBe(true);
    expect(email.html).toContain(`<hr><p><small>${escaped(footer)}</small></p>`);
  });

  it("escapes the title and body", () => {
    // Prepare
    const message = emailMessage({
      title: `Giao dịch <b>"lớn"</b> & 'nhanh'`,
      body: "<script>alert(1)</script> tại <a href='x'>Phở & Cơm</a>",
    });

    // Act
    const email = renderEmail(message, renderer);

    // Assess
    const escapedTitle = "Giao dịch &lt;b&gt;&quot;lớn&quot;&lt;/b&gt; &amp; &#39;nhanh&#39;";
    expect(email.html).toContain(`<title>${escapedTitle}</title>`);
    expect(email.html).toContain(`<h1>${escapedTitle}</h1>`);
    expect(email.html).toContain(
      "<p>&lt;script&gt;alert(1)&lt;/script&gt; tại &lt;a href=&#39;x&#39;&gt;Phở &amp; Cơm&lt;/a&gt;</p>",
    );
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("<b>");
    expect(email.html).not.toContain("<a ");
  });

  it("escapes an entity again", () => {
    // Act
    const email = renderEmail(emailMessage({ body: "A &amp; B" }), renderer);

    // Assess
    expect(email.html).toContain("<p>A &amp;amp; B</p>");
  });

  it("escapes the footer", () => {
    // Act
    const email = renderEmail(emailMessage({ kind: "offer", language: "en" }), renderer);

    // Assess
    expect(email.html).toContain("Settings &gt; Privacy");
    expect(email.html).not.toContain("Settings > Privacy");
  });

  it("keeps the plain text unescaped", () => {
    // Act
    const email = renderEmail(emailMessage({ title: "A & B", body: "<1 000 ₫>" }), renderer);

    // Assess
    expect(email.subject).toBe("A & B");
    expect(email.text.startsWith("<1 000 ₫>\n\n--\n")).toBe(true);
  });
});
