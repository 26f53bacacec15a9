import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** Counts the requests a DynamoDB client sends, by operation, including SDK retries. */
export class RequestCounter {
  readonly byOperation = new Map<string, number>();

  /** Adds a counting step to the client's middleware stack, after retries so every attempt counts. */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = context.commandName?.replace(/Command$/, "") ?? "Unknown";
        this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
        return next(args);
      },
      { step: "finalizeRequest", name: "localRequestCounter", priority: "low" },
    );
  }

  total(): number {
    let total = 0;
    for (const count of this.byOperation.values()) total += count;
    return total;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.byOperation].sort(([a], [b]) => a.localeCompare(b)));
  }
}
