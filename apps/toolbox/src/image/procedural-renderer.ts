import { createHash } from 'node:crypto';
import { encodePng } from './png-encoder.js';

type Rgb = readonly [number, number, number];

// A few named palettes; any other style gets one derived from its name.
const PALETTES: Readonly<Record<string, readonly Rgb[]>> = {
  realistic: [[34, 49, 63], [91, 110, 96], [196, 178, 140], [232, 221, 203]],
  anime: [[255, 183, 197], [130, 200, 255], [255, 240, 170], [90, 80, 160]],
  watercolor: [[190, 220, 230], [240, 200, 210], [250, 240, 220], [160, 190, 170]],
  noir: [[10, 10, 12], [60, 60, 66], [150, 150, 155], [235, 235, 235]],
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
  return [0, 1, 2, 3].map((i) => [styleDigest[i * 3]!, styleDigest[i * 3 + 1]!, (styleDigest[i * 3 + 2]! + digest[i]!) & 0xff] as const);
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/**
 * The built-in renderer for nodes without an image model: a PNG that is a pure function of
 * (prompt, style, variant, size) — a gradient sky and soft discs placed from the prompt's SHA-256 —
 * so tests and demos get real, distinct, reproducible images without a GPU.
 */
export function renderProcedural(prompt: string, style: string, variant: number, width: number, height: number): Buffer {
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
  }));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    const sky = mix(top, bottom, height === 1 ? 0 : y / (height - 1));
    for (let x = 0; x < width; x += 1) {
      let pixel = sky;
      for (const disc of discs) {
        const distance = Math.hypot(x - disc.x, y - disc.y) / disc.r;
        if (distance < 1) pixel = mix(pixel, disc.color, (1 - distance) * 0.85);
      }
      const at = (y * width + x) * 3;
      rgb[at] = pixel[0];
      rgb[at + 1] = pixel[1];
      rgb[at + 2] = pixel[2];
    }
  }
  return encodePng(width, height, rgb);
}
