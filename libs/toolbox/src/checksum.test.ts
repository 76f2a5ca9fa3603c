import { runTool } from '@easyremote/node-sdk';
import { describe, expect, it } from 'vitest';
import { checksum } from './checksum.js';
import { ToolboxErrorCode } from './errors.js';

// The node's wire code for schema failures (the toolbox depends on node-sdk only, not on protocol).
const INVALID_ARGUMENTS = 'NODE_ERR_INVALID_ARGUMENTS';

async function digest(args: Record<string, unknown>): Promise<unknown> {
  const response = await runTool(checksum, args);
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  if (!('result' in response)) throw new Error('the tool asked for client input');
  return response.result.structuredContent;
}

describe('checksum', () => {
  it('hashes UTF-8 text with SHA-256 as hex by default', async () => {
    expect(await digest({ data: 'abc' })).toEqual({
      algorithm: 'sha256',
      digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      format: 'hex',
      bytes: 3,
    });
    expect(await digest({ data: 'é' })).toMatchObject({ bytes: 2 });
  });

  it.each([
    ['md5', '', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['sha1', 'abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['sha3-256', '', 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'],
  ])('supports %s', async (algorithm, data, expected) => {
    expect(await digest({ data, algorithm })).toMatchObject({ algorithm, digest: expected });
  });

  it('hashes base64 bytes and can answer in base64', async () => {
    // "abc" in base64 is YWJj; SHA-256 of it in base64:
    expect(await digest({ data: 'YWJj', encoding: 'base64', format: 'base64' })).toEqual({
      algorithm: 'sha256',
      digest: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=',
      format: 'base64',
      bytes: 3,
    });
    expect(await digest({ data: 'YW\nJj', encoding: 'base64' })).toMatchObject({ bytes: 3 });
  });

  it('refuses data that is not strict base64 with its own code', async () => {
    const response = await runTool(checksum, { data: 'YWJ*', encoding: 'base64' });
    expect(response).toMatchObject({ ok: false, error: { code: ToolboxErrorCode.InvalidBase64 } });
  });

  it('rejects unknown algorithms as invalid arguments', async () => {
    const response = await runTool(checksum, { data: 'x', algorithm: 'crc32' });
    expect(response).toMatchObject({
      ok: false,
      error: { code: INVALID_ARGUMENTS, message: expect.stringContaining('/algorithm') },
    });
  });
});
