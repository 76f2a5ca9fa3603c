// Type-only augmentation: the request carries the authenticated principal for every route.
import 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by the authentication hook when auth is on. */
    principal?: string;
  }
}
