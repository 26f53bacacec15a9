import * as z from "zod/mini";
import { PersonalizationError } from "../domain/errors";

/** A required environment variable is missing or invalid; raised at cold start so a bad deploy fails fast. */
export class ConfigurationError extends PersonalizationError {}

/** Table name syntax of DynamoDB: 3 to 255 of letters, digits, "_", "-" and ".". */
export const TableNameSchema = z.string().check(
  z.regex(/^[A-Za-z0-9_.-]{3,255}$/, {
    error: "must be a DynamoDB table name of 3 to 255 letters, digits, _ - or .",
  }),
);

export const CountryCodeSchema = z
  .string()
  .check(z.regex(/^[A-Z]{2}$/, { error: "must be an ISO 3166-1 alpha-2 code such as VN" }));

/** A whole number of days in an environment variable, such as "400". */
export const DaysSchema = z.coerce
  .number()
  .check(
    z.int({ error: "must be a whole number of days" }),
    z.positive({ error: "must be a positive number of days" }),
  );

/**
 * Parses environment variables with a schema once, at cold start. The error lists every bad
 * variable by name, so the fix is clear from the first failed invocation's log.
 */
export function parseEnvironment<Schema extends z.ZodMiniType>(
  schema: Schema,
  environment: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  const parsed = schema.safeParse(environment);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join(".");
    return environment[name] === undefined ? `${name} is not set` : `${name} ${issue.message}`;
  });
  throw new ConfigurationError(`Invalid environment: ${problems.join("; ")}`);
}
