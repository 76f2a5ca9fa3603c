import { hasNatsCredentials, type NatsClientOptions } from '@easyremote/mesh';
import type { Logger } from '@easyremote/protocol';
import { GrantView, openGrantsBucket, type GrantMode } from '@easyremote/registry';
import type { NatsConnection } from '@nats-io/nats-core';
import type { GatewayConfig } from '../config.js';

/**
 * `auto` follows the mesh: a gateway that authenticates to NATS runs on a hardened mesh (nats/secure),
 * where a node serves only what it was granted; one without credentials is on a dev mesh, where any
 * node may serve tools nobody was granted. The conflict and downgrade rules hold in both.
 */
export function grantMode(setting: GatewayConfig['nodeGrants'], nats: NatsClientOptions | undefined): GrantMode {
  if (setting !== 'auto') return setting;
  return nats !== undefined && hasNatsCredentials(nats) ? 'required' : 'open';
}

/** Opens the grants bucket and watches it (ADR 0011); the registry view resolves tools through it. */
export async function startNodeEntitlement(
  nc: NatsConnection,
  config: GatewayConfig,
  nats: NatsClientOptions | undefined,
  logger: Logger,
): Promise<GrantView> {
  const mode = grantMode(config.nodeGrants, nats);
  const kv = await openGrantsBucket(nc, { bucket: config.grantsBucket, replicas: config.kvReplicas });
  const view = await GrantView.start(kv, { mode, logger });
  logger.info({ mode, grants: view.grants().length, approved: view.pins().length }, 'node entitlements loaded');
  return view;
}
