import { defineConfig } from "vitest/config";

/**
 * Two projects: unit tests run without any server; integration tests share one DynamoDB Local,
 * started by the global setup and given to each test file through `inject("dynamoDbEndpoint")`.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/helpers/dynamodb-global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
