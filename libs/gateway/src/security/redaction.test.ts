import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';

describe('gateway logger redaction', () => {
  it('never writes Authorization headers, API keys or tokens', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({ req: { headers: { authorization: 'Bearer erk_0123456789abcdef_secret' } } }, 'request');
    logger.info({ headers: { authorization: 'Bearer eyJhbGciOi.eyJzdWIi.sig' } }, 'raw headers');
    logger.info({ client: { apiKey: 'erk_x', token: 'tok' } }, 'client');
    const text = lines.join('');
    expect(text).not.toMatch(/erk_|eyJ|tok"/);
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
  });
});
