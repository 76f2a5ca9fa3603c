import { describe, expect, it } from 'vitest';
import { SessionTokens, type SessionState } from './session-token.js';

const state: SessionState = {
  sid: 'abc',
  protocolVersion: '2025-11-25',
  clientCapabilities: { elicitation: {} },
  clientInfo: { name: 'test', version: '1' },
  issuedAt: 1_000,
};

describe('SessionTokens', () => {
  it('a token sealed by one replica opens on another with the same secret', () => {
    const a = new SessionTokens(Buffer.from('shared-secret'), 60_000);
    const b = new SessionTokens(Buffer.from('shared-secret'), 60_000);
    expect(b.open(a.seal(state), 2_000)).toEqual(state);
  });

  it('rejects a token sealed with another secret', () => {
    const a = new SessionTokens(Buffer.from('one'), 60_000);
    const b = new SessionTokens(Buffer.from('two'), 60_000);
    expect(b.open(a.seal(state), 2_000)).toBeUndefined();
  });

  it('rejects a tampered token', () => {
    const tokens = new SessionTokens(Buffer.from('secret'), 60_000);
    const raw = Buffer.from(tokens.seal(state), 'base64url');
    raw[20] = (raw[20] ?? 0) ^ 0xff;
    expect(tokens.open(raw.toString('base64url'), 2_000)).toBeUndefined();
  });

  it('rejects expired and malformed tokens', () => {
    const tokens = new SessionTokens(Buffer.from('secret'), 60_000);
    expect(tokens.open(tokens.seal(state), 1_000 + 60_001)).toBeUndefined();
    expect(tokens.open('not-a-token', 2_000)).toBeUndefined();
    expect(tokens.open('', 2_000)).toBeUndefined();
  });

  it('does not reveal the session state in the token', () => {
    const tokens = new SessionTokens(Buffer.from('secret'), 60_000);
    const token = tokens.seal(state);
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('2025-11-25');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
