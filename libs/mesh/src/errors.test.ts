import { describe, expect, it } from 'vitest';
import { EasyRemoteError } from '@easyremote/protocol';
import { MeshError, MeshErrorCode, isMeshError } from './errors.js';

describe('mesh errors', () => {
  it('carry stable, prefixed, unique codes', () => {
    const codes = Object.values(MeshErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^MESH_ERR_[A-Z_]+$/);
  });

  it('are EasyRemoteErrors recognised by code, also as plain data', () => {
    const error = new MeshError(MeshErrorCode.Timeout, 'no reply');
    expect(error).toBeInstanceOf(EasyRemoteError);
    expect(error.name).toBe('MeshError');
    expect(isMeshError(error)).toBe(true);
    expect(isMeshError(error, MeshErrorCode.Timeout)).toBe(true);
    expect(isMeshError(error, MeshErrorCode.Closed)).toBe(false);
    expect(isMeshError({ code: 'MESH_ERR_CLOSED' })).toBe(true);
    expect(isMeshError(new EasyRemoteError('PROTO_ERR_MALFORMED_MESSAGE', 'x'))).toBe(false);
    expect(isMeshError(undefined)).toBe(false);
  });
});
