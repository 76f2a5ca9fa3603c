import { startNats } from '@easyremote/nats-launcher';
import { ComputeNode, defineTool, ToolError } from '@easyremote/node-sdk';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { connectRemote } from './remote.js';

const tools = [
  defineTool({
    name: 'distributed_llm_inference',
    input: Type.Object({ prompt: Type.String(), max_tokens: Type.Optional(Type.Integer()) }),
    output: Type.Object({ text: Type.String(), tokens_generated: Type.Integer() }),
    handler: ({ prompt }, context) => ({
      text: `${context.nodeId}: ${prompt.toUpperCase()}`,
      tokens_generated: prompt.split(' ').length,
    }),
  }),
  defineTool({ name: 'plain', input: Type.Object({}), handler: () => 'just text' }),
  defineTool({
    name: 'refuses',
    input: Type.Object({}),
    handler: () => {
      throw new ToolError('TOOL_ERR_QUOTA', 'quota exhausted');
    },
  }),
];

describe('remote(): direct typed calls over NATS', () => {
  it('calls any node serving the tool, or a named node, and returns the structured result', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const node = new ComputeNode({ servers: nats.url, nodeId: 'mcp-ai-tools', heartbeatMs: 500 });
    node.register(...tools);
    await node.start();
    await using mesh = await connectRemote({ servers: nats.url });
    try {
      const infer = mesh.remote<{ prompt: string; max_tokens?: number }, { text: string; tokens_generated: number }>(
        'distributed_llm_inference',
      );
      expect(await infer({ prompt: 'hello mesh' })).toEqual({ text: 'mcp-ai-tools: HELLO MESH', tokens_generated: 2 });
      // The seed's remote("mcp-ai-tools", "distributed_llm_inference"): pinned to a node.
      const pinned = mesh.remote<{ prompt: string }, { text: string }>('distributed_llm_inference', {
        node: 'mcp-ai-tools',
      });
      expect((await pinned({ prompt: 'x' })).text).toBe('mcp-ai-tools: X');
      expect(await mesh.call('plain', {})).toBe('just text');
    } finally {
      await node.stop();
    }
  });

  it('failures carry the mesh error code', async () => {
    await using nats = await startNats({ path: process.env.PATH });
    const node = new ComputeNode({ servers: nats.url, nodeId: 'n1', heartbeatMs: 500 });
    node.register(...tools);
    await node.start();
    await using mesh = await connectRemote({ servers: nats.url });
    try {
      await expect(mesh.call('refuses', {})).rejects.toMatchObject({
        code: 'TOOL_ERR_QUOTA',
        message: 'quota exhausted',
      });
      await expect(mesh.call('distributed_llm_inference', { prompt: 3 })).rejects.toMatchObject({
        code: 'NODE_ERR_INVALID_ARGUMENTS',
      });
      await expect(mesh.call('no_such_tool', {}, { timeoutMs: 2_000 })).rejects.toMatchObject({
        code: 'MESH_ERR_NO_RESPONDERS',
      });
    } finally {
      await node.stop();
    }
  });
});
