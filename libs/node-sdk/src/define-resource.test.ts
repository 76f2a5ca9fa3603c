import { describe, expect, it } from 'vitest';
import { defineResource } from './define-resource.js';
import { defineResourceTemplate } from './define-resource-template.js';
import { compiledResourceTemplate } from './define-resource-template.js';
import { NodeSdkErrorCode } from './errors.js';
import { isNodeDefinition } from './node-catalog.js';

const read = () => 'x';

describe('defineResource', () => {
  it('builds an MCP resource descriptor and leaves optional fields out', () => {
    const full = defineResource({
      uri: 'test://static-text',
      name: 'static-text',
      title: 'Static Text',
      description: 'A static text resource',
      mimeType: 'text/plain',
      size: 12,
      annotations: { audience: ['user'], priority: 0.5 },
      icons: [{ src: 'https://example.com/i.png' }],
      read,
    });
    expect(full).toMatchObject({ kind: 'resource', uri: 'test://static-text', name: 'static-text' });
    expect(full.descriptor).toEqual({
      uri: 'test://static-text',
      name: 'static-text',
      title: 'Static Text',
      description: 'A static text resource',
      mimeType: 'text/plain',
      size: 12,
      annotations: { audience: ['user'], priority: 0.5 },
      icons: [{ src: 'https://example.com/i.png' }],
    });
    expect(defineResource({ uri: 'file:///srv/a.csv', name: 'a', read }).descriptor).toEqual({
      uri: 'file:///srv/a.csv',
      name: 'a',
    });
    expect(Object.isFrozen(full)).toBe(true);
    expect(isNodeDefinition(full)).toBe(true);
    expect(isNodeDefinition({ ...full })).toBe(false);
  });

  it.each([
    ['a URI without a scheme', { uri: 'static-text', name: 'n', read }, /absolute URI with a scheme/],
    ['a missing read function', { uri: 'test://x', name: 'n' }, /read must be a function/],
    ['an empty name', { uri: 'test://x', name: '', read }, /\/name/],
    ['a negative size', { uri: 'test://x', name: 'n', size: -1, read }, /\/size/],
  ])('rejects %s', (_what, spec, message) => {
    expect(() => defineResource(spec as never)).toThrow(
      expect.objectContaining({ code: NodeSdkErrorCode.InvalidResource, message: expect.stringMatching(message) }),
    );
  });
});

describe('defineResourceTemplate', () => {
  it('advertises the template and the variables it can complete', () => {
    const template = defineResourceTemplate({
      uriTemplate: 'test://template/{id}/data',
      name: 'template',
      mimeType: 'application/json',
      read,
      complete: { id: (value) => [`${value}1`] },
    });
    expect(template).toMatchObject({
      kind: 'resourceTemplate',
      uriTemplate: 'test://template/{id}/data',
      name: 'template',
    });
    expect(template.descriptor).toEqual({
      uriTemplate: 'test://template/{id}/data',
      name: 'template',
      mimeType: 'application/json',
      completable: ['id'],
    });
    const compiled = compiledResourceTemplate(template);
    expect(compiled.match('test://template/123/data')).toEqual({ id: '123' });
    expect(compiled.match('test://template/1/2/data')).toBeUndefined();
    expect(compiled.match('other://template/1/data')).toBeUndefined();
  });

  it.each([
    ['no expression', 'test://plain', /at least one \{variable\}/],
    ['an unclosed expression', 'test://{id}/{part', /invalid URI template \(Unclosed/],
  ])('rejects a template with %s', (_what, uriTemplate, message) => {
    expect(() => defineResourceTemplate({ uriTemplate, name: 'n', read })).toThrow(
      expect.objectContaining({ code: NodeSdkErrorCode.InvalidResource, message: expect.stringMatching(message) }),
    );
  });

  it('rejects completers for variables the template does not have', () => {
    expect(() =>
      defineResourceTemplate({ uriTemplate: 'test://{id}', name: 'n', read, complete: { other: () => [] } }),
    ).toThrow(/"other", which is not one of its template variables \(id\)/);
  });
});
