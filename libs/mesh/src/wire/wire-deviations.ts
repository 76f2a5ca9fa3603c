import { installedNatsCoreVersion, PINNED_NATS_VERSION } from './pinned-versions.js';
import { installPooledProtocolEncoding } from './pooled-protocol-encoding.js';

/** What enableWireDeviations did: the deviations switched on, and why any stayed off. */
export interface WireDeviationReport {
  readonly natsVersion: string | undefined;
  readonly enabled: readonly string[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * Switches on every place where the mesh leans on nats.js internals for speed: the pooled protocol
 * encoder. Nothing is switched on by importing this package: a process
 * (the gateway, a node) calls this once at start, and a library user who does not gets plain
 * nats.js. With any nats.js version other than PINNED_NATS_VERSION nothing is switched on.
 */
export function enableWireDeviations(): WireDeviationReport {
  const natsVersion = installedNatsCoreVersion();
  if (natsVersion !== PINNED_NATS_VERSION) {
    const reason = `@nats-io/nats-core is ${natsVersion ?? 'not found'}, the deviations are checked against ${PINNED_NATS_VERSION}`;
    return {
      natsVersion,
      enabled: [],
      skipped: [{ name: 'pooled-protocol-encoding', reason }],
    };
  }
  const enabled: string[] = [];
  const skipped: { name: string; reason: string }[] = [];
  if (installPooledProtocolEncoding()) enabled.push('pooled-protocol-encoding');
  else skipped.push({ name: 'pooled-protocol-encoding', reason: 'the shared encoder is not the TextEncoder it was' });
  return { natsVersion, enabled, skipped };
}
