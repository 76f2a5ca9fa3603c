import { activeTraceIds } from '@easyremote/telemetry';
import { pino, type Logger as PinoLogger } from 'pino';

/** The gateway's root logger: JSON lines on stdout, credentials redacted wherever they appear. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): PinoLogger {
  return pino(
    {
      level,
      base: { service: 'easyremote-gateway' },
      // trace_id/span_id of the active span on every line written inside a traced request or call.
      mixin: activeTraceIds,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          '*.apiKey',
          '*.token',
          '*.password',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}
