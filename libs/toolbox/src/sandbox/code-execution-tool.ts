import { defineTool, ToolError, type ToolDefinition } from '@easyremote/node-sdk';
import { Type } from 'typebox';
import { BYTE_SIZE_PATTERN, formatByteSize } from '../config/byte-size.js';
import { ToolboxErrorCode } from '../errors.js';
import type { CodeSandbox } from './code-sandbox.js';
import { resolveLimits } from './limits.js';
import { Termination } from './run-process.js';

const Requirements = Type.Object(
  {
    memory: Type.Optional(
      Type.Union([Type.String({ pattern: BYTE_SIZE_PATTERN }), Type.Integer({ minimum: 1 })], {
        description: 'Memory limit: bytes or a size such as "512MB" or "4GB" (clamped to the node maximum)',
      }),
    ),
    timeout: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        description: 'Wall-clock and CPU-time limit in seconds (clamped to the node maximum)',
      }),
    ),
  },
  { additionalProperties: false },
);

const SIGXCPU_EXIT = 128 + 24;
const SIGXFSZ_EXIT = 128 + 25;

/** Why a run ended, as the result reports it; `cpu_time`/`file_size` are read from the exit status. */
function termination(reason: string, exitCode: number): string {
  if (reason !== Termination.Exited && reason !== Termination.Signal) return reason;
  if (exitCode === SIGXCPU_EXIT) return 'cpu_time';
  if (exitCode === SIGXFSZ_EXIT) return 'file_size';
  return reason;
}

function limitNote(
  ended: string,
  limits: { memoryBytes: number; timeoutSeconds: number },
  maxOutput: number,
): string | undefined {
  switch (ended) {
    case 'wall_time':
      return `wall-time limit of ${limits.timeoutSeconds} s exceeded: the program was killed`;
    case 'cpu_time':
      return `CPU-time limit of ${Math.ceil(limits.timeoutSeconds)} s exceeded: the program was killed`;
    case 'output_limit':
      return `output passed the limit of ${formatByteSize(maxOutput)} per stream: the program was stopped`;
    case 'file_size':
      return 'file-size limit exceeded: the program was killed';
    default:
      return undefined;
  }
}

/** `distributed_code_execution`: the seed's sandboxed code runner (see the toolbox README for the security model). */
export function createCodeExecutionTool(sandbox: CodeSandbox): ToolDefinition {
  const { config } = sandbox;
  return defineTool({
    name: 'distributed_code_execution',
    title: 'Sandboxed code execution',
    description:
      'Runs a Python, Node.js or Bash program in a sandbox on a compute node (no network, read-only system, private temp dir, memory, CPU-time and wall-time limits) and returns its output, errors and exit code.',
    input: Type.Object(
      {
        code: Type.String({ minLength: 1, maxLength: config.maxCodeBytes, description: 'The program source' }),
        language: Type.Enum(['python', 'node', 'bash'], {
          type: 'string',
          default: 'python',
          description: 'Interpreter to run it with',
        }),
        requirements: Type.Optional(Requirements),
      },
      { additionalProperties: false },
    ),
    output: Type.Object({
      output: Type.String({ description: 'Standard output' }),
      errors: Type.String({ description: 'Standard error, plus a note when a limit stopped the program' }),
      execution_time: Type.Number({ description: 'Wall-clock seconds' }),
      exit_code: Type.Integer({ description: 'Exit status; 128 + signal number when a signal ended the program' }),
      node_used: Type.String(),
      termination: Type.String({ description: 'exited, signal, wall_time, cpu_time, file_size or output_limit' }),
      sandbox: Type.String({ description: 'bubblewrap, or unsandboxed where the operator allowed it' }),
      limits: Type.Object({
        memory_bytes: Type.Integer(),
        timeout_seconds: Type.Number(),
        clamped: Type.Array(Type.String()),
      }),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    metadata: { category: 'computation', tags: ['sandbox', 'code'], securityLevel: 'high' },
    // Past the largest wall-time limit, so the node's deadline never cuts a run the sandbox would finish.
    timeoutMs: (config.maxTimeoutSeconds + 15) * 1000,
    // Long work: a client that can follow a task gets one (durable, readable on any replica).
    task: { support: 'optional' },
    handler: async ({ code, language, requirements }, ctx) => {
      // The seed's security validation, before anything runs. There is deliberately no pattern
      // matching on the source: the sandbox is the boundary, and such filters are easy to evade.
      const bytes = Buffer.byteLength(code, 'utf8');
      if (bytes > config.maxCodeBytes)
        throw new ToolError(
          ToolboxErrorCode.CodeRejected,
          `code is ${bytes} bytes; this node accepts at most ${config.maxCodeBytes}`,
        );
      if (code.includes('\0')) throw new ToolError(ToolboxErrorCode.CodeRejected, 'code contains NUL characters');
      if (!config.languages.includes(language)) {
        throw new ToolError(
          ToolboxErrorCode.LanguageUnavailable,
          `${language} is not allowed on this node (allowed: ${config.languages.join(', ') || 'none'})`,
        );
      }
      const limits = resolveLimits(requirements, config);
      const run = await sandbox.run(language, code, limits, ctx.signal);
      const ended = termination(run.termination, run.exitCode);
      const note = limitNote(ended, limits, config.maxOutputBytes);
      const errors =
        note === undefined
          ? run.stderr
          : `${run.stderr}${run.stderr === '' || run.stderr.endsWith('\n') ? '' : '\n'}[sandbox] ${note}\n`;
      return {
        output: run.stdout,
        errors,
        execution_time: Math.round(run.durationMs) / 1000,
        exit_code: run.exitCode,
        node_used: ctx.nodeId,
        termination: ended,
        sandbox: run.mode,
        limits: {
          memory_bytes: limits.memoryBytes,
          timeout_seconds: limits.timeoutSeconds,
          clamped: [...limits.clamped],
        },
      };
    },
  });
}
