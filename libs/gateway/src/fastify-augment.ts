// Type-only augmentation: the request carries the authenticated principal for every route.
import 'fastify';

import type { RouteEntry } from './auth/route-access.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the access it declares, as the access hook guards it (tests walk it). */
    readonly routeTable: readonly RouteEntry[];
  }
  interface FastifyRequest {
    /** The authenticated caller, set by the authentication hook when auth is on. */
    principal?: string;
  }
}
