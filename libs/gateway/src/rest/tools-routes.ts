import { randomUUID } from 'node:crypto';
import { isValidToolName } from '@easyremote/protocol';
import type { RegistryView } from '@easyremote/registry';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { renderingOf } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import type { CallOutcome, CallPipeline } from '../pipeline/call-pipeline.js';
import { retryOf, type TaskService } from '../tasks/task-service.js';
import { callerIdentity } from '../security/caller-identity.js';
import { restValue } from './rest-value.js';
import { restTask, taskLocation } from './task-routes.js';

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
  deps: { registry: RegistryView; calls: CallPipeline; tasks: Pick<TaskService, 'restTaskFor' | 'record'> },
): void {
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
      const descriptor = deps.registry.tool(name)?.descriptor;
      const preferAsync = prefersAsync(request.headers.prefer);
      const task = deps.tasks.restTaskFor(descriptor, preferAsync);
      if (descriptor?.execution?.taskSupport === 'required' && task === undefined)
        return fail(
          reply,
          GatewayErrorCode.BadRequest,
          preferAsync
            ? `Tool ${name} runs only as a task, and tasks are turned off on this gateway (EASYREMOTE_TASKS=off)`
            : `Tool ${name} runs only as a task: send Prefer: respond-async and follow the Location of the 202`,
        );
      const callId = randomUUID();
      const outcome = await deps.calls.run({
        tool: name,
        arguments: args,
        callId,
        via: 'rest',
        task,
        principal: request.principal,
        access: request.access,
        // Placement in the query (`?node=&label=k=v&strategy=`) and the Idempotency-Key header; the body stays the arguments.
        placementQuery: { query: request.query ?? {}, idempotencyKey: request.headers['idempotency-key'] },
      });
      if (outcome.kind === 'task' && task !== undefined) {
        // RFC 7240: the preference was honoured; the task is durable before this answer leaves.
        const { record, state } = await deps.tasks.record({
          task,
          tool: name,
          nodeId: outcome.nodeId,
          callId: outcome.callId,
          principal: request.principal,
          era: 'rest',
          retry: retryOf(descriptor, args, callerIdentity(request.principal, request.access), undefined),
        });
        return reply
          .code(202)
          .header('location', taskLocation(task.id))
          .header('preference-applied', 'respond-async')
          .send(restTask(record, state));
      }
      return renderRestOutcome(reply, name, outcome);
    },
  );
}

/** Whether a `Prefer` header (RFC 7240: comma-separated, case-insensitive tokens) asks for `respond-async`. */
function prefersAsync(header: string | string[] | undefined): boolean {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.some((value) =>
    value.split(',').some((preference) => preference.split(';')[0]!.trim().toLowerCase() === 'respond-async'),
  );
}

/** An outcome as the seed's REST answer: `{ result, node }`, or `{ error }` with the error table's status. */
function renderRestOutcome(reply: FastifyReply, name: string, outcome: CallOutcome): FastifyReply | RestResult {
  if (outcome.kind === 'failed') {
    if (outcome.headers) reply.headers(outcome.headers);
    return fail(reply, outcome.error.code, outcome.error.message);
  }
  if (outcome.kind === 'input')
    return fail(reply, GatewayErrorCode.InputRequired, `Tool ${name} needs input from an interactive MCP client`);
  if (outcome.kind === 'task')
    return fail(reply, GatewayErrorCode.BadNodeReply, `node ${outcome.nodeId} started a task nobody asked for`);
  const { result } = outcome;
  if (result.isError) {
    const text = result.content.map((block) => (typeof block.text === 'string' ? block.text : '')).join('\n');
    return fail(reply, GatewayErrorCode.ToolResultError, text || `Tool ${name} reported an error`);
  }
  return { result: result.structuredContent ?? restValue(result.content), node: outcome.nodeId };
}

interface RestResult {
  result: unknown;
  node: string | undefined;
}
