import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDbLocal, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from "./dynamodb-local";

export interface Connection {
  readonly client: DynamoDBClient;
  /** Where the client sends requests, for messages; "AWS" for the account's regional endpoint. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Connects a command-line tool to DynamoDB: DynamoDB Local on the data folder `npm start` keeps
 * (`local`), an endpoint already running (AWS_ENDPOINT_URL_DYNAMODB), or the AWS account that the
 * standard credential chain selects. Two DynamoDB Local processes must not share one data folder,
 * so `local` is for when `npm start` is not running.
 */
export async function connectDynamoDb(options: {
  local: boolean;
  dataDirectory: string;
}): Promise<Connection> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  let local: DynamoDbLocal | undefined;
  if (options.local && !endpoint) local = await startDynamoDbLocal({ dataDirectory: options.dataDirectory });

  const target = local?.endpoint ?? endpoint;
  const client = target
    ? new DynamoDBClient({
        endpoint: target,
        region: process.env.AWS_REGION ?? LOCAL_REGION,
        credentials: process.env.AWS_ACCESS_KEY_ID
          ? {
              accessKeyId: process.env.AWS_ACCESS_KEY_ID,
              secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "",
            }
          : LOCAL_CREDENTIALS,
      })
    : new DynamoDBClient({});
  return {
    client,
    description: target ?? "AWS",
    close: async () => {
      client.destroy();
      await local?.stop();
    },
  };
}
