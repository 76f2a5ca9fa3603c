import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ComputeNode } from './compute-node.js';
import { defineTool } from './define-tool.js';
import { NodeSdkErrorCode } from './errors.js';

const tool = (name: string) => defineTool({ name, input: Type.Object({}), handler: () => name });

describe('ComputeNode without a mesh', () => {
  it('lists registered tools and refuses duplicates, also within one batch', () => {
    const node = new ComputeNode({ servers: 'nats://127.0.0.1:4222', nodeId: 'unit' });
    node.register(tool('a'), tool('b'));
    expect(node.tools.map((t) => t.name)).toEqual(['a', 'b']);
    expect(node.nodeId).toBe('unit');
    expect(node.inFlight).toBe(0);
    const duplicate = expect.objectContaining({ code: NodeSdkErrorCode.DuplicateTool });
    expect(() => node.register(tool('a'))).toThrow(duplicate);
    expect(() => node.register(tool('c'), tool('c'))).toThrow(duplicate);
    // A failed batch registers none of its tools.
    expect(node.tools.map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('refuses objects that were not built by defineTool', () => {
    const node = new ComputeNode({ servers: 'nats://127.0.0.1:4222' });
    const fake = { name: 'x', descriptor: { name: 'x', inputSchema: { type: 'object' } } };
    expect(() => node.register(fake)).toThrow(expect.objectContaining({ code: NodeSdkErrorCode.InvalidTool }));
  });

  it('derives a node id and refuses registration once stopped', async () => {
    const node = new ComputeNode({ servers: 'nats://127.0.0.1:4222' });
    expect(node.nodeId).toMatch(/^[a-z0-9_-]+-[0-9a-f]{6}$/);
    await node.stop();
    expect(() => node.register(tool('late'))).toThrow(expect.objectContaining({ code: NodeSdkErrorCode.InvalidState }));
    await expect(node.start()).rejects.toMatchObject({ code: NodeSdkErrorCode.InvalidState });
  });
});
