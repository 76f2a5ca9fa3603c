#!/usr/bin/env node
import { loadBridgeConfig } from './bridge-config.js';
import { BridgeError } from './errors.js';
import { startRelay } from './relay.js';

// stdout carries JSON-RPC only: everything the bridge has to say goes to stderr.
const report = (line: string) => process.stderr.write(`${line}\n`);

try {
  const config = loadBridgeConfig(process.env);
  const relay = await startRelay(config, report);
  process.stdin.once('end', () => void relay.close());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void relay.close());
  await relay.closed;
  process.exit(0);
} catch (error) {
  const code = error instanceof BridgeError ? ` [${error.code}]` : '';
  report(`easyremote-mcp: ${error instanceof Error ? error.message : String(error)}${code}`);
  process.exit(1);
}
