import { describe, expect, it } from 'vitest';
import { unsupportedReason } from './client-requests.js';

const client = (capabilities: Record<string, unknown>) => ({ era: '2025-11-25' as const, capabilities });

describe('unsupportedReason', () => {
  it('needs a client and the declared capability', () => {
    expect(unsupportedReason(undefined, 'elicitation/create', {})).toMatch(
      /^the client does not support elicitation \(the call did not say who the client is\)$/,
    );
    expect(unsupportedReason(client({}), 'sampling/createMessage', {})).toBe('the client does not support sampling');
    expect(unsupportedReason(client({ roots: {} }), 'roots/list', {})).toBeUndefined();
    expect(unsupportedReason(client({ sampling: {} }), 'sampling/createMessage', { messages: [] })).toBeUndefined();
  });

  it.each([
    ['an empty elicitation object allows form mode', { elicitation: {} }, {}, undefined],
    ['form and url allow form mode', { elicitation: { form: {}, url: {} } }, { mode: 'form' }, undefined],
    [
      'url alone does not allow form mode',
      { elicitation: { url: {} } },
      {},
      'the client does not support elicitation in form mode',
    ],
    ['url mode needs url', { elicitation: {} }, { mode: 'url' }, 'the client does not support elicitation in URL mode'],
    ['url mode with url', { elicitation: { url: {} } }, { mode: 'url' }, undefined],
  ])('elicitation: %s', (_what, capabilities, params, expected) => {
    expect(unsupportedReason(client(capabilities), 'elicitation/create', params)).toBe(expected);
  });

  it('sampling with tools needs sampling.tools', () => {
    expect(unsupportedReason(client({ sampling: {} }), 'sampling/createMessage', { tools: [] })).toBe(
      'the client does not support sampling with tools',
    );
    expect(
      unsupportedReason(client({ sampling: { tools: {} } }), 'sampling/createMessage', { tools: [] }),
    ).toBeUndefined();
  });
});
