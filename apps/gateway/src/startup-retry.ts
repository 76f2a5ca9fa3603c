import type { Logger } from '@easyremote/protocol';

const ATTEMPTS = 3;

/**
 * Runs a start-up step that only creates or reads JetStream buckets, again when it timed out. On
 * nats-server 2.9 a cluster answers one of several concurrent creates of the same replicated bucket
 * and lets the others time out, and a bucket just created answers only once its stream has a leader:
 * replicas starting together must not exit over that. Other failures are final.
 */
export async function retryOnTimeout<T>(step: string, run: () => Promise<T>, logger: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const timedOut =
        (error as { name?: unknown }).name === 'TimeoutError' ||
        /timeout/i.test(error instanceof Error ? error.message : String(error));
      if (!timedOut || attempt >= ATTEMPTS) throw error;
      logger.warn({ step, attempt, err: error }, 'start-up step timed out on JetStream; trying again');
    }
  }
}
