import { type AuditLog, AuthErrorCode, DEFAULT_KEY_SCOPES, type KeyStore, parseSince } from '@easyremote/auth';
import { hasErrorCode } from '@easyremote/protocol';
import type { FastifyInstance } from 'fastify';
import type { ResourceIdentity } from '../auth/oauth-resource.js';
import { ADMIN_ACCESS } from '../auth/route-access.js';
import { GatewayErrorCode } from '../errors.js';

/**
 * API key management over REST, admin scope only — the same operations as `easyremote keys`, for
 * operators without NATS credentials: `GET /mcp/keys`, `POST /mcp/keys { name, scopes }` (answers the
 * key once), `DELETE /mcp/keys/{id}` (revoked on every replica within a second).
 */
export function registerKeyRoutes(app: FastifyInstance, deps: { keys: KeyStore; identity: ResourceIdentity }): void {
  // The admin scope is checked by the access hook on the matched route (ADMIN_ACCESS).
  const config = { access: ADMIN_ACCESS };

  app.get('/mcp/keys', { config }, async () => {
    return { keys: (await deps.keys.list()).map(({ secretHash: _hash, ...record }) => record) };
  });

  app.post<{ Body: unknown }>('/mcp/keys', { config }, async (request, reply) => {
    const body = (request.body ?? {}) as { name?: unknown; scopes?: unknown };
    const name =
      typeof body.name === 'string' && body.name.length > 0 && body.name.length <= 200 ? body.name : undefined;
    const scopes = body.scopes === undefined ? DEFAULT_KEY_SCOPES : body.scopes;
    if (
      !name ||
      !Array.isArray(scopes) ||
      !scopes.every((scope) => typeof scope === 'string' && scope.length > 0 && scope.length <= 200)
    ) {
      return reply.code(400).send({
        error: { code: GatewayErrorCode.BadRequest, message: 'body must be { "name": string, "scopes"?: string[] }' },
      });
    }
    const { key, record } = await deps.keys.create(name, scopes as string[]);
    return reply
      .code(201)
      .send({ key, id: record.id, name: record.name, scopes: record.scopes, createdAt: record.createdAt });
  });

  app.delete<{ Params: { id: string } }>('/mcp/keys/:id', { config }, async (request, reply) => {
    try {
      const { secretHash: _hash, ...record } = await deps.keys.revoke(request.params.id);
      return record;
    } catch (error) {
      if (hasErrorCode(error, AuthErrorCode.KeyNotFound))
        return reply.code(404).send({ error: { code: AuthErrorCode.KeyNotFound, message: (error as Error).message } });
      throw error;
    }
  });
}

/** `GET /mcp/audit?since=1h&tool=x&principal=p&limit=n`: the audit trail, admin scope only. */
export function registerAuditRoutes(app: FastifyInstance, deps: { audit: AuditLog; identity: ResourceIdentity }): void {
  app.get<{ Querystring: { since?: string; tool?: string; principal?: string; limit?: string } }>(
    '/mcp/audit',
    { config: { access: ADMIN_ACCESS } },
    async (request, reply) => {
      const sinceMs = parseSince(request.query.since ?? '1h');
      const limit = request.query.limit === undefined ? 1000 : Number(request.query.limit);
      if (sinceMs === undefined || !Number.isInteger(limit) || limit < 1) {
        return reply.code(400).send({
          error: {
            code: GatewayErrorCode.BadRequest,
            message: 'since must be a duration (30m, 1h, 2d) or an ISO time; limit a positive integer',
          },
        });
      }
      // This replica's own queued records first, so a call it just served is in the answer.
      await deps.audit.flush();
      const records = await deps.audit.query({
        sinceMs,
        tool: request.query.tool,
        principal: request.query.principal,
        limit,
      });
      return { records };
    },
  );
}
