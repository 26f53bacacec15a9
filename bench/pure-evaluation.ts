import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { createDocumentClient } from "../lambdas/adapters/aws/clients";
import {
  consentsFromItem,
  offerFeedbackFromItem,
  preferencesFromItem,
} from "../lambdas/adapters/dynamodb/customer-items";
import { validateEventBody } from "../lambdas/contracts/validate-event";
import { type CategorizationInput, categorize } from "../lambdas/domain/categorize";
import { applyTransaction, type CustomerProfile, emptyProfile } from "../lambdas/domain/profile";
import { createIngestDependencies } from "../lambdas/handlers/ingest/dependencies";
import { createIngestHandler, type IngestHandlerDependencies } from "../lambdas/handlers/ingest/handler";
import type { LedgerCommit, LedgerStore } from "../lambdas/ports/ledger-store";
import type { QuarantineStore } from "../lambdas/ports/quarantine-store";
import type { CustomerContext, TransactionDecisionInput } from "../lambdas/use-cases/decide-messages";
import type { IngestOutcome } from "../lambdas/use-cases/ingest-transaction";
import { eventIdOf, messageBodyOf, type SourceEvent } from "../scripts/importers/source-event";
import { lambdaContext, sqsEventOf } from "../scripts/local/aws-events";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../scripts/local/dynamodb-local";
import { type ProfileShare, profileSelfTime } from "./cpu-profile";
import { median } from "./figures";

/** Timed rounds of each measurement, after one warm-up round; the median round is reported. */
const ROUNDS = 3;

/** The profiles of one run, kept in memory; commits always apply. */
class InMemoryLedger implements LedgerStore {
  readonly maxItemsPerCommit = 100;
  private readonly profiles = new Map<string, CustomerProfile>();

  constructor(private readonly context: CustomerContext) {}

  async loadCustomer(customerId: string) {
    return { profile: this.profiles.get(customerId) ?? emptyProfile(customerId), context: this.context };
  }

  itemCount(change: LedgerCommit): number {
    return (
      change.transactions.length +
      1 +
      Object.keys(change.monthAdditions).length +
      change.dueChanges.put.length +
      change.dueChanges.remove.length +
      change.offers.length +
      change.outbox.length
    );
  }

  async commit(change: LedgerCommit) {
    this.profiles.set(change.customerId, { ...change.profile, version: change.profile.version + 1 });
    return { status: "applied" as const };
  }
}

/** Counts quarantined events; the Berka events are all valid, so it stays at zero. */
class CountingQuarantine implements QuarantineStore {
  stored = 0;
  async quarantine() {
    this.stored += 1;
    return "stored" as const;
  }
  async listOpen() {
    return [];
  }
  async find() {
    return undefined;
  }
  async recordFailedRedrive() {}
  async markRedriven() {}
}

/**
 * Events per CPU-second is the rate one core reaches when nothing else runs on it; events per
 * wall-clock second is lower when other processes share the cores.
 */
export interface Rate {
  readonly eventsPerCpuSecond: number;
  readonly eventsPerSecond: number;
}

export interface StageRate extends Rate {
  readonly stage: string;
}

export interface PureEvaluation {
  readonly events: number;
  readonly applied: number;
  readonly messages: number;
  /** Rates of the whole ingest handler with storage in memory, from the median round. */
  readonly handler: Rate;
  readonly rounds: readonly Timing[];
  readonly stages: readonly StageRate[];
  /** Largest shares of the handler's CPU time by source, from one extra, profiled round. */
  readonly cpuProfile: readonly ProfileShare[];
  /** Inputs of each event's decision, for the rule-engine comparison. */
  readonly decisionInputs: readonly TransactionDecisionInput[];
  readonly homeCountry: string;
}

/** Customer settings the Berka customers have in the DynamoDB run: none stored, so the defaults. */
function defaultContext(): CustomerContext {
  return {
    preferences: preferencesFromItem(undefined).preferences,
    consents: consentsFromItem(undefined).consents,
    offerFeedback: offerFeedbackFromItem(undefined),
  };
}

/** Wall time and CPU time (user plus system, all of this process's threads) of one run. */
export interface Timing {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

function time(work: () => void): Timing {
  const cpu = process.cpuUsage();
  const start = performance.now();
  work();
  const used = process.cpuUsage(cpu);
  return { wallSeconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function timeAsync(work: () => Promise<void>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wallSeconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Rates of `count` items from the median timed round, per CPU-second and per wall-clock second. */
function ratesOf(count: number, rounds: readonly Timing[]): Rate {
  return {
    eventsPerCpuSecond: count / median(rounds.map((round) => round.cpuSeconds)),
    eventsPerSecond: count / median(rounds.map((round) => round.wallSeconds)),
  };
}

/** Rates of `work` over `count` items: one warm-up round, then the timed rounds. */
function rate(count: number, work: () => void): Rate {
  work();
  return ratesOf(
    count,
    Array.from({ length: ROUNDS }, () => time(work)),
  );
}

/** The SQS events the queue would deliver to one lane: the events in input order, 10 per batch. */
function batchesOf(sources: readonly SourceEvent[], batchSize: number): SQSEvent[] {
  const sentAt = Date.now();
  const batches: SQSEvent[] = [];
  for (let start = 0; start < sources.length; start += batchSize) {
    const messages = sources.slice(start, start + batchSize).map((source) => ({
      messageId: eventIdOf(source),
      body: messageBodyOf(source),
      receiveCount: 1,
      sentAt,
    }));
    batches.push(sqsEventOf(messages));
  }
  return batches;
}

/**
 * Runs the real ingest handler on one thread with the ledger and quarantine in memory: the SQS
 * batch, validation with zod, categorization, the profile update, rules, decisions, message
 * rendering and the outbox messages, all but the DynamoDB requests. Then times the stages alone
 * on the inputs the handler saw.
 */
export async function measurePureEvaluation(
  sources: readonly SourceEvent[],
  batchSize: number,
): Promise<PureEvaluation> {
  process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  process.env.MAX_EVENT_AGE_HOURS ??= "0";
  // The client is never called: the in-memory ledger and quarantine replace the DynamoDB stores.
  const unusedClient = createDocumentClient(
    new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
  );
  const environment = { ...process.env, TABLE_NAME: "personalization-bench" };
  const base = createIngestDependencies({ documentClient: unusedClient }, environment);
  const context = defaultContext();
  const batches = batchesOf(sources, batchSize);
  const invocationContext = lambdaContext("personalization-ingest");

  const decisionInputs: TransactionDecisionInput[] = [];
  let applied = 0;
  let messages = 0;
  const runOnce = async (capture: boolean) => {
    const deps: IngestHandlerDependencies = {
      ...base,
      ledger: new InMemoryLedger(context),
      quarantine: new CountingQuarantine(),
      decideMessages: capture
        ? (input) => {
            decisionInputs.push(input);
            return base.decideMessages(input);
          }
        : base.decideMessages,
      onOutcome: (outcome: IngestOutcome) => {
        if (!capture || outcome.kind !== "applied") return;
        applied += 1;
        messages += outcome.messages.length;
      },
    };
    const handler = createIngestHandler(deps);
    for (const batch of batches) await handler(batch, invocationContext);
  };

  await runOnce(true);
  const rounds: Timing[] = [];
  for (let round = 0; round < ROUNDS; round += 1) rounds.push(await timeAsync(() => runOnce(false)));
  const cpuProfile = await profileSelfTime(() => runOnce(false), 8);

  const records = batches.flatMap((batch) => batch.Records);
  if (records.some((record) => !validateEventBody(record.body, record.messageId, base.bankTimeZone).ok)) {
    throw new Error("A Berka event failed validation; the stage timings expect valid events only");
  }
  const categorizationInputs: CategorizationInput[] = records.map((record) => {
    const { detail } = JSON.parse(record.body) as {
      detail: {
        direction: CategorizationInput["direction"];
        channel: CategorizationInput["channel"];
        purposeCode?: string;
        merchant?: { mcc?: string; name?: string };
        counterparty?: { name?: string };
        description?: string;
      };
    };
    return {
      direction: detail.direction,
      channel: detail.channel,
      purposeCode: detail.purposeCode,
      mcc: detail.merchant?.mcc,
      merchantName: detail.merchant?.name,
      counterpartyName: detail.counterparty?.name,
      description: detail.description,
    };
  });

  const stages: StageRate[] = [
    {
      stage: "validation (JSON, zod, conversion) with categorization",
      ...rate(records.length, () => {
        for (const record of records) validateEventBody(record.body, record.messageId, base.bankTimeZone);
      }),
    },
    {
      stage: "categorization alone",
      ...rate(categorizationInputs.length, () => {
        for (const input of categorizationInputs) categorize(input);
      }),
    },
    {
      stage: "profile update (applyTransaction)",
      ...rate(decisionInputs.length, () => {
        for (const input of decisionInputs)
          applyTransaction(input.before, input.transaction, base.homeCountry);
      }),
    },
    {
      stage: "facts, rules, decisions and rendering",
      ...rate(decisionInputs.length, () => {
        for (const input of decisionInputs) base.decideMessages(input);
      }),
    },
  ];

  return {
    events: sources.length,
    applied,
    messages,
    handler: ratesOf(sources.length, rounds),
    rounds,
    stages,
    cpuProfile,
    decisionInputs,
    homeCountry: base.homeCountry,
  };
}
