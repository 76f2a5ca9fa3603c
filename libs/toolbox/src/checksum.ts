import { createHash } from 'node:crypto';
import { defineTool, ToolError } from '@easyremote/node-sdk';
import { Type } from 'typebox';
import { ToolboxErrorCode } from './errors.js';

export const CHECKSUM_ALGORITHMS = ['sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-512', 'sha1', 'md5'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** Stays well inside one 1 MiB NATS message together with the request envelope. */
export const CHECKSUM_MAX_INPUT = 768 * 1024;

// Node's base64 decoder skips invalid characters silently; a checksum of silently altered bytes
// would be worse than an error.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decode(data: string, encoding: 'utf8' | 'base64'): Buffer {
  if (encoding === 'utf8') return Buffer.from(data, 'utf8');
  const compact = data.replace(/\s+/g, '');
  if (!STRICT_BASE64.test(compact)) {
    throw new ToolError(
      ToolboxErrorCode.InvalidBase64,
      'data is not valid base64 (RFC 4648, standard alphabet, with padding)',
    );
  }
  return Buffer.from(compact, 'base64');
}

/** Digests of text or binary data: verify a download, compare files across nodes, key a cache. */
export const checksum = defineTool({
  name: 'checksum',
  title: 'Checksum',
  description:
    'Computes a cryptographic digest (SHA-2, SHA-3, SHA-1 or MD5) of UTF-8 text or base64-encoded bytes and returns it as hex or base64.',
  input: Type.Object(
    {
      data: Type.String({
        maxLength: CHECKSUM_MAX_INPUT,
        description: 'The text, or the bytes in base64 when encoding is "base64"',
      }),
      encoding: Type.Optional(
        Type.Union([Type.Literal('utf8'), Type.Literal('base64')], {
          default: 'utf8',
          description: 'How `data` is encoded',
        }),
      ),
      // Listed, not mapped from CHECKSUM_ALGORITHMS: a mapped array loses the literal types.
      algorithm: Type.Optional(
        Type.Union(
          [
            Type.Literal('sha256'),
            Type.Literal('sha384'),
            Type.Literal('sha512'),
            Type.Literal('sha3-256'),
            Type.Literal('sha3-512'),
            Type.Literal('sha1'),
            Type.Literal('md5'),
          ],
          { default: 'sha256', description: 'Digest algorithm' },
        ),
      ),
      format: Type.Optional(
        Type.Union([Type.Literal('hex'), Type.Literal('base64')], {
          default: 'hex',
          description: 'Encoding of the digest',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({
    algorithm: Type.String(),
    digest: Type.String(),
    format: Type.String(),
    bytes: Type.Integer({ minimum: 0, description: 'Length of the hashed data in bytes' }),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
  metadata: { category: 'data', tags: ['hash', 'integrity'] },
  timeoutMs: 10_000,
  handler: ({ data, encoding = 'utf8', algorithm = 'sha256', format = 'hex' }) => {
    const bytes = decode(data, encoding);
    const digest = createHash(algorithm).update(bytes).digest(format);
    return { algorithm, digest, format, bytes: bytes.length };
  },
});
