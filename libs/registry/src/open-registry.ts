import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import { REGISTRY_BUCKET, silentLogger, type Logger } from '@easyremote/protocol';
import { RegistryError, RegistryErrorCode, describeError } from './errors.js';

export interface OpenRegistryOptions {
  /** Bucket name. Default `REGISTRY_BUCKET`. */
  bucket?: string;
  /** Stream replicas when the bucket is created (1, 3 or 5). Default 1. */
  replicas?: number;
  /**
   * Bucket max age, a backstop only: expiry sends no watch event, so liveness comes from heartbeats and
   * the view's sweep. It also bounds how long delete markers stay. Must exceed every node's ttlMs.
   * Default 60 s.
   */
  maxAgeMs?: number;
  /** JetStream domain of the hub, for processes attached to a leaf node. */
  domain?: string;
  logger?: Logger;
  /**
   * How long to wait for a bucket that was just created to answer. A replicated bucket on a cluster
   * elects its stream leader after the create returns; until then puts fail with "no responders".
   * Default 5000 ms.
   */
  readyTimeoutMs?: number;
}

/**
 * Creates the registry bucket or binds to it when it exists. Safe when many processes start at once:
 * JetStream accepts a create with an identical config as a no-op, and a create that lost a race
 * against a different config falls back to binding the existing bucket.
 */
export async function openRegistry(nc: NatsConnection, options: OpenRegistryOptions = {}): Promise<KV> {
  const bucket = options.bucket ?? REGISTRY_BUCKET;
  const logger = options.logger ?? silentLogger;
  const kvm = new Kvm(options.domain === undefined ? jetstream(nc) : jetstream(nc, { domain: options.domain }));
  const config: Partial<KvOptions> = {
    history: 1,
    replicas: options.replicas ?? 1,
    ttl: options.maxAgeMs ?? 60_000,
  };
  try {
    const kv = await createPatiently(() => kvm.create(bucket, config), bucket, logger);
    await warnOnDrift(kv, config, bucket, logger, options.readyTimeoutMs ?? 5_000);
    return kv;
  } catch (error) {
    if (/already in use/i.test(describeError(error))) {
      logger.warn({ bucket, err: error }, 'registry bucket exists with another configuration; using it as it is');
      return kvm.open(bucket);
    }
    const where = options.domain === undefined ? '' : ` in JetStream domain ${options.domain}`;
    const reason = describeError(error);
    const hint = /jetstream/i.test(reason) ? '' : ' (is JetStream enabled on the server?)';
    throw new RegistryError(
      RegistryErrorCode.OpenFailed,
      `cannot open the registry bucket ${bucket}${where}: ${reason}${hint}`,
      { cause: error },
    );
  }
}

const CREATE_ATTEMPTS = 3;

/**
 * Creating a bucket is idempotent, so a create that timed out is simply tried again. On nats-server
 * 2.9 a cluster answers one of several concurrent creates of the same replicated stream and lets the
 * others time out, which happens whenever gateways and nodes start together; and a single server
 * can refuse the loser of two concurrent creates with "subjects overlap" (10065) although both
 * asked for the same stream: tried again, the create finds the stream and binds to it.
 */
async function createPatiently(create: () => Promise<KV>, bucket: string, logger: Logger): Promise<KV> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      const transient =
        (error as { name?: unknown }).name === 'TimeoutError' || /timeout|subjects overlap/i.test(describeError(error));
      if (!transient || attempt >= CREATE_ATTEMPTS) throw error;
      logger.warn({ bucket, attempt, err: error }, 'creating the registry bucket failed transiently; trying again');
    }
  }
}

/**
 * Waits until the bucket answers (its status comes from the stream leader, which every put needs
 * too), then says so when an existing bucket's settings differ from what this process asked for.
 */
async function warnOnDrift(
  kv: KV,
  config: Partial<KvOptions>,
  bucket: string,
  logger: Logger,
  readyTimeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
    try {
      const status = await kv.status();
      if (
        status.history !== config.history ||
        status.ttl !== config.ttl ||
        (config.replicas !== undefined && status.replicas !== config.replicas)
      ) {
        logger.warn(
          { bucket, history: status.history, maxAgeMs: status.ttl, replicas: status.replicas, wanted: config },
          'registry bucket settings differ from the requested ones',
        );
      }
      return;
    } catch (error) {
      if (Date.now() + wait > deadline) {
        logger.debug({ bucket, err: error }, 'could not read the registry bucket status');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
