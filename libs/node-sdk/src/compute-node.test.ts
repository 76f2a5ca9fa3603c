import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ComputeNode } from './compute-node.js';
import { definePrompt } from './define-prompt.js';
import { defineResource } from './define-resource.js';
import { defineResourceTemplate } from './define-resource-template.js';
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
    expect(() => node.register(fake as never)).toThrow(expect.objectContaining({ code: NodeSdkErrorCode.InvalidTool }));
  });

  it('derives a node id and refuses registration once stopped', async () => {
    const node = new ComputeNode({ servers: 'nats://127.0.0.1:4222' });
    expect(node.nodeId).toMatch(/^[a-z0-9_-]+-[0-9a-f]{6}$/);
    await node.stop();
    expect(() => node.register(tool('late'))).toThrow(expect.objectContaining({ code: NodeSdkErrorCode.InvalidState }));
    await expect(node.start()).rejects.toMatchObject({ code: NodeSdkErrorCode.InvalidState });
  });
});

describe('ComputeNode catalogue', () => {
  const resource = (uri: string) => defineResource({ uri, name: uri, read: () => uri });
  const template = (uriTemplate: string) => defineResourceTemplate({ uriTemplate, name: uriTemplate, read: () => '' });
  const prompt = (name: string) => definePrompt({ name, get: () => name });

  it('registers tools, resources, templates and prompts, each in its own namespace', () => {
    const node = new ComputeNode({ servers: 'nats://127.0.0.1:4222', nodeId: 'unit' });
    node.register(tool('same'), resource('test://same'), template('test://{same}'), prompt('same'));
    expect(node.tools.map((d) => d.name)).toEqual(['same']);
    expect(node.resources.map((d) => d.uri)).toEqual(['test://same']);
    expect(node.resourceTemplates.map((d) => d.uriTemplate)).toEqual(['test://{same}']);
    expect(node.prompts.map((d) => d.name)).toEqual(['same']);
  });

  it('refuses duplicates per kind and registers nothing of a failed batch', () => {
    const node = new ComputeNode({ servers: 'nats://127.0.0.1:4222', nodeId: 'unit' });
    node.register(resource('test://a'), template('test://{a}'), prompt('p'));
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => node.register(tool('t'), resource('test://a'))).toThrow(code(NodeSdkErrorCode.DuplicateResource));
    expect(() => node.register(template('test://{a}'))).toThrow(code(NodeSdkErrorCode.DuplicateResource));
    expect(() => node.register(prompt('q'), prompt('q'))).toThrow(code(NodeSdkErrorCode.DuplicatePrompt));
    expect(node.tools).toEqual([]);
    expect(node.prompts.map((d) => d.name)).toEqual(['p']);
  });

  it('cannot announce resource updates before it runs', () => {
    const node = new ComputeNode({ servers: 'nats://127.0.0.1:4222' });
    expect(() => node.notifyResourceUpdated('test://a')).toThrow(
      expect.objectContaining({ code: NodeSdkErrorCode.InvalidState }),
    );
  });
});
