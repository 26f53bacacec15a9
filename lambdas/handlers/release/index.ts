import { createDispatchDependencies } from "../dispatch/dependencies";
import { createReleaseHandler } from "./handler";

/** Lambda entry point of the release job, which sends messages whose deferral ended. */
export const handler = createReleaseHandler(createDispatchDependencies());
