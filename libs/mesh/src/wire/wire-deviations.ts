import { TE } from '@nats-io/nats-core/internal';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The nats.js version the deviations in this folder were written and contract-tested against. Every
 * `@nats-io/*` package is pinned to it exactly in the package.json files; a different installed
 * version switches the deviations off (enableWireDeviations) until they are checked again.
 */
export const PINNED_NATS_VERSION = '3.4.0';

/** The version of `@nats-io/nats-core` that is actually loaded (its package.json; the package exports no version). */
export function installedNatsCoreVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve('@nats-io/nats-core'));
    for (let depth = 0; depth < 4; depth++) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (manifest.name === '@nats-io/nats-core') return manifest.version;
      } catch {
        // Not at the package root yet.
      }
      dir = dirname(dir);
    }
  } catch {
    // Not resolvable from here: treated as a different version.
  }
  return undefined;
}

/** Same bytes as TextEncoder's (lone surrogates become U+FFFD in both), from Node's buffer pool. */
function encodeFromPool(input = ''): Uint8Array {
  return Buffer.from(input, 'utf8');
}

let installed = false;

/**
 * Deviation: replaces `encode` of the `TextEncoder` instance nats.js keeps in
 * `@nats-io/nats-core/internal` (`TE`). nats.js encodes the protocol line of every message it sends (`PUB <subject> <reply> <size>`)
 * with one shared `TextEncoder`, whose `encode` allocates an ArrayBuffer per call: ~640 ns against
 * ~80 ns for `Buffer.from`, on every call and every reply (5-8% of a node's and a caller's CPU on
 * the direct path, docs/performance.md). This gives that one encoder instance a pooled `encode`.
 * It checks first that both produce the same bytes, and leaves nats.js alone otherwise.
 */
export function installPooledProtocolEncoding(): boolean {
  if (installed) return true;
  const sample = 'HPUB tools.echo _INBOX.x.1 12 34\r\n\u00e9\u{1F600}\ud800';
  const expected = new TextEncoder().encode(sample);
  const actual = encodeFromPool(sample);
  if (
    !(TE instanceof TextEncoder) ||
    expected.length !== actual.length ||
    expected.some((byte, index) => actual[index] !== byte)
  )
    return false;
  (TE as { encode: (input?: string) => Uint8Array }).encode = encodeFromPool;
  installed = true;
  return true;
}

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

/**
 * One log line for the process's wire deviations: debug when all are on, a warning naming each one
 * left off (a nats.js version they were not checked against), since the process then runs slower
 * but correct.
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
