import type { AccessPolicy } from '@easyremote/auth';
import type { McpEra } from '@easyremote/protocol';
import { type RequestId } from '@modelcontextprotocol/server';
import type { ResponseChannel } from './response-channel.js';

/** What a method handler knows about the request it serves, independent of the protocol era. */
export interface McpCallContext {
  era: McpEra;
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  /** Aborted when the client goes away or cancels the request. */
  signal: AbortSignal;
  /** The controller behind `signal`: a call registers it so a cancellation from any replica can abort it. */
  controller: AbortController;
  requestId: RequestId;
  /** The 2025 session's uid; undefined for 2026-07-28 requests. */
  sid: string | undefined;
  /** Where the answer (and anything before it) goes. */
  channel: ResponseChannel;
  /** Minimum level of log notifications this request wants (unset: all). */
  logLevel: string | undefined;
  /** The authenticated caller, when authentication is on. */
  principal?: string | undefined;
  /** What the caller may use; undefined when authentication is off. */
  access?: AccessPolicy | undefined;
  /** Sets a header on the HTTP answer before it starts (challenges, Retry-After). */
  setHeader?: ((name: string, value: string) => void) | undefined;
}
