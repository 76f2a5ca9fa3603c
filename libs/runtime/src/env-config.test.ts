import { Type, type Static } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, envConfigLoader } from './env-config.js';

const Schema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  ratio: Type.Number({ minimum: 0 }),
  hosts: Type.Array(Type.String({ minLength: 1 })),
  labels: Type.Record(Type.String(), Type.String()),
  name: Type.Optional(Type.String({ minLength: 1 })),
  size: Type.Optional(Type.Integer({ minimum: 1 })),
});
type Settings = Static<typeof Schema>;

const load = envConfigLoader<Settings>({
  schema: Schema,
  what: 'test',
  code: 'TEST_ERR_CONFIG',
  variables: [
    { env: 'PORT', key: 'port', kind: 'int', fallback: '8080' },
    { env: 'RATIO', key: 'ratio', kind: 'number', fallback: '0.5' },
    { env: 'HOSTS', key: 'hosts', kind: 'list', fallback: '' },
    { env: 'LABELS', key: 'labels', kind: 'labels', fallback: '' },
    { env: 'NAME', key: 'name', kind: 'string' },
    {
      env: 'SIZE',
      key: 'size',
      kind: 'string',
      parse: (raw) => {
        if (!/^\d+k$/.test(raw)) throw new Error(`invalid size ${JSON.stringify(raw)}`);
        return Number(raw.slice(0, -1)) * 1024;
      },
    },
  ],
});

describe('envConfigLoader', () => {
  it('reads each kind, applies defaults, leaves unset optional settings out, and freezes the result', () => {
    const settings = load({ HOSTS: ' a.example, ,b.example', LABELS: 'zone=eu, gpu=a=b', SIZE: '4k' });
    expect(settings).toEqual({
      port: 8080,
      ratio: 0.5,
      hosts: ['a.example', 'b.example'],
      labels: { zone: 'eu', gpu: 'a=b' },
      size: 4096,
    });
    expect('name' in settings).toBe(false);
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('lets overrides win over the environment and checks them the same way', () => {
    expect(load({ PORT: '1' }, { port: 2 }).port).toBe(2);
    expect(() => load({}, { port: 70_000 })).toThrow(/PORT=70000/);
  });

  it('names every bad variable with the text the operator wrote, under the stable code', () => {
    let thrown: unknown;
    try {
      load({ PORT: 'eighty', RATIO: '-1', SIZE: 'big', NAME: '' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.code).toBe('TEST_ERR_CONFIG');
    expect(error.problems[0]).toBe('SIZE="big": invalid size "big"');
    expect(error.message).toMatch(/^invalid test configuration:/);
    for (const part of ['PORT="eighty"', 'RATIO="-1"', 'NAME=""']) expect(error.message).toContain(part);
    expect(error.problems).toHaveLength(4);
  });
});
