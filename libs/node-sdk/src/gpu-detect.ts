import { accessSync, constants } from 'node:fs';
import type { GpuInfo } from '@easyremote/protocol';

const MIB = 1024 * 1024;

/** The command whose output `parseNvidiaSmi` reads (memory in MiB, no header, no units). */
export const NVIDIA_SMI_ARGS = ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'] as const;

/** Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`: one `name, MiB` line per GPU. */
export function parseNvidiaSmi(output: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of output.split('\n')) {
    const cut = line.lastIndexOf(',');
    if (cut < 0) continue;
    const name = line.slice(0, cut).trim();
    const mib = Number(line.slice(cut + 1).trim());
    if (name !== '' && Number.isFinite(mib) && mib >= 0) gpus.push({ name, memoryBytes: Math.round(mib * MIB) });
  }
  return gpus;
}

/**
 * Parses an operator's GPU list, e.g. the CLI's `EASYREMOTE_NODE_GPUS`: `none` (or empty) for no GPU,
 * or comma-separated `name:memoryMiB` entries, each optionally prefixed with a count (`2xA100:81920`).
 * Throws TypeError naming the bad entry.
 */
export function parseGpuList(spec: string): GpuInfo[] {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none' || trimmed === '0') return [];
  const gpus: GpuInfo[] = [];
  for (const entry of trimmed
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^(?:(\d+)x)?([^:]+):(\d+(?:\.\d+)?)$/.exec(entry);
    if (match === null)
      throw new TypeError(
        `invalid GPU entry ${JSON.stringify(entry)}: use name:memoryMiB, optionally 2xname:memoryMiB`,
      );
    const count = match[1] === undefined ? 1 : Number(match[1]);
    for (let i = 0; i < count; i++)
      gpus.push({ name: (match[2] ?? '').trim(), memoryBytes: Math.round(Number(match[3]) * MIB) });
  }
  return gpus;
}

/** Files one of which exists on Linux when an NVIDIA driver is loaded (natively, or WSL's GPU bridge). */
const NVIDIA_DRIVER_FILES = ['/proc/driver/nvidia/version', '/dev/nvidiactl', '/dev/dxg'];

function accessible(file: string, mode: number): boolean {
  try {
    accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether running `command` can find a GPU: an explicit path must be an executable file; the plain
 * name, on Linux, needs a loaded NVIDIA driver (without one nvidia-smi reports nothing anyway).
 */
function worthRunning(command: string): boolean {
  if (command.includes('/')) return accessible(command, constants.X_OK);
  if (process.platform !== 'linux') return true;
  return NVIDIA_DRIVER_FILES.some((file) => accessible(file, constants.F_OK));
}

/**
 * Runs `nvidia-smi` (5 s limit); no binary, a failure or no GPU all mean `[]`. Most nodes have no
 * NVIDIA driver: then nothing is spawned and child_process is never loaded.
 */
export async function detectGpus(command = 'nvidia-smi'): Promise<GpuInfo[]> {
  if (!worthRunning(command)) return [];
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(command, [...NVIDIA_SMI_ARGS], { timeout: 5_000, windowsHide: true }, (error, stdout) => {
      resolve(error ? [] : parseNvidiaSmi(String(stdout)));
    });
  });
}
