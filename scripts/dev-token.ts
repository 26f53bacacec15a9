import { parseArgs } from "node:util";
import { DEFAULT_KEY_FILE, loadLocalKeys, signLocalToken } from "./local/local-jwt";

const HELP = `Usage: npm run dev-token -- CUSTOMER_ID [--hours N] [--key-file FILE]

Prints an access token for the local API (npm start) whose subject is CUSTOMER_ID, such as
demo-an. The local server accepts it as API Gateway accepts the bank's tokens in AWS.

  --hours N        hours until the token expires, 1 to 168 (default: 12)
  --key-file FILE  the local signing key (default: ${DEFAULT_KEY_FILE}; created when missing)`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      hours: { type: "string", default: "12" },
      "key-file": { type: "string", default: DEFAULT_KEY_FILE },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(HELP);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const hours = Number(values.hours);
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
    throw new Error(`--hours must be a whole number from 1 to 168, got "${values.hours}"`);
  }
  const keys = await loadLocalKeys(values["key-file"]);
  console.log(await signLocalToken(keys, positionals[0] ?? "", hours));
}

main().catch((error: unknown) => {
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
