export { openRegistry } from './open-registry.js';
export type { OpenRegistryOptions } from './open-registry.js';
export { NodeAdvertiser } from './node-advertiser.js';
export type { NodeAdvertiserOptions } from './node-advertiser.js';
export { RegistryView } from './registry-view.js';
export type {
  EntitlementChange,
  NodeChange,
  RegistryChange,
  RegistryListener,
  RegistryViewOptions,
} from './registry-view.js';
export { toolsFingerprint } from './tool-set.js';
export { buildToolSet } from './entitlement/resolve-tools.js';
export type { ConflictReason, NodeEntry, ToolConflict, ToolEntry, ToolSet } from './tool-set.js';
export { resolveToolSet } from './entitlement/resolve-tools.js';
export type { Resolution } from './entitlement/resolve-tools.js';
export { MemoryEntitlement, compileGrants } from './entitlement/entitlement.js';
export type { CompiledGrant, Entitlement, EntitlementState, PinRequest } from './entitlement/entitlement.js';
export { GrantView } from './entitlement/grant-view.js';
export type { GrantViewOptions } from './entitlement/grant-view.js';
export { GrantStore, openGrantsBucket, advertisedDescriptor } from './entitlement/grant-store.js';
export type { GrantsBucketOptions } from './entitlement/grant-store.js';
export { grantKey, pinKey } from './entitlement/grant-records.js';
export type { GrantMode, NodeGrant, PinSource, ToolPin } from './entitlement/grant-records.js';
export { descriptorDigest, securityRank } from './entitlement/descriptor-digest.js';
export { isValidToolGlob, ToolGlobs } from './entitlement/tool-glob.js';
export { natsToolSubjects } from './entitlement/nats-subjects.js';
export { RegistryError, RegistryErrorCode } from './errors.js';
export { buildCatalog, catalogFingerprint } from './catalog-set.js';
export type { Catalog, CatalogEntry, CatalogIndex } from './catalog-set.js';
export { placementMismatch, advertisedFreeSlots } from './node-match.js';
