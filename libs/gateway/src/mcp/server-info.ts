import { LEGACY_MCP_VERSIONS, MODERN_MCP_VERSION } from '@easyremote/protocol';

export const SERVER_INFO = Object.freeze({
  name: 'easyremote-gateway',
  title: 'EasyRemote',
  version: '0.1.0',
});

/** What this gateway offers, the same for both eras. */
export const SERVER_CAPABILITIES = Object.freeze({
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
});

/** 2025-11-25 also offers its experimental tasks: tools/call may be task-augmented, tasks listed and cancelled. */
export const LEGACY_CAPABILITIES = Object.freeze({
  ...SERVER_CAPABILITIES,
  tasks: Object.freeze({ list: {}, cancel: {}, requests: Object.freeze({ tools: Object.freeze({ call: {} }) }) }),
});

/** 2026-07-28 also offers the Tasks extension (SEP-2663): `server/discover` says so. */
export const MODERN_CAPABILITIES = Object.freeze({
  ...SERVER_CAPABILITIES,
  extensions: Object.freeze({ 'io.modelcontextprotocol/tasks': Object.freeze({}) }),
});

export const SUPPORTED_LEGACY_VERSIONS: readonly string[] = LEGACY_MCP_VERSIONS;
export const LATEST_LEGACY_VERSION = LEGACY_MCP_VERSIONS[0];
export const MODERN_VERSIONS: readonly string[] = [MODERN_MCP_VERSION];

export const INSTRUCTIONS =
  'EasyRemote exposes tools that run on remote compute nodes. Tool results may report the serving node in _meta["easyremote/node"].';
