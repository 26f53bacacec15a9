import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { buildApp } from "../../bin/app";

export interface SynthesizedApp {
  readonly data: Template;
  readonly services: Template;
  /** The cloud assembly's validation report: cdk-nag and CloudFormation Validate results. */
  readonly validationReport: {
    pluginReports: Array<{ pluginName: string; conclusion: string; violations: unknown[] }>;
  };
  readonly templatePaths: string[];
}

/**
 * Synthesizes the app for a stage with the given context, without bundling the functions (tests
 * assert on templates; `cdk synth` bundles for real).
 */
export function synthesize(context: Record<string, unknown> = {}): SynthesizedApp {
  const app = new App({ context: { ...readCdkJsonContext(), "aws:cdk:bundling-stacks": [], ...context } });
  const { stateful, stateless } = buildApp(app);
  const assembly = app.synth();
  return {
    data: Template.fromStack(stateful),
    services: Template.fromStack(stateless),
    validationReport: JSON.parse(readFileSync(join(assembly.directory, "validation-report.json"), "utf8")),
    templatePaths: assembly.stacks.map((stack) => stack.templateFullPath),
  };
}

function readCdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync("cdk.json", "utf8")) as { context: Record<string, unknown> }).context;
}
