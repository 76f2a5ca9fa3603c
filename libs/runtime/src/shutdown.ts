/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits. A second signal while stopping exits at once,
 * so a stuck shutdown never traps the user.
 */
export function onShutdown(stop: () => Promise<void>, log: (message: string) => void): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: shutting down`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/**
 * A program's top level: runs `main`, and if it fails prints `<program>: <message> [<code>]` on
 * stderr and exits 1, so a bad setting reads as one line naming its stable code, never a stack.
 */
export function runMain(program: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const code =
      typeof error === 'object' && error !== null && 'code' in error
        ? ` [${String((error as { code: unknown }).code)}]`
        : '';
    process.stderr.write(`${program}: ${error instanceof Error ? error.message : String(error)}${code}\n`);
    process.exit(1);
  });
}
