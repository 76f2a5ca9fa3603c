import type { WireDeviationReport } from '@easyremote/mesh';

/**
 * One log line for the process's wire deviations (libs/mesh/src/wire): debug when all are on, a
 * warning naming each one left off (a nats.js version they were not checked against), since the
 * process then runs slower but correct.
 */
export function logWireDeviations(
  report: WireDeviationReport,
  logger: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void },
): void {
  if (report.skipped.length === 0) {
    logger.debug({ natsVersion: report.natsVersion, enabled: report.enabled }, 'wire deviations on');
    return;
  }
  logger.warn(
    { natsVersion: report.natsVersion, enabled: report.enabled, skipped: report.skipped },
    'some wire deviations are off: plain nats.js is used for them',
  );
}
