import { AccessPolicy, AuthErrorCode, Scope } from '@easyremote/auth';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerChallenge, refuse } from '../auth/challenge.js';
import type { ResourceIdentity } from '../auth/resource-identity.js';
import { requireAccess } from '../auth/route-access.js';
import type { CallGuard } from './call-guard.js';
import { headerSafe, unreadableResourceIn } from './resource-arguments.js';

/**
 * The REST doors get the same decisions as MCP: `GET /mcp/tools` needs `tools:list` and shows only
 * callable tools, `POST /mcp/tools/{name}` is authorised per tool and rate limited (429 with
 * `Retry-After`), `/mcp/resources` needs `resources:read`.
 */
export function registerRestGuard(app: FastifyInstance, deps: { guard: CallGuard; identity: ResourceIdentity }): void {
  const forbid = (scope: string, description: string) => ({
    'www-authenticate': bearerChallenge(deps.identity.metadataUrl, { error: 'insufficient_scope', description, scope }),
  });

  // Only the REST doors are checked here (MCP methods are authorised by the dispatcher); every other
  // route passes without an async step.
  const guarded = new Set(['/mcp/tools', '/mcp/resources', '/mcp/tools/:name']);
  app.addHook('preHandler', (request, reply, done) => {
    if (!guarded.has(request.routeOptions.url ?? '')) {
      done();
      return;
    }
    check(request, reply).then(
      (refused) => {
        if (refused === undefined) done();
      },
      (error: unknown) => done(error as Error),
    );
  });

  const check = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const route = request.routeOptions.url;
    const access = requireAccess(request, reply);
    if (!(access instanceof AccessPolicy)) return access;
    if (route === '/mcp/tools' && request.method === 'GET' && !access.mayListTools) {
      return refuse(
        request,
        reply,
        403,
        AuthErrorCode.InsufficientScope,
        'Forbidden: listing tools needs the tools:list scope',
        forbid(Scope.ToolsList, 'needs tools:list'),
      );
    }
    if (route === '/mcp/resources' && !access.mayUseResources) {
      return refuse(
        request,
        reply,
        403,
        AuthErrorCode.InsufficientScope,
        'Forbidden: resources need the resources:read scope',
        forbid(Scope.ResourcesRead, 'needs resources:read'),
      );
    }
    if (route === '/mcp/tools/:name' && request.method === 'POST') {
      const name = (request.params as { name: string }).name;
      if (!deps.guard.mayCall(access, name)) {
        return refuse(
          request,
          reply,
          403,
          AuthErrorCode.InsufficientScope,
          `Forbidden: not allowed to call tool ${name}`,
          forbid(`tools:call:${name}`, `not allowed to call ${name}`),
        );
      }
      const unreadable = unreadableResourceIn(access, request.body);
      if (unreadable !== undefined) {
        const shown = headerSafe(unreadable);
        return refuse(
          request,
          reply,
          403,
          AuthErrorCode.InsufficientScope,
          `Forbidden: the arguments name ${shown}, which needs the resources:read scope for it`,
          forbid(`resources:read:${shown}`, `needs resources:read for ${shown}`),
        );
      }
      if (deps.guard.limited) {
        const decision = await deps.guard.rate(request.principal, name);
        if (!decision.ok) {
          const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
          return refuse(
            request,
            reply,
            429,
            AuthErrorCode.RateLimited,
            `Too Many Requests: rate limit exceeded for ${name}; retry in ${seconds} s`,
            { 'retry-after': String(seconds) },
          );
        }
      }
    }
    return undefined;
  };

  app.addHook('preSerialization', async (request, _reply, payload: unknown) => {
    if (request.routeOptions.url === '/mcp/resources' && request.access && !request.access.admin) {
      // The list shows only what the caller may read, as resources/list does.
      const access = request.access;
      const listed = payload as { resources?: Array<{ uri?: unknown }> };
      if (!Array.isArray(listed.resources)) return payload;
      return {
        ...listed,
        resources: listed.resources.filter(
          (resource) => typeof resource.uri === 'string' && access.mayReadResource(resource.uri),
        ),
      };
    }
    if (
      request.routeOptions.url !== '/mcp/tools' ||
      request.method !== 'GET' ||
      !request.access ||
      request.access.admin
    )
      return payload;
    const access = request.access;
    const body = payload as {
      tools?: Array<{ name: string; metadata?: { category?: string; securityLevel?: string } }>;
    };
    if (!Array.isArray(body.tools)) return payload;
    return { ...body, tools: body.tools.filter((tool) => access.mayCallTool({ name: tool.name, ...tool.metadata })) };
  });
}
