import { createReminderDependencies } from "./dependencies";
import { createReminderHandler } from "./handler";

/** Lambda entry point of the daily payment-reminder job; dependencies are built once per cold start. */
export const handler = createReminderHandler(createReminderDependencies());
