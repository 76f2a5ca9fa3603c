import { BridgeError, BridgeErrorCode } from './errors.js';

/** The most of a refusal body quoted back: the gateway's own message, not a page of HTML. */
const MAX_REASON_CHARS = 200;

/** The root cause's text, e.g. "connect ECONNREFUSED 127.0.0.1:9" rather than fetch's "fetch failed". */
function networkReason(error: unknown): string {
  let current = error;
  let text = error instanceof Error ? error.message : String(error);
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (current.message === '' && typeof code === 'string') text = code;
    else if (current.message !== '')
      text =
        typeof code === 'string' && !current.message.includes(code) ? `${code}: ${current.message}` : current.message;
    current = current.cause;
  }
  return text;
}

/** The gateway's reason from a 401/403 body (`{ error: { message } }` or JSON-RPC `{ error: { message } }`). */
async function refusalReason(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; code?: unknown } | string; message?: unknown };
    const error = parsed.error;
    const message = typeof error === 'object' && error !== null ? error.message : (error ?? parsed.message);
    if (typeof message === 'string' && message !== '') return message.slice(0, MAX_REASON_CHARS);
  } catch {
    // not JSON: fall through to the status text
  }
  return response.statusText || `HTTP ${response.status}`;
}

/**
 * A `fetch` for the SDK transport that turns the two failures a desktop user must tell apart into
 * BridgeErrors naming the URL: no answer at all (unreachable), and 401/403 (the key was refused).
 * The SDK treats a 401 as the start of an OAuth flow it has no provider for and would report it as
 * a generic failure, so the refusal is raised here, before the SDK sees the response.
 */
export function gatewayFetch(url: URL, hasKey: boolean, base: typeof fetch = fetch): typeof fetch {
  const where = url.href;
  return async (input, init) => {
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      if (init?.signal?.aborted) throw error; // our own cancellation, not an outage
      throw new BridgeError(
        BridgeErrorCode.GatewayUnreachable,
        `EasyRemote gateway unreachable at ${where}: ${networkReason(error)}`,
        { url: where, cause: error },
      );
    }
    if (response.status === 401 || response.status === 403) {
      const reason = await refusalReason(response);
      const hint =
        response.status === 401
          ? hasKey
            ? 'EASYREMOTE_API_KEY was not accepted (unknown, revoked or mistyped)'
            : 'no EASYREMOTE_API_KEY is set and this gateway requires one'
          : 'the key lacks the scope for this request, or the gateway refused the Host/Origin';
      throw new BridgeError(
        BridgeErrorCode.GatewayRefused,
        `EasyRemote gateway at ${where} refused the request (HTTP ${response.status}): ${hint}. Gateway said: ${reason}`,
        {
          url: where,
          status: response.status,
        },
      );
    }
    return response;
  };
}
