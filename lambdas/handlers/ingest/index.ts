import { createIngestDependencies } from "./dependencies";
import { createIngestHandler } from "./handler";

/** Lambda entry point of the ingest function; dependencies are built once per cold start. */
export const handler = createIngestHandler(createIngestDependencies());
