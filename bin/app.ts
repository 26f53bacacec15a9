import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { loadDeploymentConfig } from "../lib/config";
import { StatefulStack } from "../lib/stateful-stack";
import { StatelessStack } from "../lib/stateless-stack";

/**
 * The CDK app: a stateful and a stateless stack per stage (`-c stage=dev|prod`). cdk-nag's AWS
 * Solutions checks run on every synth, so any finding that is not acknowledged with a reason fails it.
 */
export function buildApp(app: App = new App()): {
  app: App;
  stateful: StatefulStack;
  stateless: StatelessStack;
} {
  const config = loadDeploymentConfig(app.node);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const prefix = `Personalization-${config.stage}`;

  const stateful = new StatefulStack(app, `${prefix}-Data`, {
    env,
    config,
    description: "Personalization: customer data",
  });
  const stateless = new StatelessStack(app, `${prefix}-Services`, {
    env,
    config,
    table: stateful.table,
    tableKey: stateful.key,
    bus: stateful.bus,
    identity: stateful.identity,
    description: "Personalization: functions, queues, schedules, API and monitoring",
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
