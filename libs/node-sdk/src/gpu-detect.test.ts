import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectGpus, parseGpuList, parseNvidiaSmi } from './gpu-detect.js';

const MIB = 1024 * 1024;

describe('GPU detection', () => {
  it('parses nvidia-smi csv output (names may hold commas)', () => {
    const output = 'NVIDIA A100-SXM4-80GB, 81920\nNVIDIA GeForce RTX 4090, Founders, 24564\n\n';
    expect(parseNvidiaSmi(output)).toEqual([
      { name: 'NVIDIA A100-SXM4-80GB', memoryBytes: 81920 * MIB },
      { name: 'NVIDIA GeForce RTX 4090, Founders', memoryBytes: 24564 * MIB },
    ]);
    expect(parseNvidiaSmi('No devices were found')).toEqual([]);
  });

  it('parses the operator override list', () => {
    expect(parseGpuList('none')).toEqual([]);
    expect(parseGpuList('')).toEqual([]);
    expect(parseGpuList('2xA100:80, T4:16')).toEqual([
      { name: 'A100', memoryBytes: 80 * MIB },
      { name: 'A100', memoryBytes: 80 * MIB },
      { name: 'T4', memoryBytes: 16 * MIB },
    ]);
    expect(() => parseGpuList('A100')).toThrow(/name:memoryMiB/);
  });

  it('finds no GPU when nvidia-smi is missing', async () => {
    expect(await detectGpus('/nonexistent/nvidia-smi')).toEqual([]);
  });

  it('runs an nvidia-smi it is pointed at and reads its answer (a script speaking its CSV output)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'er-gpu-'));
    try {
      const script = join(dir, 'nvidia-smi');
      writeFileSync(script, '#!/bin/sh\necho "NVIDIA L4, 23034"\n');
      chmodSync(script, 0o755);
      expect(await detectGpus(script)).toEqual([{ name: 'NVIDIA L4', memoryBytes: 23034 * MIB }]);
      // Present but not executable: no GPU.
      chmodSync(script, 0o644);
      expect(await detectGpus(script)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
