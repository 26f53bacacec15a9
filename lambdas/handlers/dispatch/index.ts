import { createDispatchDependencies } from "./dependencies";
import { createDispatchHandler } from "./handler";

/** Lambda entry point of the dispatch function, on the table's stream. */
export const handler = createDispatchHandler(createDispatchDependencies());
