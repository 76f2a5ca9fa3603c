import { activeTraceIds } from '@easyremote/telemetry';
import { pino, type Logger } from 'pino';

/** Where credentials may appear in what a process logs; redacted on every line. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.secret',
];

/**
 * A process's root logger: JSON lines (to `destination`, stdout by default; CLI commands pass
 * stderr so stdout stays for what they print), with `service` on every line, the active trace and
 * span ids inside a traced call, and credentials redacted wherever they appear.
 */
export function createProcessLogger(
  service: string,
  level: string,
  destination: NodeJS.WritableStream | number = process.stdout,
): Logger {
  return pino(
    {
      level,
      base: { service },
      mixin: activeTraceIds,
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    typeof destination === 'number' ? pino.destination(destination) : destination,
  );
}
