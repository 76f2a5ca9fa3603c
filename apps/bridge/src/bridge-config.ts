import { BridgeError, BridgeErrorCode } from './errors.js';

/** Where the bridge relays to, from the variables the seed's desktop config sets. */
export interface BridgeConfig {
  /** The gateway's MCP endpoint, e.g. http://gateway:8080/mcp */
  readonly mcpUrl: URL;
  readonly apiKey: string | undefined;
}

/**
 * `EASYREMOTE_GATEWAY` may name the gateway (`http://host:8080`) or its MCP endpoint
 * (`http://host:8080/mcp`); both work. `EASYREMOTE_API_KEY` is sent as a bearer token.
 */
export function loadBridgeConfig(env: Readonly<Record<string, string | undefined>>): BridgeConfig {
  const raw = env.EASYREMOTE_GATEWAY?.trim();
  if (!raw)
    throw new BridgeError(
      BridgeErrorCode.Config,
      'EASYREMOTE_GATEWAY is not set: give the gateway URL, e.g. http://localhost:8080',
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BridgeError(BridgeErrorCode.Config, `EASYREMOTE_GATEWAY=${JSON.stringify(raw)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new BridgeError(BridgeErrorCode.Config, `EASYREMOTE_GATEWAY must be an http(s) URL, got ${url.protocol}`);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/mcp') ? path : `${path}/mcp`;
  const apiKey = env.EASYREMOTE_API_KEY?.trim();
  return { mcpUrl: url, apiKey: apiKey ? apiKey : undefined };
}
