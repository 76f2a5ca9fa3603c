import { createProcessLogger } from '@easyremote/runtime';
import type { Logger as PinoLogger } from 'pino';

/** The gateway's root logger (libs/runtime's process logger): JSON lines on stdout, credentials redacted. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): PinoLogger {
  return createProcessLogger('easyremote-gateway', level, destination ?? process.stdout);
}
