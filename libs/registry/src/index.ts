export { openRegistry } from './open-registry.js';
export type { OpenRegistryOptions } from './open-registry.js';
export { NodeAdvertiser } from './node-advertiser.js';
export type { NodeAdvertiserOptions } from './node-advertiser.js';
export { RegistryView } from './registry-view.js';
export type { RegistryChange, RegistryListener, RegistryViewOptions } from './registry-view.js';
export { buildToolSet, toolsFingerprint } from './tool-set.js';
export type { NodeEntry, ToolEntry, ToolSet } from './tool-set.js';
export { RegistryError, RegistryErrorCode } from './errors.js';
