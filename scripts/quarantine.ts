import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createDocumentClient } from "../lambdas/adapters/aws/clients";
import { createIngestDependencies } from "../lambdas/handlers/ingest/dependencies";
import { redriveQuarantined } from "../lambdas/use-cases/redrive-quarantined";
import { connectDynamoDb } from "./local/connect";

const HELP = `Usage: npm run quarantine -- <command> [options]

Lists, shows and re-drives events that ingestion quarantined as invalid.

Commands:
  list                      open quarantined events, oldest first, with their reasons
  show EVENT_ID             one event's reasons and the message body as received
  redrive EVENT_ID          validate and apply the event again (after a fix in the producer or here)

Options:
  --table NAME              table name (default: TABLE_NAME, else "personalization")
  --local                   start DynamoDB Local on --data-dir, the data of \`npm start\` (stop it first)
  --data-dir DIR            DynamoDB Local data folder (default: .data/dynamodb)
  --detail-file FILE        redrive: apply this corrected JSON detail instead of the stored one
  --limit N                 list: at most N events (default: 50)
  --help                    print this help

Without --local the tool uses AWS_ENDPOINT_URL_DYNAMODB if set, else the AWS account of the
standard credential chain (AWS_PROFILE, AWS_REGION).`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      table: { type: "string" },
      local: { type: "boolean", default: false },
      "data-dir": { type: "string", default: ".data/dynamodb" },
      "detail-file": { type: "string" },
      limit: { type: "string", default: "50" },
      help: { type: "boolean", default: false },
    },
  });
  const [command, eventId] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return;
  }
  if ((command === "show" || command === "redrive") && !eventId) {
    throw new Error(`${command} needs an event id: npm run quarantine -- ${command} EVENT_ID`);
  }
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`--limit must be a whole number above 0, got "${values.limit}"`);

  const connection = await connectDynamoDb({ local: values.local, dataDirectory: values["data-dir"] });
  try {
    process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
    process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
    const deps = createIngestDependencies(
      { documentClient: createDocumentClient(connection.client) },
      { ...process.env, TABLE_NAME: values.table ?? process.env.TABLE_NAME ?? "personalization" },
    );

    switch (command) {
      case "list": {
        const entries = await deps.quarantine.listOpen(limit);
        console.log(`${entries.length} open quarantined event(s) in ${connection.description}`);
        for (const entry of entries) {
          console.log(
            `${entry.eventId}  ${entry.quarantinedAt.toISOString()}  customer ${entry.customerId ?? "unknown"}`,
          );
          for (const reason of entry.reasons) console.log(`    ${reason.field}: ${reason.message}`);
        }
        break;
      }
      case "show": {
        const entry = await deps.quarantine.find(eventId as string);
        if (!entry) throw new Error(`No quarantined event with id ${eventId}`);
        console.log(JSON.stringify({ ...entry, body: safeJson(entry.body) }, null, 2));
        break;
      }
      case "redrive": {
        const correctedDetail = values["detail-file"] ? readDetailFile(values["detail-file"]) : undefined;
        const result = await redriveQuarantined(eventId as string, deps, { correctedDetail });
        console.log(`${result.eventId}: ${result.status}`);
        if (result.status === "still-invalid") {
          for (const reason of result.reasons) console.log(`    ${reason.field}: ${reason.message}`);
          process.exitCode = 2;
        }
        break;
      }
      default:
        throw new Error(`Unknown command "${command}"; use list, show or redrive`);
    }
  } finally {
    await connection.close();
  }
}

function readDetailFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    throw new Error(`Cannot read the corrected detail from ${path}: ${(error as Error).message}`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `Error: ${error.message}` : error);
  process.exitCode = 1;
});
