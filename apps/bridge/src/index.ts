export { loadBridgeConfig } from './bridge-config.js';
export type { BridgeConfig } from './bridge-config.js';
export { startRelay } from './relay.js';
export type { Relay } from './relay.js';
export { BridgeError, BridgeErrorCode, findBridgeError } from './errors.js';
export { gatewayFetch } from './gateway-fetch.js';
