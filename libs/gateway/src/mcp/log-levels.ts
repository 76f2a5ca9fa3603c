/** RFC 5424 severities in MCP's order, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** True when a message at `level` should reach a client that asked for `minimum` (none set: all). */
export function logLevelAllows(minimum: string | undefined, level: string): boolean {
  if (minimum === undefined) return true;
  return LOG_LEVELS.indexOf(level as LogLevel) >= LOG_LEVELS.indexOf(minimum as LogLevel);
}
