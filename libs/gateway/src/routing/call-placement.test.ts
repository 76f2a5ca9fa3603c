import { describe, expect, it } from 'vitest';
import { GatewayErrorCode } from '../errors.js';
import { placementFromMeta, placementFromQuery } from './call-placement.js';

const META = 'easyremote/placement';

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('placementFromMeta', () => {
  it('accepts the known keys and a call requirements object', () => {
    const placement = placementFromMeta({
      [META]: {
        labels: { zone: 'a' },
        strategy: 'random',
        requirements: { gpu: true, memoryBytes: 1024, cpus: 2, model: 'm' },
      },
    });
    expect(placement.constraints).toEqual({
      labels: { zone: 'a' },
      strategy: 'random',
      requirements: { gpu: true, memoryBytes: 1024, cpus: 2, model: 'm' },
    });
  });

  it('refuses an unknown top-level key, naming it and pointing a requirement to requirements', () => {
    const error = refusal(() => placementFromMeta({ [META]: { gpu: true } }));
    expect(error.code).toBe(GatewayErrorCode.InvalidPlacement);
    expect(error.message).toContain('unknown key "gpu"');
    expect(error.message).toContain('{"requirements":{"gpu":…}}');
    expect(refusal(() => placementFromMeta({ [META]: { nodeid: 'x' } })).message).toContain(
      'unknown key "nodeid" (allowed: nodeId, labels, strategy, requirements)',
    );
  });

  it('refuses an unknown or ill-typed requirement', () => {
    const unknown = refusal(() => placementFromMeta({ [META]: { requirements: { gpus: 2 } } }));
    expect(unknown).toMatchObject({ code: GatewayErrorCode.InvalidPlacement });
    expect(unknown.message).toContain(
      `Invalid ${META}.requirements: unknown key "gpus" (allowed: gpu, memoryBytes, cpus, model)`,
    );
    const typed = refusal(() => placementFromMeta({ [META]: { requirements: { memoryBytes: '8GiB' } } }));
    expect(typed).toMatchObject({ code: GatewayErrorCode.InvalidPlacement });
    expect(typed.message).toContain('/requirements/memoryBytes');
  });
});

describe('placementFromQuery', () => {
  it('turns gpu, memory, cpus and model into the call requirements', () => {
    expect(
      placementFromQuery({ gpu: 'true', memory: '8GiB', cpus: '4', model: 'llama' }, undefined).constraints,
    ).toEqual({
      requirements: { gpu: true, memoryBytes: 8 * 1024 ** 3, cpus: 4, model: 'llama' },
    });
    expect(placementFromQuery({ gpu: '2', node: 'n1' }, undefined).constraints).toEqual({
      nodeId: 'n1',
      requirements: { gpu: { count: 2 } },
    });
  });

  it('refuses unknown parameters and bad values with GW_ERR_INVALID_PLACEMENT', () => {
    for (const [query, text] of [
      [{ gpus: 'true' }, 'Unknown query parameter "gpus"'],
      [{ gpu: 'yes' }, 'gpu must be true, false or a GPU count'],
      [{ memory: 'lots' }, 'memory: invalid size "lots"'],
      [{ cpus: '0' }, 'cpus must be a positive integer'],
      [{ model: ['a', 'b'] }, 'model may be given once'],
    ] as const) {
      const error = refusal(() => placementFromQuery(query, undefined));
      expect(error.code).toBe(GatewayErrorCode.InvalidPlacement);
      expect(error.message).toContain(text);
    }
  });
});
