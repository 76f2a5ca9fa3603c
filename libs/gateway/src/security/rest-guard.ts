import { AccessPolicy, AuthErrorCode, Scope } from '@easyremote/auth';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerChallenge, refuse } from '../auth/oauth-resource.js';
import type { ResourceIdentity } from '../auth/oauth-resource.js';
import { requireAccess } from '../auth/route-access.js';

/**
 * The REST doors get the same decisions as MCP: `GET /mcp/tools` needs `tools:list` and shows only
 * callable tools, `/mcp/resources` needs `resources:read`, and `POST /mcp/tools/{name}` needs
 * credentials here and is authorised per tool and rate limited by the call pipeline
 * (pipeline/call-stages.ts), as MCP's tools/call is.
 */
export function registerRestGuard(app: FastifyInstance, deps: { identity: ResourceIdentity }): void {
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
