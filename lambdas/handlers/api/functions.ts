import { createApiHandler } from "../../api/http";
import type { ApiFunction } from "../../api/routes";
import { defaultRuleSet } from "../../domain/rules/default-catalog";
import { insightsRoutes } from "../../use-cases/api/insights";
import { inboxRoutes, offerRoutes } from "../../use-cases/api/offers-inbox";
import { settingsRoutes } from "../../use-cases/api/settings";
import {
  type ApiDependencies,
  type ApiDependencyOverrides,
  createApiDependencies,
  insightsSettingsFrom,
} from "./dependencies";

/**
 * Builds the handler of any API function, for the local server and the tests, which serve every
 * route in one process. Each Lambda entry point imports only its own routes instead, so that its
 * bundle stays small.
 */
export function createApiFunctionHandler(
  functionName: ApiFunction,
  overrides: ApiDependencyOverrides = {},
  environment: Record<string, string | undefined> = process.env,
) {
  const dependencies: ApiDependencies = createApiDependencies(functionName, overrides, environment);
  const { store } = dependencies;
  const { catalog, renderer } = defaultRuleSet();
  const routes = {
    settings: () => settingsRoutes(store),
    insights: () => insightsRoutes(store, catalog, renderer, insightsSettingsFrom(environment)),
    offers: () => offerRoutes(store, catalog),
    inbox: () => inboxRoutes(store),
  }[functionName]();
  return createApiHandler(functionName, routes, dependencies);
}
