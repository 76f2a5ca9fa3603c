/**
 * Codes the toolbox fails with. Tools throw them as ToolError and they reach MCP clients unchanged;
 * TOOLBOX_ERR_INVALID_CONFIG is thrown at start (as ToolboxError) and stops the node.
 */
export const ToolboxErrorCode = {
  /** `checksum` got `encoding: "base64"` with data that is not strict base64. */
  InvalidBase64: 'TOOLBOX_ERR_INVALID_BASE64',
  /** An EASYREMOTE_* variable the toolbox reads is malformed; the node does not start. */
  InvalidConfig: 'TOOLBOX_ERR_INVALID_CONFIG',

  /** `distributed_llm_inference` asked for a model this node's backend does not serve. */
  ModelNotServed: 'TOOLBOX_ERR_MODEL_NOT_SERVED',
  /** A backend (LLM or image server) could not be reached: connection refused, DNS, TLS. */
  BackendUnreachable: 'TOOLBOX_ERR_BACKEND_UNREACHABLE',
  /** A backend did not answer within the call's time. */
  BackendTimeout: 'TOOLBOX_ERR_BACKEND_TIMEOUT',
  /** A backend refused the request (HTTP 4xx other than 429): bad request, bad key, unknown model. */
  BackendRejected: 'TOOLBOX_ERR_BACKEND_REJECTED',
  /** A backend answered HTTP 429: try again later or on another node. */
  BackendRateLimited: 'TOOLBOX_ERR_BACKEND_RATE_LIMITED',
  /** A backend failed (HTTP 5xx). */
  BackendFailed: 'TOOLBOX_ERR_BACKEND_FAILED',
  /** A backend answered 2xx with a body that is not the API's shape. */
  BackendBadResponse: 'TOOLBOX_ERR_BACKEND_BAD_RESPONSE',

  /** `distributed_code_execution`: no working sandbox on this node and unsandboxed runs are not allowed. */
  SandboxUnavailable: 'TOOLBOX_ERR_SANDBOX_UNAVAILABLE',
  /** The sandbox itself failed to start the program (not the program failing). */
  SandboxFailed: 'TOOLBOX_ERR_SANDBOX_FAILED',
  /** The language is not allowed on this node, or its interpreter does not run in the sandbox. */
  LanguageUnavailable: 'TOOLBOX_ERR_LANGUAGE_UNAVAILABLE',
  /** The code failed the security validation before anything ran (size, NUL bytes). */
  CodeRejected: 'TOOLBOX_ERR_CODE_REJECTED',
  /** `requirements` could not be read (a memory size or time that is not one). */
  InvalidRequirements: 'TOOLBOX_ERR_INVALID_REQUIREMENTS',

  /** `dataset_path` names something this node may not read (a path outside its data directory, a scheme). */
  DatasetNotAllowed: 'TOOLBOX_ERR_DATASET_NOT_ALLOWED',
  /** The caller's `resources:read` scopes do not cover the `easyremote://data/<id>` it named (or the call named no caller). */
  DatasetForbidden: 'TOOLBOX_ERR_DATASET_FORBIDDEN',
  /** The data set does not exist (no file, HTTP 404, no object in the data bucket). */
  DatasetNotFound: 'TOOLBOX_ERR_DATASET_NOT_FOUND',
  /** The data set could not be read (I/O error, HTTP error, object store down). */
  DatasetUnreadable: 'TOOLBOX_ERR_DATASET_UNREADABLE',
  /**
   * A caller-supplied URL (or a redirect it led to) names loopback, a private, link-local,
   * multicast or cloud metadata address, or resolves to one, and the operator did not allow-list it.
   */
  UrlForbidden: 'TOOLBOX_ERR_URL_FORBIDDEN',
  /** The data set is larger than this node reads. */
  DatasetTooLarge: 'TOOLBOX_ERR_DATASET_TOO_LARGE',
  /** The data set is not valid CSV or JSON Lines. */
  DatasetInvalid: 'TOOLBOX_ERR_DATASET_INVALID',
  /** The data set changed between planning the chunks and reading one. */
  DatasetChanged: 'TOOLBOX_ERR_DATASET_CHANGED',
  /** A chunk descriptor or partial result is not one this toolbox made. */
  InvalidChunk: 'TOOLBOX_ERR_INVALID_CHUNK',
  /** `custom` processing named a chunk function this node does not have. */
  UnknownFunction: 'TOOLBOX_ERR_UNKNOWN_FUNCTION',
  /** A column named by the call is missing, or not numeric where numbers are needed. */
  InvalidColumn: 'TOOLBOX_ERR_INVALID_COLUMN',
  /** Regression has no unique solution (too few rows, collinear features). */
  SingularMatrix: 'TOOLBOX_ERR_SINGULAR_MATRIX',

  /** `resolution` is not `<width>x<height>` within this node's limits. */
  InvalidResolution: 'TOOLBOX_ERR_INVALID_RESOLUTION',
} as const;
export type ToolboxErrorCode = (typeof ToolboxErrorCode)[keyof typeof ToolboxErrorCode];

/** A local (never on the wire) toolbox failure: a bad configuration found at start. */
export class ToolboxError extends Error {
  readonly code: ToolboxErrorCode;

  constructor(code: ToolboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolboxError';
    this.code = code;
  }
}
