/** The languages `distributed_code_execution` accepts (the seed's allow-list). */
export const LANGUAGES = ['python', 'node', 'bash'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface LanguageSpec {
  /** Command names looked up on PATH when the operator names no interpreter. */
  readonly commands: readonly string[];
  /** Where the program is placed inside the sandbox. */
  readonly fileName: string;
  /** A program that prints exactly `ok`: the start-up self-test. */
  readonly probe: string;
  /** Interpreter arguments before the program file. */
  args(memoryBytes: number): string[];
  /**
   * Address space to allow on top of the memory limit. V8 reserves about 1 GiB of address space it
   * never touches, so node's real memory bound is its heap limit (--max-old-space-size) while
   * RLIMIT_AS only stops native allocations past limit + this headroom.
   */
  readonly addressSpaceHeadroom: number;
}

export const LANGUAGE_SPECS: Readonly<Record<Language, LanguageSpec>> = {
  python: {
    commands: ['python3', 'python'],
    fileName: 'main.py',
    probe: 'print("ok")',
    // -I: ignore PYTHON* variables and user site-packages; -B: write no .pyc; -u: unbuffered, so
    // output printed before a crash or a kill is not lost.
    args: () => ['-I', '-B', '-u'],
    addressSpaceHeadroom: 0,
  },
  node: {
    commands: ['node', 'nodejs'],
    fileName: 'main.js',
    probe: 'console.log("ok")',
    args: (memoryBytes) => [`--max-old-space-size=${Math.max(16, Math.floor(memoryBytes / 1024 ** 2))}`],
    addressSpaceHeadroom: 1536 * 1024 ** 2,
  },
  bash: {
    commands: ['bash'],
    fileName: 'main.sh',
    probe: 'echo ok',
    args: () => ['--noprofile', '--norc'],
    addressSpaceHeadroom: 0,
  },
};

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}
