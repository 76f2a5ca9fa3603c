/** Version of the mesh wire format (envelopes, subjects, registry adverts). Bumped on breaking change. */
export const MESH_PROTOCOL_VERSION = 1;

/** MCP protocol revisions the gateway serves. The first is the 2026 stateless revision. */
export const MODERN_MCP_VERSION = '2026-07-28';
export const LEGACY_MCP_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;
