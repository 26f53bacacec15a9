import { createApiHandler } from "../../api/http";
import { settingsRoutes } from "../../use-cases/api/settings";
import { createApiDependencies } from "../api/dependencies";

const dependencies = createApiDependencies("settings");

/** Lambda entry point of the settings routes: preferences, devices, consents and service feedback. */
export const handler = createApiHandler("settings", settingsRoutes(dependencies.store), dependencies);
