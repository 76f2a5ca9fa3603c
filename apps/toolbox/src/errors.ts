/** Codes the toolbox's tools fail with (as ToolError); they reach MCP clients unchanged. */
export const ToolboxErrorCode = {
  /** `checksum` got `encoding: "base64"` with data that is not strict base64. */
  InvalidBase64: 'TOOLBOX_ERR_INVALID_BASE64',
} as const;
export type ToolboxErrorCode = (typeof ToolboxErrorCode)[keyof typeof ToolboxErrorCode];
