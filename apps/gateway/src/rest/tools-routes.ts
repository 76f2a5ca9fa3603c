import { isValidToolName } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { renderableFailure, renderingOf } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import { placementFromQuery } from '../routing/call-placement.js';
import { jsonBytes, type CallEvents } from '../routing/call-events.js';
import type { InvokeOutcome, ToolInvoker } from '../routing/tool-invoker.js';
import { callerIdentity } from '../security/caller-identity.js';

function fail(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(renderingOf(code).http).send({ error: { code, message } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The seed's REST shapes: `GET /mcp/tools` lists every tool with its provider, and
 * `POST /mcp/tools/{name}` takes the arguments as the body and answers `{ result }`.
 */
export function registerToolRoutes(
  app: FastifyInstance,
  deps: { registry: RegistryView; invoker: ToolInvoker; callEvents: CallEvents },
): void {
  const announce = (
    name: string,
    args: Record<string, unknown>,
    startedAt: number,
    outcome: InvokeOutcome | undefined,
    principal: string | undefined,
  ): Promise<void> | undefined => {
    if (!deps.callEvents.observed) return undefined;
    return deps.callEvents.emit({
      callId: outcome?.callId ?? '',
      tool: name,
      nodeId: outcome?.nodeId,
      principal,
      via: 'rest',
      startedAt,
      durationMs: Date.now() - startedAt,
      outcome:
        outcome === undefined || outcome.ok === false
          ? 'error'
          : outcome.ok === true && outcome.result.isError
            ? 'tool_error'
            : 'success',
      errorCode: outcome?.ok === false ? outcome.error.code : undefined,
      argumentsBytes: jsonBytes(args),
      resultBytes: outcome?.ok === true ? jsonBytes(outcome.result) : 0,
      arguments: args,
      chunks: outcome?.ok === 'input' ? undefined : outcome?.chunks,
    });
  };

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    const code =
      status === 413
        ? GatewayErrorCode.PayloadTooLarge
        : status >= 500
          ? GatewayErrorCode.Internal
          : GatewayErrorCode.BadRequest;
    return reply.code(status).send({ error: { code, message: status >= 500 ? 'Internal error' : error.message } });
  });

  app.get('/mcp/tools', async () => ({
    tools: deps.registry.tools().map((entry) => ({
      name: entry.name,
      title: entry.descriptor.title,
      description: entry.descriptor.description ?? '',
      inputSchema: entry.descriptor.inputSchema,
      outputSchema: entry.descriptor.outputSchema ?? {},
      provider: entry.providers[0],
      providers: entry.providers,
      metadata: entry.descriptor.metadata ?? {},
    })),
  }));

  app.post<{ Params: { name: string }; Querystring: Record<string, unknown>; Body: unknown }>(
    '/mcp/tools/:name',
    async (request, reply) => {
      const { name } = request.params;
      if (!isValidToolName(name)) return fail(reply, GatewayErrorCode.ToolNotFound, `Unknown tool: ${name}`);
      const args = request.body ?? {};
      if (!isPlainObject(args))
        return fail(reply, GatewayErrorCode.InvalidArguments, 'The body must be a JSON object of tool arguments');
      const startedAt = Date.now();
      let outcome: InvokeOutcome | undefined;
      let answer: RestAnswer;
      try {
        // Placement in the query (`?node=&label=k=v&strategy=`) and the Idempotency-Key header; the body stays the arguments.
        const placement = placementFromQuery(request.query ?? {}, request.headers['idempotency-key']);
        outcome = await deps.invoker.invoke({
          tool: name,
          arguments: args,
          placement,
          caller: callerIdentity(request.principal, request.access),
        });
        answer = restAnswer(name, outcome);
      } catch (error) {
        const failure = renderableFailure(error);
        if (failure === undefined) {
          void announce(name, args, startedAt, outcome, request.principal);
          throw error;
        }
        answer = { error: { code: failure.code, message: failure.message } };
      }
      // The audit record is stored before the caller learns anything (ADR 0014); without it, no answer.
      const recorded = announce(name, args, startedAt, outcome, request.principal);
      if (recorded !== undefined) {
        try {
          await recorded;
        } catch {
          return fail(
            reply,
            GatewayErrorCode.AuditFailed,
            'The call ran, but its audit record could not be stored, so its answer is withheld',
          );
        }
      }
      return 'error' in answer ? fail(reply, answer.error.code, answer.error.message) : answer;
    },
  );
}

type RestAnswer = { result: unknown; node: string | undefined } | { error: { code: string; message: string } };

function restAnswer(name: string, outcome: InvokeOutcome): RestAnswer {
  if (outcome.ok === false) return { error: outcome.error };
  if (outcome.ok === 'input')
    return {
      error: {
        code: GatewayErrorCode.InputRequired,
        message: `Tool ${name} needs input from an interactive MCP client`,
      },
    };
  const { result } = outcome;
  if (result.isError) {
    const text = result.content.map((block) => (typeof block.text === 'string' ? block.text : '')).join('\n');
    return { error: { code: GatewayErrorCode.ToolResultError, message: text || `Tool ${name} reported an error` } };
  }
  return { result: result.structuredContent ?? restValue(result.content), node: outcome.nodeId };
}

/** Without structured content, a single text block is returned as its text; anything else as the blocks. */
function restValue(content: readonly Record<string, unknown>[]): unknown {
  const [only] = content;
  if (content.length === 1 && only?.type === 'text') return only.text;
  return content;
}
