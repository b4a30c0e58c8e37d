import { type Route, routeFor } from '../http/route.ts';
import type { RouteServices } from '../services/index.ts';

/** A route of this app: handlers get services only, and their input types come from their schemas. */
export const route = routeFor<RouteServices>();

export type AppRoute = Route<RouteServices>;
