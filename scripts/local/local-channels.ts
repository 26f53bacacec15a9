import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DerivedEvent } from "../../lambdas/domain/outbox";
import type {
  Device,
  EmailMessage,
  EmailSender,
  EventPublisher,
  PushNotification,
  PushResult,
  PushSender,
} from "../../lambdas/ports/delivery";

/**
 * Delivery channels for the local runtime: push notifications, e-mails and bus events are appended to
 * JSONL files in one folder instead of leaving the machine. Tokens starting with "invalid-" are
 * reported as invalid, so the local run shows how dispatch deactivates a device.
 */
export class LocalOutboxFolder {
  constructor(readonly folder: string) {}

  /** Empties the folder, so each run's files hold that run's messages only. */
  reset(): void {
    rmSync(this.folder, { recursive: true, force: true });
    mkdirSync(this.folder, { recursive: true });
  }

  append(file: string, record: unknown): void {
    appendFileSync(join(this.folder, file), `${JSON.stringify(record)}\n`);
  }
}

export class LocalPushSender implements PushSender {
  constructor(private readonly outbox: LocalOutboxFolder) {}

  async send(devices: readonly Device[], notification: PushNotification): Promise<readonly PushResult[]> {
    const results: PushResult[] = devices.map((device) =>
      device.token.startsWith("invalid-")
        ? {
            deviceId: device.deviceId,
            status: "invalid-token",
            detail: "local provider: token is not registered",
          }
        : { deviceId: device.deviceId, status: "delivered" },
    );
    this.outbox.append("push.jsonl", {
      ...notification,
      devices: results.map((result) => ({ deviceId: result.deviceId, status: result.status })),
    });
    return results;
  }
}

export class LocalEmailSender implements EmailSender {
  constructor(private readonly outbox: LocalOutboxFolder) {}

  async send(message: EmailMessage): Promise<string> {
    this.outbox.append("email.jsonl", message);
    return `local-${message.messageId}`;
  }
}

export class LocalEventPublisher implements EventPublisher {
  constructor(private readonly outbox: LocalOutboxFolder) {}

  async publish(events: readonly DerivedEvent[]) {
    for (const event of events)
      this.outbox.append("events.jsonl", { "detail-type": event.detailType, detail: event.detail });
    return [];
  }
}
