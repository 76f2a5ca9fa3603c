import type { FastifyInstance } from 'fastify';

export interface Readiness {
  /** Why the gateway cannot serve yet, or undefined when it can. */
  notReadyReason(): string | undefined;
}

/** Liveness says the process answers; readiness says it can route calls (mesh connected, registry loaded). */
export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    const reason = readiness.notReadyReason();
    if (reason !== undefined) return reply.code(503).send({ status: 'not-ready', reason });
    return { status: 'ready' };
  });
}
