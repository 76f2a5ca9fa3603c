import { createHash } from 'node:crypto';
import { defineTool, toolResult, ToolError, type ContentBlock, type ToolDefinition } from '@easyremote/node-sdk';
import { Type, type Static } from 'typebox';
import { ToolboxErrorCode } from '../errors.js';
import type { ImageBackend } from './image-backends.js';
import type { ImageConfig } from './image-config.js';
import { pngSize, sniffImageType } from './png-encoder.js';

export const MAX_PROMPTS = 64;
export const MAX_IMAGES_PER_PROMPT = 8;

const ImageEntry = Type.Object({
  /** Position of the image's block among the result's image content blocks. */
  content_index: Type.Integer({ minimum: 0 }),
  prompt: Type.String(),
  prompt_index: Type.Integer({ minimum: 0 }),
  variant: Type.Integer({ minimum: 0 }),
  mime_type: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  bytes: Type.Integer(),
  sha256: Type.String(),
  renderer: Type.String(),
  node: Type.String(),
});
type ImageEntry = Static<typeof ImageEntry>;

const Output = Type.Object({
  images: Type.Array(ImageEntry, {
    description: 'One entry per image; the pixels are the image content blocks, in this order',
  }),
  metadata: Type.Object({
    total_images: Type.Integer(),
    prompts_processed: Type.Integer(),
    nodes_used: Type.Integer(),
    style: Type.String(),
    resolution: Type.String(),
    /** The renderer of every image (`procedural` for the built-in one), or `mixed`. */
    renderer: Type.String(),
    renderers: Type.Array(Type.String()),
  }),
});
type Output = Static<typeof Output>;

function parseResolution(resolution: string, maxPixels: number): { width: number; height: number } {
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(resolution.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 1 || height < 1)
    throw new ToolError(
      ToolboxErrorCode.InvalidResolution,
      `resolution must be <width>x<height> such as 1024x1024, got ${JSON.stringify(resolution)}`,
    );
  if (width * height > maxPixels)
    throw new ToolError(
      ToolboxErrorCode.InvalidResolution,
      `${resolution} is ${width * height} pixels; this node renders at most ${maxPixels}`,
    );
  return { width, height };
}

function metadataOf(
  images: readonly ImageEntry[],
  prompts: number,
  nodes: number,
  style: string,
  resolution: string,
): Output['metadata'] {
  const renderers = [...new Set(images.map((image) => image.renderer))];
  return {
    total_images: images.length,
    prompts_processed: prompts,
    nodes_used: nodes,
    style,
    resolution,
    renderer: renderers.length === 1 ? renderers[0]! : renderers.length === 0 ? 'none' : 'mixed',
    renderers,
  };
}

/** The MCP result: a JSON summary for clients without structured content, then the images. */
function imageResult(structured: Output, images: readonly ContentBlock[]): never {
  // toolResult carries the image blocks beside structuredContent (checked against the output
  // schema); the handler type only knows plain Static<output> returns, hence the cast.
  return toolResult({
    content: [{ type: 'text', text: JSON.stringify(structured) }, ...images],
    structuredContent: structured,
  }) as never;
}

/**
 * `distributed_image_generation`: prompts are fanned out one per chunk across the nodes serving the
 * tool (GPU nodes unless a node allows CPU), each renders with its backend, and the merge keeps
 * prompt order. Images travel as MCP image content (PNG, base64); `images` describes them.
 */
export function createImageGenerationTool(config: ImageConfig, backend: ImageBackend): ToolDefinition {
  return defineTool({
    name: 'distributed_image_generation',
    title: 'Distributed image generation',
    description:
      'Generates images for a list of prompts in parallel across GPU compute nodes and returns them as PNG image content.',
    input: Type.Object(
      {
        prompts: Type.Array(Type.String({ minLength: 1, maxLength: 4000 }), {
          minItems: 1,
          maxItems: MAX_PROMPTS,
          description: 'List of image generation prompts',
        }),
        style: Type.String({ maxLength: 200, default: 'realistic' }),
        resolution: Type.String({ default: '1024x1024', description: '<width>x<height>' }),
        num_images_per_prompt: Type.Integer({ minimum: 1, maximum: MAX_IMAGES_PER_PROMPT, default: 1 }),
      },
      { additionalProperties: false },
    ),
    output: Output,
    annotations: {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: config.backend !== 'procedural',
    },
    metadata: { category: 'image_generation', tags: ['ai', 'gpu', 'parallel'] },
    ...(config.allowCpu ? {} : { requirements: { gpu: true } }),
    timeoutMs: config.timeoutMs + 10_000,
    // Long work: a client that can follow a task gets one (durable, readable on any replica).
    task: { support: 'optional' },
    fanout: {
      split: { argument: 'prompts', chunkSize: 1 },
      merge: (partials, ctx) => {
        const images: ImageEntry[] = [];
        const blocks: ContentBlock[] = [];
        const nodes = new Set<string>();
        for (const partial of partials) {
          const chunkImages = partial.content.filter((block) => block.type === 'image');
          for (const image of partial.structuredContent?.images ?? [])
            images.push({ ...image, content_index: blocks.length + image.content_index });
          blocks.push(...chunkImages);
          nodes.add(partial.nodeId ?? `chunk-${partial.index}`);
        }
        const args = ctx.arguments;
        const structured: Output = {
          images,
          metadata: metadataOf(
            images,
            args.prompts.length,
            nodes.size,
            args.style ?? 'realistic',
            args.resolution ?? '1024x1024',
          ),
        };
        return imageResult(structured, blocks);
      },
    },
    handler: async ({ prompts, style, resolution, num_images_per_prompt }, ctx) => {
      const { width, height } = parseResolution(resolution, config.maxPixels);
      const offset = ctx.chunk?.offset ?? 0;
      const images: ImageEntry[] = [];
      const blocks: ContentBlock[] = [];
      for (const [index, prompt] of prompts.entries()) {
        const pngs = await backend.generate({ prompt, style, width, height, count: num_images_per_prompt }, ctx.signal);
        for (const [variant, png] of pngs.entries()) {
          const size = pngSize(png);
          const mimeType = sniffImageType(png);
          images.push({
            content_index: blocks.length,
            prompt,
            prompt_index: offset + index,
            variant,
            mime_type: mimeType,
            width: size?.width ?? width,
            height: size?.height ?? height,
            bytes: png.length,
            sha256: createHash('sha256').update(png).digest('hex'),
            renderer: backend.renderer,
            node: ctx.nodeId,
          });
          blocks.push({ type: 'image', mimeType, data: png.toString('base64') });
        }
        ctx.progress(index + 1, prompts.length, `prompt ${offset + index + 1}`);
      }
      return imageResult({ images, metadata: metadataOf(images, prompts.length, 1, style, resolution) }, blocks);
    },
  });
}
