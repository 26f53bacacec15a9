import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../scripts/local/dynamodb-local";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/**
 * Starts one in-memory DynamoDB Local for all integration tests, or uses the endpoint in
 * AWS_ENDPOINT_URL_DYNAMODB when one is already running. Each test file creates its own table.
 */
export default async function setup(project: TestProject) {
  const existing = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (existing) {
    project.provide("dynamoDbEndpoint", existing);
    return;
  }
  const local = await startDynamoDbLocal();
  project.provide("dynamoDbEndpoint", local.endpoint);
  return async () => {
    await local.stop();
  };
}
