import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';

export interface PostJsonRequest {
  readonly url: string;
  readonly body: unknown;
  readonly apiKey?: string | undefined;
  readonly timeoutMs: number;
  /** The call's signal: its abort (cancel, deadline) wins over every backend error. */
  readonly signal: AbortSignal;
  /** Names the backend in messages: "the LLM backend at http://…". */
  readonly what: string;
}

const MAX_DETAIL = 300;

/** The backend's own explanation, from the error shapes of OpenAI (`error.message`), FastAPI (`detail`) and others. */
export function backendMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: unknown; detail?: unknown; message?: unknown; errors?: unknown };
    const error = json.error;
    const candidate =
      (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
        ? (error as { message: string }).message
        : undefined) ??
      (typeof error === 'string' ? error : undefined) ??
      (typeof json.detail === 'string'
        ? json.detail
        : json.detail !== undefined
          ? JSON.stringify(json.detail)
          : undefined) ??
      (typeof json.message === 'string' ? json.message : undefined) ??
      (typeof json.errors === 'string' ? json.errors : undefined);
    if (candidate !== undefined) return candidate.slice(0, MAX_DETAIL);
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().slice(0, MAX_DETAIL) || '(empty body)';
}

function statusError(status: number, what: string, body: string): ToolError {
  const detail = `${what} answered HTTP ${status}: ${backendMessage(body)}`;
  if (status === 429) return new ToolError(ToolboxErrorCode.BackendRateLimited, detail, { status });
  if (status >= 400 && status < 500) return new ToolError(ToolboxErrorCode.BackendRejected, detail, { status });
  return new ToolError(ToolboxErrorCode.BackendFailed, detail, { status });
}

/**
 * POSTs JSON to a backend and returns the parsed answer, turning every way it can fail into a
 * ToolError with a stable code: unreachable, timeout, 429, other 4xx, 5xx, or a body that is not JSON.
 */
export async function postJson(request: PostJsonRequest): Promise<unknown> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(request.apiKey ? { authorization: `Bearer ${request.apiKey}` } : {}),
      },
      body: JSON.stringify(request.body),
      signal: AbortSignal.any([request.signal, timeout]),
    });
    text = await response.text();
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    if (timeout.aborted)
      throw new ToolError(
        ToolboxErrorCode.BackendTimeout,
        `${request.what} did not answer within ${request.timeoutMs} ms`,
      );
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ToolError(
      ToolboxErrorCode.BackendUnreachable,
      `${request.what} is unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  if (!response.ok) throw statusError(response.status, request.what, text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ToolError(
      ToolboxErrorCode.BackendBadResponse,
      `${request.what} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 100)}`,
    );
  }
}

/** `<base>/v1/<path>`, whether the operator's base URL ends in /v1 or not. */
export function v1Url(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/v1$/, '')}/v1/${path}`;
}
