import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { median } from "./figures";

/** Imports of each bundle in a fresh process; the median is reported. */
const INIT_RUNS = 5;
/** Where the bundles are written: inside the repository, so that `@aws-sdk/*` resolves to node_modules. */
const BUNDLE_FOLDER = resolve(".data/bench/bundles");
const HANDLERS_FOLDER = resolve("lambdas/handlers");
const SERVICE_FUNCTION = resolve("lib/constructs/service-function.ts");

/**
 * Environment each function gets from the CDK stack (lib/stateless-stack.ts and ServiceFunction),
 * with placeholder values: enough for every entry point's start-up checks to pass.
 */
const COMMON_ENVIRONMENT = {
  TABLE_NAME: "personalization",
  AWS_REGION: "us-east-1",
  POWERTOOLS_METRICS_NAMESPACE: "BankPersonalization",
  POWERTOOLS_LOG_LEVEL: "INFO",
  NODE_OPTIONS: "--enable-source-maps",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};
const FUNCTION_ENVIRONMENT: Readonly<Record<string, Record<string, string>>> = {
  ingest: { BANK_TIME_ZONE: "Asia/Ho_Chi_Minh", HOME_COUNTRY: "VN" },
  dispatch: { PINPOINT_APPLICATION_ID: "0123456789abcdef", EVENT_BUS_NAME: "personalization" },
  release: { PINPOINT_APPLICATION_ID: "0123456789abcdef", EVENT_BUS_NAME: "personalization" },
  "api-insights": { CUSTOMER_ID_CLAIM: "sub", HOME_COUNTRY: "VN" },
  "api-settings": { CUSTOMER_ID_CLAIM: "sub" },
  "api-offers": { CUSTOMER_ID_CLAIM: "sub" },
  "api-inbox": { CUSTOMER_ID_CLAIM: "sub" },
};

/**
 * One import of a bundle in a fresh process. CPU milliseconds (user plus system, all threads) are
 * what an idle core would take; wall-clock milliseconds grow when other processes share the cores.
 */
export interface InitTiming {
  /** Importing the `@aws-sdk/*` packages the bundle imports, which the Lambda runtime provides. */
  readonly sdkCpuMs: number;
  /** Importing the bundle itself after them: its own modules and its start-up work. */
  readonly bundleCpuMs: number;
  readonly totalCpuMs: number;
  readonly totalWallMs: number;
}

export interface BundleMeasurement {
  readonly handler: string;
  /** Minified JavaScript, source map not included. */
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** Largest contributors to the minified output, by package or source folder, in bytes. */
  readonly largestInputs: ReadonlyArray<{ readonly input: string; readonly bytes: number }>;
  /** `@aws-sdk/*` packages the bundle imports at run time. */
  readonly externals: readonly string[];
  /** One entry per fresh process. */
  readonly init: readonly InitTiming[];
  readonly medianCpuMs: number;
  readonly medianSdkCpuMs: number;
  readonly medianBundleCpuMs: number;
  readonly medianWallMs: number;
}

export interface BundleOptions {
  readonly target: string;
  readonly banner: string;
}

/**
 * Reads the esbuild target and banner from ServiceFunction, so the benchmark bundles as the stack
 * does and notices when the stack changes them.
 */
export function readBundleOptions(): BundleOptions {
  const source = readFileSync(SERVICE_FUNCTION, "utf8");
  const target = /target:\s*"([^"]+)"/.exec(source)?.[1];
  const banner = /banner:\s*"([^"]+)"/.exec(source)?.[1];
  if (!target || !banner) {
    throw new Error(
      `Could not read the bundling target and banner from ${SERVICE_FUNCTION}; update bench/bundles.ts`,
    );
  }
  return { target, banner };
}

/** Handler folders that have a Lambda entry point (index.ts). */
export function entryPoints(): string[] {
  return readdirSync(HANDLERS_FOLDER)
    .filter((name) => existsSync(join(HANDLERS_FOLDER, name, "index.ts")))
    .sort();
}

/**
 * Imports a bundle in a fresh Node.js process: first the SDK packages it imports, then the bundle,
 * timing each step with performance.now() inside the child, so process start-up is not counted.
 */
function importOnce(
  file: string,
  externals: readonly string[],
  environment: Record<string, string>,
): InitTiming {
  const script = [
    "const cpuMs = (usage) => (usage.user + usage.system) / 1000;",
    "const start = performance.now();",
    "const startCpu = process.cpuUsage();",
    `for (const name of ${JSON.stringify(externals)}) await import(name);`,
    "const sdkCpu = process.cpuUsage(startCpu);",
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    "const totalCpu = process.cpuUsage(startCpu);",
    "const totalWallMs = performance.now() - start;",
    "process.stdout.write(JSON.stringify({",
    "  sdkCpuMs: cpuMs(sdkCpu),",
    "  bundleCpuMs: cpuMs(totalCpu) - cpuMs(sdkCpu),",
    "  totalCpuMs: cpuMs(totalCpu),",
    "  totalWallMs,",
    "}));",
  ].join("\n");
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dirname(file),
    env: { PATH: process.env.PATH ?? "", ...environment },
    encoding: "utf8",
  });
  if (child.status !== 0) {
    throw new Error(`Importing ${file} failed with exit code ${child.status}: ${child.stderr.trim()}`);
  }
  return JSON.parse(child.stdout) as InitTiming;
}

/** Sums the output bytes of a bundle's inputs by npm package, or by source folder two levels deep. */
function largestInputs(inputs: Record<string, { bytesInOutput: number }>, count: number) {
  const bytesByInput = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const input = packageName ?? path.split("/").slice(0, 2).join("/");
    bytesByInput.set(input, (bytesByInput.get(input) ?? 0) + bytesInOutput);
  }
  return [...bytesByInput]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([input, bytes]) => ({ input, bytes }));
}

/**
 * Bundles each Lambda entry point with the options of ServiceFunction (NodejsFunction's esbuild
 * call): ESM, minified, with a source map, platform node, `@aws-sdk/*` left to the runtime, and
 * the same banner. Then imports each bundle in fresh `node` processes with the function's
 * environment and times the dynamic import: module initialization, the SDK's loading included.
 * The medians are taken of each column separately.
 */
export async function measureBundles(options: BundleOptions): Promise<BundleMeasurement[]> {
  rmSync(BUNDLE_FOLDER, { recursive: true, force: true });
  mkdirSync(BUNDLE_FOLDER, { recursive: true });
  const measurements: BundleMeasurement[] = [];
  for (const handler of entryPoints()) {
    const outfile = join(BUNDLE_FOLDER, handler, "index.mjs");
    const result = await build({
      entryPoints: [join(HANDLERS_FOLDER, handler, "index.ts")],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: options.target,
      minify: true,
      sourcemap: true,
      external: ["@aws-sdk/*"],
      mainFields: ["module", "main"],
      banner: { js: options.banner },
      logLevel: "warning",
      metafile: true,
    });
    const output = result.metafile.outputs[relative(process.cwd(), outfile)];
    if (!output) throw new Error(`esbuild reported no output ${outfile}`);
    const externals = [
      ...new Set(
        output.imports
          .filter((entry) => entry.external && !entry.path.startsWith("node:"))
          .map((entry) => entry.path),
      ),
    ];
    const environment = {
      ...COMMON_ENVIRONMENT,
      POWERTOOLS_SERVICE_NAME: handler,
      ...FUNCTION_ENVIRONMENT[handler],
    };
    const init = Array.from({ length: INIT_RUNS }, () => importOnce(outfile, externals, environment));
    measurements.push({
      handler,
      bytes: statSync(outfile).size,
      sourceMapBytes: statSync(`${outfile}.map`).size,
      largestInputs: largestInputs(output.inputs, 5),
      externals,
      init,
      medianCpuMs: median(init.map((timing) => timing.totalCpuMs)),
      medianSdkCpuMs: median(init.map((timing) => timing.sdkCpuMs)),
      medianBundleCpuMs: median(init.map((timing) => timing.bundleCpuMs)),
      medianWallMs: median(init.map((timing) => timing.totalWallMs)),
    });
  }
  return measurements;
}
