import { inflateSync } from 'node:zlib';
import { runFanout, runTool } from '@easyremote/node-sdk';
import { describe, expect, it } from 'vitest';
import { EnvReader } from '../config/env-reader.js';
import { ToolboxErrorCode } from '../errors.js';
import { createImageBackend } from './image-backends.js';
import { readImageConfig } from './image-config.js';
import { createImageGenerationTool } from './image-generation-tool.js';
import { encodePng, pngSize } from './png-encoder.js';
import { renderProcedural } from './procedural-renderer.js';

function toolWith(env: Record<string, string> = {}) {
  const reader = new EnvReader({ EASYREMOTE_IMAGE_ALLOW_CPU: '1', ...env });
  const config = readImageConfig(reader);
  reader.finish();
  return createImageGenerationTool(config, createImageBackend(config));
}

/** Decodes an 8-bit RGB PNG written by encodePng (filter 0 rows) back to pixels. */
function decodeRgb(png: Buffer): { width: number; height: number; rgb: Buffer } {
  const { width, height } = pngSize(png)!;
  let offset = 8;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    if (type === 'IDAT') idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  return { width, height, rgb };
}

interface ImageResult {
  content: Array<{ type: string; mimeType?: string; data?: string; text?: string }>;
  structuredContent: { images: Array<Record<string, unknown>>; metadata: Record<string, unknown> };
}

function result(response: Awaited<ReturnType<typeof runTool>>): ImageResult {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  if (!('result' in response)) throw new Error('input required');
  return response.result as unknown as ImageResult;
}

describe('PNG encoding and the procedural renderer', () => {
  it('writes PNGs that decode to the same pixels', () => {
    const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, index) => (index * 37) & 0xff);
    const decoded = decodeRgb(encodePng(5, 3, rgb));
    expect(decoded).toMatchObject({ width: 5, height: 3 });
    expect([...decoded.rgb]).toEqual([...rgb]);
  });

  it('is a pure function of prompt, style, variant and size', () => {
    const a = renderProcedural('a lighthouse at dusk', 'watercolor', 0, 64, 48);
    expect(renderProcedural('a lighthouse at dusk', 'watercolor', 0, 64, 48).equals(a)).toBe(true);
    expect(renderProcedural('a lighthouse at dusk', 'watercolor', 1, 64, 48).equals(a)).toBe(false);
    expect(renderProcedural('a lighthouse at dawn', 'watercolor', 0, 64, 48).equals(a)).toBe(false);
    expect(pngSize(a)).toEqual({ width: 64, height: 48 });
  });
});

describe('distributed_image_generation', () => {
  const tool = toolWith();

  it('answers image content and the seed fields, with renderer "procedural"', async () => {
    const { content, structuredContent } = result(
      await runTool(tool, { prompts: ['a red fox', 'a blue whale'], resolution: '32x16', num_images_per_prompt: 2 }),
    );
    expect(content[0]?.type).toBe('text');
    const images = content.slice(1);
    expect(images).toHaveLength(4);
    for (const image of images) {
      expect(image).toMatchObject({ type: 'image', mimeType: 'image/png' });
      expect(pngSize(Buffer.from(image.data!, 'base64'))).toEqual({ width: 32, height: 16 });
    }
    expect(structuredContent.metadata).toEqual({
      total_images: 4,
      prompts_processed: 2,
      nodes_used: 1,
      style: 'realistic',
      resolution: '32x16',
      renderer: 'procedural',
      renderers: ['procedural'],
    });
    expect(structuredContent.images.map((image) => [image.prompt_index, image.variant, image.content_index])).toEqual([
      [0, 0, 0],
      [0, 1, 1],
      [1, 0, 2],
      [1, 1, 3],
    ]);
  });

  it('fans prompts out one per chunk and merges them in prompt order', async () => {
    const args = { prompts: ['one', 'two', 'three'], style: 'noir', resolution: '16x16', num_images_per_prompt: 1 };
    const whole = result(await runTool(tool, args));
    const fanned = result(await runFanout(tool, args));
    expect(fanned.content.slice(1)).toEqual(whole.content.slice(1));
    expect(fanned.structuredContent.images).toEqual(whole.structuredContent.images);
    expect(fanned.structuredContent.metadata).toMatchObject({
      total_images: 3,
      prompts_processed: 3,
      renderer: 'procedural',
    });
    expect(tool.descriptor.fanout).toEqual({
      split: { kind: 'array', argument: 'prompts', chunkSize: 1 },
      merge: { kind: 'reducer', name: 'distributed_image_generation' },
    });
  });

  it('requires a GPU node unless the node allows CPU', () => {
    expect(tool.descriptor.requirements).toBeUndefined();
    expect(toolWith({ EASYREMOTE_IMAGE_ALLOW_CPU: '0' }).descriptor.requirements).toEqual({ gpu: true });
  });

  it('refuses resolutions that are malformed or too large', async () => {
    for (const resolution of ['big', '0x10', '10x']) {
      expect(await runTool(tool, { prompts: ['x'], resolution })).toMatchObject({
        ok: false,
        error: { code: ToolboxErrorCode.InvalidResolution },
      });
    }
    expect(
      await runTool(toolWith({ EASYREMOTE_IMAGE_MAX_PIXELS: '1000' }), { prompts: ['x'], resolution: '100x100' }),
    ).toMatchObject({
      ok: false,
      error: { code: ToolboxErrorCode.InvalidResolution, message: expect.stringContaining('at most 1000') },
    });
  });
});
