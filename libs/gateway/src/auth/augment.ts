// Type-only augmentation: what the authentication hook learned about the caller.
import 'fastify';
import type { AccessPolicy } from '@easyremote/auth';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's access policy; undefined when authentication is off (everything allowed). */
    access?: AccessPolicy;
  }
}
