import { defineTool } from '@easyremote/node-sdk';
import { Type } from 'typebox';

/**
 * The reply carries the text twice (a text block and structuredContent) inside one NATS message of
 * at most 1 MiB, so plain text up to this length always fits; heavily escaped text beyond ~170 KiB
 * may still come back as NODE_ERR_RESULT_TOO_LARGE.
 */
export const ECHO_MAX_LENGTH = 256 * 1024;

/** Returns its input unchanged: the mesh's smoke test and the benchmarks' unit of work. */
export const echo = defineTool({
  name: 'echo',
  title: 'Echo',
  description: 'Returns the given text unchanged. Useful to check that the mesh reaches a compute node.',
  input: Type.Object(
    { text: Type.String({ maxLength: ECHO_MAX_LENGTH, description: 'Text to send back' }) },
    { additionalProperties: false },
  ),
  output: Type.Object({ text: Type.String() }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
  metadata: { category: 'utility', tags: ['diagnostics', 'benchmark'] },
  timeoutMs: 5_000,
  handler: ({ text }) => ({ text }),
});
