/** What a method handler knows about the request it serves, independent of the protocol era. */
export interface McpCallContext {
  era: 'legacy' | 'modern';
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  /** Aborted when the client goes away before the answer is written. */
  signal: AbortSignal;
}
