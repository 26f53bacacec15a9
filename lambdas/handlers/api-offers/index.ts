import { createApiHandler } from "../../api/http";
import { defaultRuleSet } from "../../domain/rules/default-catalog";
import { offerRoutes } from "../../use-cases/api/offers-inbox";
import { createApiDependencies } from "../api/dependencies";

const dependencies = createApiDependencies("offers");

/** Lambda entry point of the offer routes: the ranked offers and the customer's feedback on them. */
export const handler = createApiHandler(
  "offers",
  offerRoutes(dependencies.store, defaultRuleSet().catalog),
  dependencies,
);
