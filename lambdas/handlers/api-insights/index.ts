import { createApiHandler } from "../../api/http";
import { defaultRuleSet } from "../../domain/rules/default-catalog";
import { insightsRoutes } from "../../use-cases/api/insights";
import { createApiDependencies, insightsSettingsFrom } from "../api/dependencies";

const dependencies = createApiDependencies("insights");
const { catalog, renderer } = defaultRuleSet();

/** Lambda entry point of the insights routes: the month's insights, the home screen and payment tips. */
export const handler = createApiHandler(
  "insights",
  insightsRoutes(dependencies.store, catalog, renderer, insightsSettingsFrom()),
  dependencies,
);
