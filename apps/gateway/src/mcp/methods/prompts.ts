import type { PromptDescriptor } from '@easyremote/protocol';
import type { McpCallContext } from '../call-context.js';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { McpProtocolError } from '../protocol-error.js';
import { paginate } from '../pagination.js';
import type { McpServices } from '../services.js';
import { runOnNode } from './node-result.js';

function mcpPrompt(descriptor: PromptDescriptor): Record<string, unknown> {
  const { completable: _completable, ...rest } = descriptor;
  return rest;
}

export function listPrompts(params: Record<string, unknown>, services: McpServices): Record<string, unknown> {
  const all = services.registry.prompts().map((entry) => mcpPrompt(entry.descriptor));
  const { page, nextCursor } = paginate(all, params.cursor, services.pageSize);
  return nextCursor === undefined ? { prompts: page } : { prompts: page, nextCursor };
}

export async function getPrompt(
  params: Record<string, unknown>,
  context: McpCallContext,
  services: McpServices,
): Promise<Record<string, unknown>> {
  const name = params.name;
  if (typeof name !== 'string' || name.length === 0)
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'prompts/get needs a string "name"');
  const entry = services.registry.prompt(name);
  if (!entry) throw new McpProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  const args = params.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    throw new McpProtocolError(ProtocolErrorCode.InvalidParams, 'prompts/get "arguments" must be an object of strings');
  }
  return runOnNode('prompts/get', name, params, entry.providers, context, services, `Prompt ${name}`);
}
