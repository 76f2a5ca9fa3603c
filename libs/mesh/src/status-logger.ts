import type { NatsConnection, Status } from '@nats-io/nats-core';
import type { Logger } from '@easyremote/protocol';

function logOne(status: Status, logger: Logger): void {
  switch (status.type) {
    case 'disconnect':
      logger.warn({ server: status.server }, 'disconnected from NATS');
      break;
    case 'reconnecting':
      logger.debug({}, 'reconnecting to NATS');
      break;
    case 'reconnect':
      logger.info({ server: status.server }, 'reconnected to NATS');
      break;
    case 'error':
      logger.error({ err: status.error }, 'NATS connection error');
      break;
    case 'ldm':
      logger.warn({ server: status.server }, 'NATS server entering lame duck mode');
      break;
    case 'staleConnection':
      logger.warn({}, 'NATS connection is stale (pings unanswered)');
      break;
    case 'slowConsumer':
      logger.warn(
        { subject: status.sub.getSubject(), pending: status.pending },
        'slow consumer: messages are being dropped',
      );
      break;
    case 'update':
      logger.debug({ added: status.added, deleted: status.deleted }, 'NATS cluster topology changed');
      break;
    case 'close':
      logger.info({}, 'NATS connection closed');
      break;
    default:
      // ping and forceReconnect are routine; logging them would be noise.
      break;
  }
}

/** Reports connection events through the logger until the connection closes. */
export function logConnectionStatus(nc: NatsConnection, logger: Logger): void {
  void (async () => {
    try {
      for await (const status of nc.status()) logOne(status, logger);
    } catch (error) {
      logger.error({ err: error }, 'NATS status monitor stopped');
    }
  })();
}
