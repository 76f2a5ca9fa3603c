import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { Semaphore } from '../semaphore.js';
import type { Language } from './languages.js';
import { launchProgram, type SandboxMode } from './program-launch.js';
import type { ProcessOutcome } from './run-process.js';
import type { SandboxConfig } from './sandbox-config.js';
import { probeSandbox, type SandboxStatus } from './sandbox-probe.js';

export interface SandboxRun extends ProcessOutcome {
  readonly mode: SandboxMode;
}

/**
 * The node's code runner: probes once (started at construction, so the self-test runs while the
 * node starts), then runs programs under the probed mode, at most `config.concurrency` at once.
 */
export class CodeSandbox {
  readonly config: SandboxConfig;
  readonly #status: Promise<SandboxStatus>;
  readonly #slots: Semaphore;

  constructor(config: SandboxConfig, options: { isRoot: boolean }) {
    this.config = config;
    this.#slots = new Semaphore(config.concurrency);
    this.#status = probeSandbox(config, options.isRoot).catch((error: unknown) => ({
      available: false as const,
      reason: `the sandbox self-test crashed: ${(error as Error).message}`,
    }));
  }

  status(): Promise<SandboxStatus> {
    return this.#status;
  }

  /** Runs `code`; throws ToolError when this node cannot run it at all. */
  async run(
    language: Language,
    code: string,
    limits: { memoryBytes: number; timeoutSeconds: number },
    signal: AbortSignal,
  ): Promise<SandboxRun> {
    const status = await this.#status;
    if (!status.available)
      throw new ToolError(
        ToolboxErrorCode.SandboxUnavailable,
        `code execution is disabled on this node: ${status.reason}`,
      );
    const interpreterPath = status.interpreters[language];
    if (interpreterPath === undefined) {
      throw new ToolError(
        ToolboxErrorCode.LanguageUnavailable,
        `${language} cannot run on this node: ${status.missing[language] ?? 'not allowed'}`,
      );
    }
    const release = await this.#slots.acquire(signal);
    try {
      const outcome = await launchProgram(status.host, this.config, {
        language,
        interpreterPath,
        code,
        ...limits,
        signal,
      });
      // bwrap reports its own failures as "bwrap: ..." before the program starts.
      if (outcome.exitCode !== 0 && outcome.stdout === '' && outcome.stderr.startsWith('bwrap: ')) {
        throw new ToolError(
          ToolboxErrorCode.SandboxFailed,
          `the sandbox failed to start the program: ${outcome.stderr.trim()}`,
        );
      }
      return { ...outcome, mode: status.host.mode };
    } catch (error) {
      if (error instanceof ToolError) throw error;
      throw new ToolError(
        ToolboxErrorCode.SandboxFailed,
        `the program could not be started: ${(error as Error).message}`,
      );
    } finally {
      release();
    }
  }
}
