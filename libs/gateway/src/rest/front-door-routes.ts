import type { FastifyInstance } from 'fastify';
import { computeResources, dataResources } from '../mcp/builtin-resources.js';
import type { McpServices } from '../mcp/services.js';

/** The gateway serves no documentation itself: it ships with the repository. */
const DOCS =
  'README.md and docs/ in the EasyRemote repository (docs/architecture.md, docs/security.md, docs/errors.md)';

/** What `GET /` points to: the same facts as JSON for programs and as a small page for browsers. */
function frontDoor(): Record<string, unknown> {
  return {
    name: 'EasyRemote MCP gateway',
    mcp: '/mcp',
    transports: ['streamable-http'],
    protocolVersions: ['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'],
    rest: { tools: '/mcp/tools', resources: '/mcp/resources' },
    dashboard: '/dashboard',
    health: '/healthz',
    oauthMetadata: '/.well-known/oauth-protected-resource',
    docs: DOCS,
    authentication: 'Authorization: Bearer <API key or OAuth access token> on /mcp and /mcp/*',
  };
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EasyRemote MCP gateway</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}code{background:#f1f3f5;padding:.1rem .3rem;border-radius:3px}li{margin:.3rem 0}</style>
</head><body>
<h1>EasyRemote MCP gateway</h1>
<p>This is an MCP server. Point an MCP client (Streamable HTTP, protocol 2025-03-26 to 2026-07-28) at <code>/mcp</code>
with <code>Authorization: Bearer &lt;API key&gt;</code>.</p>
<ul>
<li><a href="/mcp">/mcp</a> — the MCP endpoint (POST JSON-RPC; GET opens a 2025-era notification stream)</li>
<li><a href="/dashboard">/dashboard</a> — live calls, nodes and usage (needs a key with <code>analytics:read</code>)</li>
<li><code>/mcp/tools</code>, <code>/mcp/tools/{name}</code>, <code>/mcp/resources</code> — REST views of the same mesh</li>
<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a> — liveness and readiness</li>
<li>Documentation: ${DOCS}</li>
</ul>
</body></html>
`;

/**
 * `GET /`: a front door instead of a bare 404, so a person who opens the gateway's URL in a browser
 * (or a program that probes it) learns where the MCP endpoint, the dashboard and the docs are. Public:
 * it says nothing the README does not.
 */
export function registerFrontDoorRoutes(app: FastifyInstance): void {
  app.get('/', { config: { access: 'public' } }, async (request, reply) => {
    const accept = request.headers.accept ?? '';
    if (/text\/html/i.test(accept))
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PAGE);
    return reply.header('cache-control', 'no-store').send(frontDoor());
  });
}

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

/**
 * The seed's `/mcp/resources` (GET or POST): every resource in the seed's shape, with its EasyRemote
 * metadata (capabilities, load, availability for nodes; size and age for data sets) at top level.
 */
export function registerResourceRoutes(app: FastifyInstance, services: McpServices): void {
  const handler = async () => {
    const all: Record<string, unknown>[] = [
      ...computeResources(services.registry),
      ...dataResources(services.dataSets),
      ...services.registry.resources().map((entry) => ({ ...entry.descriptor, provider: entry.providers[0] })),
    ];
    const resources = all.map(({ _meta, ...resource }) => {
      const metadata = (_meta as Record<string, unknown> | undefined)?.['easyremote/metadata'];
      return metadata === undefined ? resource : { ...resource, metadata };
    });
    return { resources };
  };
  app.get('/mcp/resources', handler);
  app.post('/mcp/resources', handler);
}
