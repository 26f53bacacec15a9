import type { OutboxMessage } from "../outbox";
import type { MessageRenderer } from "./render";

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * Renders the e-mail version of a message: the title as subject, the body, and a footer that says
 * why the customer receives it (for offers, how to stop marketing, as the consent rules require).
 */
export function renderEmail(
  message: OutboxMessage,
  renderer: MessageRenderer,
): { subject: string; text: string; html: string } {
  const footer = renderer.text(
    message.language,
    message.kind === "offer" ? "email.footer.offer" : "email.footer.alert",
  );
  const text = `${message.body}\n\n--\n${footer}\n`;
  const html =
    `<!doctype html><html lang="${message.language}"><head><meta charset="utf-8"><title>${escapeHtml(message.title)}</title></head>` +
    `<body><h1>${escapeHtml(message.title)}</h1><p>${escapeHtml(message.body)}</p>` +
    `<hr><p><small>${escapeHtml(footer)}</small></p></body></html>`;
  return { subject: message.title, text, html };
}
