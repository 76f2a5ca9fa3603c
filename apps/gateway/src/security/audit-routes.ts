import { parseSince, type AuditLog } from '@easyremote/auth';
import type { FastifyInstance } from 'fastify';
import { ADMIN_ACCESS } from '../auth/route-access.js';
import type { ResourceIdentity } from '../auth/resource-identity.js';
import { GatewayErrorCode } from '../errors.js';

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
