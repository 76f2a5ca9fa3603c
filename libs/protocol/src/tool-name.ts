/**
 * MCP tool names: 1–128 characters of `A-Za-z0-9_.-` (MCP 2025-11-25, "Tool names").
 *
 * A NATS subject uses `.` as its token separator, so a name is carried as a single subject token with
 * every `.` replaced by `~`. `~` can never occur in a valid tool name, so the mapping is injective
 * (no two names share a subject) and reversible.
 */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

export function isValidToolName(name: string): boolean {
  return TOOL_NAME_PATTERN.test(name);
}

export function toolNameToToken(name: string): string {
  if (!isValidToolName(name)) {
    throw new TypeError(`invalid tool name ${JSON.stringify(name)}: use 1-128 characters of A-Z a-z 0-9 _ . -`);
  }
  return name.replaceAll('.', '~');
}

export function tokenToToolName(token: string): string {
  return token.replaceAll('~', '.');
}

/** Node ids are single subject tokens and KV keys: 1–64 characters of `A-Za-z0-9_-`. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidNodeId(id: string): boolean {
  return NODE_ID_PATTERN.test(id);
}
