import type { FastifyInstance } from 'fastify';
import { GatewayErrorCode } from '../errors.js';
import { isJsonRpcPath } from '../auth/challenge.js';

export interface InputLimits {
  /** Deepest nesting of arrays/objects accepted in a body. */
  maxDepth: number;
  /** Longest string (in UTF-16 code units, after unescaping is not considered) accepted in a body. */
  maxStringLength: number;
}

/**
 * One pass over JSON text, counting nesting outside strings and the length of each string, so an
 * over-deep or over-long body is refused before anything walks it. Returns the problem, if any.
 */
export function scanJsonText(text: string, limits: InputLimits): string | undefined {
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index += 1; // backslash: skip the escaped character
      else if (char === 0x22) {
        inString = false;
        if (index - stringStart > limits.maxStringLength) return `a string is longer than ${limits.maxStringLength} characters`;
      }
    } else if (char === 0x22) {
      inString = true;
      stringStart = index + 1;
    } else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > limits.maxDepth) return `the JSON nests deeper than ${limits.maxDepth} levels`;
    } else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  if (inString && text.length - stringStart > limits.maxStringLength) return `a string is longer than ${limits.maxStringLength} characters`;
  return undefined;
}

/** The same limits over an already parsed value (REST bodies, which fastify parses). */
export function checkJsonValue(value: unknown, limits: InputLimits, depth = 0): string | undefined {
  if (typeof value === 'string') return value.length > limits.maxStringLength ? `a string is longer than ${limits.maxStringLength} characters` : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth + 1 > limits.maxDepth) return `the JSON nests deeper than ${limits.maxDepth} levels`;
  for (const [key, item] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    const problem = (typeof key === 'string' ? checkJsonValue(key, limits, depth) : undefined) ?? checkJsonValue(item, limits, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Refuses bodies over the depth or string-length limit with 400 (a JSON-RPC error on /mcp), before any handler runs. */
export function registerInputLimits(app: FastifyInstance, limits: InputLimits): void {
  // Callback style: it runs on every request, and a hook's promise costs more than the scan.
  app.addHook('preHandler', (request, reply, done) => {
    const body = request.body;
    const problem = body === undefined || body === null ? undefined : typeof body === 'string' ? scanJsonText(body, limits) : checkJsonValue(body, limits);
    if (!problem) {
      done();
      return;
    }
    const message = `Bad Request: ${problem}`;
    reply.code(400).header('content-type', 'application/json');
    if (isJsonRpcPath(request)) {
      reply.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message, data: { code: GatewayErrorCode.InputLimit } } }));
      return;
    }
    reply.send(JSON.stringify({ error: { code: GatewayErrorCode.InputLimit, message } }));
  });
}
