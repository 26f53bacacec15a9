import type { Node } from "constructs";
import * as z from "zod/mini";
import { DEFAULT_CORE_BANKING_SOURCE } from "../lambdas/contracts/event-bus";
import { DEFAULT_TIME_ZONE, isTimeZone } from "../lambdas/domain/preferences";
import { describeIssue } from "../lambdas/domain/rules/schema-messages";

/**
 * Deployment settings, read from CDK context (`-c key=value` or cdk.json) and validated before any
 * construct is built, so a typo fails `cdk synth` with the key and the fix instead of a broken stack.
 */

export const STAGES = ["dev", "prod"] as const;
export type Stage = (typeof STAGES)[number];

const list = (what: string) =>
  z
    .pipe(
      z.union([z.string(), z.array(z.string())]),
      z.transform((value) =>
        (Array.isArray(value) ? value : value.split(","))
          .map((item) => item.trim())
          .filter((item) => item !== ""),
      ),
    )
    .check(z.refine((items) => items.every((item) => item.length > 0), { error: `must list ${what}` }));

const DeploymentSchema = z.object({
  stage: z._default(z.enum(STAGES, { error: 'must be "dev" or "prod"' }), "dev"),
  eventSource: z._default(z.string().check(z.minLength(1)), DEFAULT_CORE_BANKING_SOURCE),
  homeCountry: z._default(
    z.string().check(z.regex(/^[A-Z]{2}$/, { error: "must be an ISO 3166-1 alpha-2 code such as VN" })),
    "VN",
  ),
  bankTimeZone: z._default(
    z.string().check(z.refine(isTimeZone, { error: "must be an IANA time zone" })),
    DEFAULT_TIME_ZONE,
  ),
  reminderTimeZones: z._default(
    list("IANA time zones").check(
      z.refine((zones) => zones.length > 0 && zones.every(isTimeZone), {
        error: "must list IANA time zones, such as Asia/Ho_Chi_Minh,Asia/Bangkok",
      }),
    ),
    [DEFAULT_TIME_ZONE],
  ),
  /** Existing Pinpoint (End User Messaging push) application; one is created when omitted. */
  pinpointApplicationId: z.optional(
    z.string().check(z.regex(/^[a-f0-9]{32}$/, { error: "must be a 32-character Pinpoint application id" })),
  ),
  /**
   * Verified SES identity (domain or address) and the From address of the e-mails. Without them the
   * stack deploys with e-mail turned off: e-mail messages are recorded as failed with that reason.
   */
  sesIdentity: z.optional(z.string().check(z.minLength(3))),
  emailFromAddress: z.optional(
    z.string().check(z.regex(/^[^@\s]+@[^@\s]+$/, { error: "must be an e-mail address" })),
  ),
  sesConfigurationSet: z.optional(z.string().check(z.minLength(1))),
  /** Page where a customer turns marketing e-mail off; offers' e-mails link it for one-click unsubscribe. */
  unsubscribeUrl: z.optional(
    z.string().check(
      z.regex(/^https:\/\/\S+$/, {
        error: "must be an https URL such as https://bank.example/unsubscribe",
      }),
    ),
  ),
  /** Existing Cognito user pool for the API's JWT authorizer; one is created when omitted. */
  cognitoUserPoolId: z.optional(
    z.string().check(
      z.regex(/^[\w-]+_[0-9a-zA-Z]+$/, {
        error: "must be a Cognito user pool id such as ap-southeast-1_AbCdEf123",
      }),
    ),
  ),
  /** App client ids the authorizer accepts as audience, when the user pool is imported. */
  cognitoClientIds: z._default(list("app client ids"), []),
  /**
   * The access token claim that holds the bank's customer id. Cognito's `sub` is its own user id, so
   * a created pool uses `username` (create each user with the customer id as username); an imported
   * identity provider that puts the customer id in `sub` keeps the default.
   */
  customerIdClaim: z.optional(
    z.string().check(z.regex(/^[\w:.-]{1,64}$/, { error: "must be a claim name such as sub or username" })),
  ),
  /** Origins of the web apps that may call the API from a browser, such as https://app.bank.example. */
  corsOrigins: z._default(
    list("origins").check(
      z.refine((origins) => origins.every((origin) => /^https:\/\/[^/\s*]+$/.test(origin)), {
        error: "must list https origins without paths or wildcards, such as https://app.bank.example",
      }),
    ),
    [],
  ),
  /** Steady requests per second the API accepts across all customers, and the burst above it. */
  apiRateLimit: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 200),
  apiBurstLimit: z._default(z.coerce.number().check(z.int(), z.minimum(1)), 400),
  /** Address that receives alarm notifications; none subscribes when omitted. */
  alarmEmail: z.optional(
    z.string().check(z.regex(/^[^@\s]+@[^@\s]+$/, { error: "must be an e-mail address" })),
  ),
  /**
   * Days the bus archive keeps events for replay. At most 365, below the 400 days a transaction is
   * recognized as a duplicate, so a replay of the archive never applies a transaction twice.
   */
  archiveRetentionDays: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(365)), 365),
});

export type DeploymentConfig = z.infer<typeof DeploymentSchema>;

/** Context keys this app reads, in the order they appear in DeploymentSchema. */
export const CONTEXT_KEYS = Object.keys(DeploymentSchema.def.shape) as Array<keyof DeploymentConfig>;

/** Reads and validates every setting from the app's context; the error lists each bad key. */
export function loadDeploymentConfig(node: Node): DeploymentConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = node.tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = DeploymentSchema.safeParse(raw, { error: describeIssue });
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `context value "${issue.path.join(".")}" ${issue.message}`);
  // The pairs are checked on the raw values too, so one run lists every problem.
  if ((raw.sesIdentity === undefined) !== (raw.emailFromAddress === undefined)) {
    problems.push('set both context values "sesIdentity" and "emailFromAddress", or neither');
  }
  const clientIds = raw.cognitoClientIds;
  const noClients = parsed.success
    ? parsed.data.cognitoClientIds.length === 0
    : clientIds === undefined || clientIds === "" || (Array.isArray(clientIds) && clientIds.length === 0);
  if (raw.cognitoUserPoolId !== undefined && noClients) {
    problems.push(
      '"cognitoUserPoolId" needs "cognitoClientIds", the app clients whose tokens the API accepts',
    );
  }
  if (!parsed.success || problems.length > 0) {
    throw new Error(`Invalid deployment settings: ${problems.join("; ")}`);
  }
  return parsed.data;
}
