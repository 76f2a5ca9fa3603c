import { runTool } from '@easyremote/node-sdk';
import { describe, expect, it } from 'vitest';
import { echo, ECHO_MAX_LENGTH } from './echo.js';

// The node's wire code for schema failures (the toolbox depends on node-sdk only, not on protocol).
const INVALID_ARGUMENTS = 'NODE_ERR_INVALID_ARGUMENTS';

describe('echo', () => {
  it('returns its text as text and structured content', async () => {
    expect(await runTool(echo, { text: 'héllo "mesh"' })).toEqual({
      ok: true,
      result: {
        content: [{ type: 'text', text: '{"text":"héllo \\"mesh\\""}' }],
        structuredContent: { text: 'héllo "mesh"' },
      },
    });
  });

  it('rejects missing, non-string, oversized and unknown arguments', async () => {
    const code = (response: Awaited<ReturnType<typeof runTool>>) => (response.ok ? 'ok' : response.error.code);
    expect(code(await runTool(echo, {}))).toBe(INVALID_ARGUMENTS);
    expect(code(await runTool(echo, { text: 1 }))).toBe(INVALID_ARGUMENTS);
    expect(code(await runTool(echo, { text: 'x'.repeat(ECHO_MAX_LENGTH + 1) }))).toBe(INVALID_ARGUMENTS);
    expect(code(await runTool(echo, { text: 'x', extra: true }))).toBe(INVALID_ARGUMENTS);
  });

  it('advertises itself as a read-only, idempotent tool with an output schema', () => {
    expect(echo.descriptor).toMatchObject({
      name: 'echo',
      inputSchema: { type: 'object', required: ['text'] },
      outputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      annotations: { readOnlyHint: true, idempotentHint: true },
    });
  });
});
