import { activeTraceIds } from '@easyremote/telemetry';
import { pino, type Logger } from 'pino';

/** JSON logs on stderr for CLI-run processes (stdout stays free for what the command prints). */
export function createCliLogger(service: string, level: string): Logger {
  return pino(
    {
      level,
      base: { service },
      // trace_id/span_id of the active span on every line written inside a traced call.
      mixin: activeTraceIds,
      redact: {
        paths: ['*.apiKey', '*.token', '*.password', '*.secret', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
