import { cpus } from 'node:os';
import type { EnvReader } from '../config/env-reader.js';
import { isLanguage, LANGUAGES, type Language } from './languages.js';

/** What the operator sets for `distributed_code_execution` (env, read once at start). */
export interface SandboxConfig {
  /** Languages this node runs (EASYREMOTE_SANDBOX_LANGUAGES); others are refused before anything runs. */
  readonly languages: readonly Language[];
  /** Run without bubblewrap when no sandbox works here (EASYREMOTE_ALLOW_UNSANDBOXED=1). */
  readonly allowUnsandboxed: boolean;
  /** bwrap binary (EASYREMOTE_SANDBOX_BWRAP); looked up on PATH when unset. */
  readonly bwrapPath: string | undefined;
  /** Interpreter per language (EASYREMOTE_SANDBOX_PYTHON, _NODE, _BASH); looked up on PATH when unset. */
  readonly interpreters: Readonly<Partial<Record<Language, string>>>;
  /** Uid/gid the sandbox runs as when the node runs as root (root ignores RLIMIT_NPROC). */
  readonly uid: number;
  readonly gid: number;
  readonly defaultMemoryBytes: number;
  readonly maxMemoryBytes: number;
  readonly defaultTimeoutSeconds: number;
  readonly maxTimeoutSeconds: number;
  /** RLIMIT_NPROC inside the sandbox: the fork-bomb bound. */
  readonly maxProcesses: number;
  /** Kept per stream (stdout, stderr); past it the program is stopped. */
  readonly maxOutputBytes: number;
  /** Size of the writable /tmp and /work tmpfs mounts (each), and the largest file the code may write. */
  readonly tmpBytes: number;
  readonly maxCodeBytes: number;
  /** Programs running at once on this node; further calls wait for a slot within their deadline. */
  readonly concurrency: number;
  /** PATH searched for bwrap and interpreters. */
  readonly searchPath: string;
}

export function readSandboxConfig(env: EnvReader): SandboxConfig {
  const languages = env.list('EASYREMOTE_SANDBOX_LANGUAGES') ?? [...LANGUAGES];
  for (const language of languages) {
    if (!isLanguage(language))
      env.problem(
        'EASYREMOTE_SANDBOX_LANGUAGES',
        `lists ${JSON.stringify(language)}; allowed: ${LANGUAGES.join(', ')}`,
      );
  }
  const maxMemoryBytes = env.bytes('EASYREMOTE_SANDBOX_MAX_MEMORY', 1024 ** 3, 16 * 1024 ** 2);
  const maxTimeoutSeconds = env.integer('EASYREMOTE_SANDBOX_MAX_TIMEOUT_S', 300, 1, 86_400);
  const interpreters: Partial<Record<Language, string>> = {};
  for (const language of LANGUAGES) {
    const path = env.string(`EASYREMOTE_SANDBOX_${language.toUpperCase()}`);
    if (path !== undefined) interpreters[language] = path;
  }
  return Object.freeze({
    languages: languages.filter(isLanguage),
    allowUnsandboxed: env.flag('EASYREMOTE_ALLOW_UNSANDBOXED', false),
    bwrapPath: env.string('EASYREMOTE_SANDBOX_BWRAP'),
    interpreters: Object.freeze(interpreters),
    uid: env.integer('EASYREMOTE_SANDBOX_UID', 65_534, 1),
    gid: env.integer('EASYREMOTE_SANDBOX_GID', 65_534, 1),
    defaultMemoryBytes: Math.min(
      env.bytes('EASYREMOTE_SANDBOX_MEMORY', 256 * 1024 ** 2, 16 * 1024 ** 2),
      maxMemoryBytes,
    ),
    maxMemoryBytes,
    defaultTimeoutSeconds: Math.min(env.integer('EASYREMOTE_SANDBOX_TIMEOUT_S', 30, 1, 86_400), maxTimeoutSeconds),
    maxTimeoutSeconds,
    maxProcesses: env.integer('EASYREMOTE_SANDBOX_MAX_PROCESSES', 64, 1, 100_000),
    maxOutputBytes: env.bytes('EASYREMOTE_SANDBOX_MAX_OUTPUT', 256 * 1024, 1024),
    tmpBytes: env.bytes('EASYREMOTE_SANDBOX_TMP_SIZE', 64 * 1024 ** 2, 1024 ** 2),
    maxCodeBytes: env.bytes('EASYREMOTE_SANDBOX_MAX_CODE', 256 * 1024, 1024),
    concurrency: env.integer('EASYREMOTE_SANDBOX_CONCURRENCY', Math.max(1, cpus().length), 1, 1024),
    searchPath: env.string('PATH') ?? '/usr/local/bin:/usr/bin:/bin',
  });
}
