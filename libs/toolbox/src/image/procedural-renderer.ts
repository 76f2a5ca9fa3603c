import { createHash } from 'node:crypto';
import { encodePng } from './png-encoder.js';

type Rgb = readonly [number, number, number];

// A few named palettes; any other style gets one derived from its name.
const PALETTES: Readonly<Record<string, readonly Rgb[]>> = {
  realistic: [
    [34, 49, 63],
    [91, 110, 96],
    [196, 178, 140],
    [232, 221, 203],
  ],
  anime: [
    [255, 183, 197],
    [130, 200, 255],
    [255, 240, 170],
    [90, 80, 160],
  ],
  watercolor: [
    [190, 220, 230],
    [240, 200, 210],
    [250, 240, 220],
    [160, 190, 170],
  ],
  noir: [
    [10, 10, 12],
    [60, 60, 66],
    [150, 150, 155],
    [235, 235, 235],
  ],
};

/** Deterministic random numbers from a digest (xorshift32 seeded by it). */
function generator(seed: Buffer): () => number {
  let state = seed.readUInt32BE(0) || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function paletteFor(style: string, digest: Buffer): readonly Rgb[] {
  const known = PALETTES[style.toLowerCase()];
  if (known) return known;
  const styleDigest = createHash('sha256').update(style).digest();
  return [0, 1, 2, 3].map(
    (i) => [styleDigest[i * 3]!, styleDigest[i * 3 + 1]!, (styleDigest[i * 3 + 2]! + digest[i]!) & 0xff] as const,
  );
}

/**
 * The built-in renderer for nodes without an image model: a PNG that is a pure function of
 * (prompt, style, variant, size) — a gradient sky and soft discs placed from the prompt's SHA-256 —
 * so tests and demos get real, distinct, reproducible images without a GPU.
 */
export function renderProcedural(
  prompt: string,
  style: string,
  variant: number,
  width: number,
  height: number,
): Buffer {
  const digest = createHash('sha256').update(`${prompt}\u0000${style}\u0000${variant}`).digest();
  const random = generator(digest);
  const palette = paletteFor(style, digest);
  const top = palette[0]!;
  const bottom = palette[1]!;
  const discs = Array.from({ length: 3 + (digest[4]! % 5) }, () => ({
    x: random() * width,
    y: random() * height,
    r: (0.05 + random() * 0.25) * Math.min(width, height),
    color: palette[2 + Math.floor(random() * (palette.length - 2))]!,
  })).map((disc) => ({ ...disc, r2: disc.r * disc.r }));
  const rgb = new Uint8Array(width * height * 3);
  // Plain numbers in the inner loop: this runs once per pixel (a million times at 1024x1024).
  for (let y = 0; y < height; y += 1) {
    const t = height === 1 ? 0 : y / (height - 1);
    const skyR = top[0] + (bottom[0] - top[0]) * t;
    const skyG = top[1] + (bottom[1] - top[1]) * t;
    const skyB = top[2] + (bottom[2] - top[2]) * t;
    for (let x = 0; x < width; x += 1) {
      let r = skyR;
      let g = skyG;
      let b = skyB;
      for (const disc of discs) {
        const dx = x - disc.x;
        const dy = y - disc.y;
        const squared = dx * dx + dy * dy;
        if (squared >= disc.r2) continue;
        const weight = (1 - Math.sqrt(squared) / disc.r) * 0.85;
        r += (disc.color[0] - r) * weight;
        g += (disc.color[1] - g) * weight;
        b += (disc.color[2] - b) * weight;
      }
      const at = (y * width + x) * 3;
      rgb[at] = r;
      rgb[at + 1] = g;
      rgb[at + 2] = b;
    }
  }
  return encodePng(width, height, rgb);
}
