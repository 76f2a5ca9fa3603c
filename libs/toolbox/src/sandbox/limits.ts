import { ToolError } from '@easyremote/node-sdk';
import { formatByteSize, parseByteSize } from '../config/byte-size.js';
import { ToolboxErrorCode } from '../errors.js';
import type { SandboxConfig } from './sandbox-config.js';

/** The seed's `requirements` (its VS Code example sends `{ memory: '4GB', timeout: 300 }`). */
export interface CodeRequirements {
  /** Memory limit: bytes, or a size such as `512MB` / `4GB`. */
  memory?: string | number;
  /** Wall-clock limit in seconds (CPU time gets the same bound). */
  timeout?: number;
}

export interface SandboxLimits {
  readonly memoryBytes: number;
  readonly timeoutSeconds: number;
  /** Requirements lowered to the operator's maxima, in words (reported in the result's `limits.clamped`). */
  readonly clamped: readonly string[];
}

/** Maps requirements to limits: defaults where absent, clamped to the operator's maxima. */
export function resolveLimits(requirements: CodeRequirements | undefined, config: SandboxConfig): SandboxLimits {
  const clamped: string[] = [];
  let memoryBytes = config.defaultMemoryBytes;
  if (requirements?.memory !== undefined) {
    const asked = parseByteSize(requirements.memory);
    if (asked === undefined || asked === 0) {
      throw new ToolError(
        ToolboxErrorCode.InvalidRequirements,
        `requirements.memory must be a size such as "512MB" or "4GB", got ${JSON.stringify(requirements.memory)}`,
      );
    }
    memoryBytes = Math.min(asked, config.maxMemoryBytes);
    if (asked > config.maxMemoryBytes)
      clamped.push(`memory lowered to this node's maximum of ${formatByteSize(config.maxMemoryBytes)}`);
  }
  let timeoutSeconds = config.defaultTimeoutSeconds;
  if (requirements?.timeout !== undefined) {
    const asked = requirements.timeout;
    if (!Number.isFinite(asked) || asked <= 0) {
      throw new ToolError(
        ToolboxErrorCode.InvalidRequirements,
        `requirements.timeout must be a positive number of seconds, got ${String(asked)}`,
      );
    }
    timeoutSeconds = Math.min(asked, config.maxTimeoutSeconds);
    if (asked > config.maxTimeoutSeconds)
      clamped.push(`timeout lowered to this node's maximum of ${config.maxTimeoutSeconds} s`);
  }
  return { memoryBytes, timeoutSeconds, clamped };
}
