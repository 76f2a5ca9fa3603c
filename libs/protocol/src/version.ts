/**
 * Version of the mesh wire format (call envelopes and their replies, subjects). Every request and
 * reply carries it as `v`; a peer speaking another version is refused with a clear error
 * (`NODE_ERR_VERSION_MISMATCH` at a node, `GW_ERR_VERSION_MISMATCH` at a gateway) instead of being
 * misread. Bumped on breaking change. 2: one call format — the call's id, deadline and notify subject
 * in the body of every request (tool calls, node rpc, resumes), every reply a `CallReply`.
 */
export const MESH_PROTOCOL_VERSION = 2;

/** MCP protocol revisions the gateway serves. The first is the 2026 stateless revision. */
export const MODERN_MCP_VERSION = '2026-07-28';
export const LEGACY_MCP_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;

/**
 * The MCP eras the gateway serves, each named by the protocol revision that defines it: `2025-11-25`
 * (the session revisions 2025-03-26 … 2025-11-25: `initialize`, `Mcp-Session-Id`, requests to the
 * client on the call's stream) and `2026-07-28` (stateless: each request stands alone; a handler's
 * questions to the client go out as `input_required` and come back with the retry).
 */
export type McpEra = '2025-11-25' | '2026-07-28';
