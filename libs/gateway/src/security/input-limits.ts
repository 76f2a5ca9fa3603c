import type { FastifyInstance, FastifyRequest } from 'fastify';
import { renderingOf } from '../error-table.js';
import { GatewayErrorCode } from '../errors.js';
import { isJsonRpcPath } from '../auth/oauth-resource.js';

export interface InputLimits {
  /** Deepest nesting of arrays/objects accepted in a body. */
  maxDepth: number;
  /** Longest string (in UTF-16 code units, after unescaping is not considered) accepted in a body. */
  maxStringLength: number;
  /** Most members of one object accepted in a body. */
  maxKeys: number;
  /** Most items of one array accepted in a body. */
  maxItems: number;
}

/**
 * One pass over JSON text, counting nesting, the members of each object and items of each array
 * (separators at that level) outside strings, and the length of each string, so an over-deep,
 * over-wide or over-long body is refused before anything parses or walks it. Returns the problem, if any.
 */
export function scanJsonText(text: string, limits: InputLimits): string | undefined {
  // Per open container: how many entries it holds so far (0 until its first value), and its kind.
  const entries = new Int32Array(limits.maxDepth + 2);
  const isObject = new Uint8Array(limits.maxDepth + 2);
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (char === 0x22) {
        inString = false;
        if (index - stringStart > limits.maxStringLength)
          return `a string is longer than ${limits.maxStringLength} characters`;
      }
      continue;
    }
    if (char === 0x20 || char === 0x0a || char === 0x0d || char === 0x09) continue;
    if (depth > 0 && entries[depth] === 0 && char !== 0x7d && char !== 0x5d) entries[depth] = 1;
    if (char === 0x22) {
      inString = true;
      stringStart = index + 1;
    } else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > limits.maxDepth) return `the JSON nests deeper than ${limits.maxDepth} levels`;
      entries[depth] = 0;
      isObject[depth] = char === 0x7b ? 1 : 0;
    } else if (char === 0x7d || char === 0x5d) {
      if (depth > 0) depth -= 1;
    } else if (char === 0x2c && depth > 0) {
      const count = (entries[depth] ?? 0) + 1;
      entries[depth] = count;
      if (isObject[depth] === 1 ? count > limits.maxKeys : count > limits.maxItems)
        return wideProblem(isObject[depth] === 1, limits);
    }
  }
  if (inString && text.length - stringStart > limits.maxStringLength)
    return `a string is longer than ${limits.maxStringLength} characters`;
  return undefined;
}

function wideProblem(object: boolean, limits: InputLimits): string {
  return object
    ? `an object has more than ${limits.maxKeys} members`
    : `an array has more than ${limits.maxItems} items`;
}

/** The same limits over an already parsed value (REST bodies, which fastify parses). */
export function checkJsonValue(value: unknown, limits: InputLimits, depth = 0): string | undefined {
  if (typeof value === 'string')
    return value.length > limits.maxStringLength
      ? `a string is longer than ${limits.maxStringLength} characters`
      : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth + 1 > limits.maxDepth) return `the JSON nests deeper than ${limits.maxDepth} levels`;
  if (Array.isArray(value) ? value.length > limits.maxItems : Object.keys(value).length > limits.maxKeys)
    return wideProblem(!Array.isArray(value), limits);
  for (const [key, item] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    const problem =
      (typeof key === 'string' ? checkJsonValue(key, limits, depth) : undefined) ??
      checkJsonValue(item, limits, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Problems found while parsing a REST body, so the refusal below need not scan it again. */
const parseProblems = new WeakMap<FastifyRequest, string>();

/**
 * Refuses bodies over the depth, width or string-length limits with 400 (a JSON-RPC error on /mcp),
 * before validation or any handler runs. JSON bodies are scanned as text before they are parsed, so
 * a property flood costs one linear pass, not a huge object and a walk over it.
 */
export function registerInputLimits(app: FastifyInstance, limits: InputLimits): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const problem = scanJsonText(text, limits);
    if (problem === undefined) return parseJson(request, text, done);
    parseProblems.set(request, problem);
    done(null, undefined);
  });
  // Callback style: it runs on every request, and a hook's promise costs more than the scan.
  app.addHook('preValidation', (request, reply, done) => {
    const body = request.body;
    const problem =
      parseProblems.get(request) ??
      (body === undefined || body === null
        ? undefined
        : typeof body === 'string'
          ? scanJsonText(body, limits)
          : checkJsonValue(body, limits));
    if (!problem) {
      done();
      return;
    }
    const message = `Bad Request: ${problem}`;
    const rendering = renderingOf(GatewayErrorCode.InputLimit);
    reply.code(rendering.http).header('content-type', 'application/json');
    if (isJsonRpcPath(request)) {
      reply.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: { code: rendering.jsonRpc, message, data: { code: GatewayErrorCode.InputLimit } },
        }),
      );
      return;
    }
    reply.send(JSON.stringify({ error: { code: GatewayErrorCode.InputLimit, message } }));
  });
}
