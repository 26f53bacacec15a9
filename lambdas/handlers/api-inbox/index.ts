import { createApiHandler } from "../../api/http";
import { inboxRoutes } from "../../use-cases/api/offers-inbox";
import { createApiDependencies } from "../api/dependencies";

const dependencies = createApiDependencies("inbox");

/** Lambda entry point of the notification inbox routes. */
export const handler = createApiHandler("inbox", inboxRoutes(dependencies.store), dependencies);
