/**
 * The PWA's icons and web manifest, generated at build time: PNGs drawn from the same shapes as
 * public/icons/icon.svg (a ring and a dot on the brand green), anti-aliased by 4×4 supersampling.
 * `maskable` icons fill the whole square (the platform cuts its own shape; the glyph stays inside
 * the 80 % safe zone), the others have rounded corners.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';

export const THEME_COLOR = '#0b6e4f';
export const BACKGROUND_COLOR = '#f6f8fa';

type Rgb = [number, number, number];
const hex = (h: string): Rgb => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;

export interface IconSpec {
  file: string;
  size: number;
  /** Full-bleed background (maskable, Apple touch) instead of rounded corners. */
  fullBleed: boolean;
}

export const ICONS: IconSpec[] = [
  { file: 'icon-192.png', size: 192, fullBleed: false },
  { file: 'icon-512.png', size: 512, fullBleed: false },
  { file: 'icon-maskable-512.png', size: 512, fullBleed: true },
  { file: 'apple-touch-icon.png', size: 180, fullBleed: true },
];

/** Coverage of each layer at a point of the 512-unit design square. */
function layers(x: number, y: number, fullBleed: boolean): { bg: boolean; fg: boolean } {
  let bg = true;
  if (!fullBleed) {
    // Rounded rectangle, corner radius 96 (as the SVG).
    const r = 96;
    const cx = Math.min(Math.max(x, r), 512 - r);
    const cy = Math.min(Math.max(y, r), 512 - r);
    bg = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  }
  const d = Math.hypot(x - 256, y - 256);
  const fg = bg && ((d >= 120 - 18 && d <= 120 + 18) || d <= 40);
  return { bg, fg };
}

export function drawIcon(spec: IconSpec): Buffer {
  const { size } = spec;
  const png = new PNG({ width: size, height: size });
  const green = hex(THEME_COLOR);
  const S = 4;
  const scale = 512 / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const l = layers((px + (sx + 0.5) / S) * scale, (py + (sy + 0.5) / S) * scale, spec.fullBleed);
          if (l.bg) bg++;
          if (l.fg) fg++;
        }
      }
      const a = bg / (S * S);
      const white = bg ? fg / bg : 0; // share of white within the covered area
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) png.data[i + c] = Math.round(green[c]! * (1 - white) + 255 * white);
      png.data[i + 3] = Math.round(a * 255);
    }
  }
  return PNG.sync.write(png);
}

export function manifest(version: string) {
  return {
    id: '/',
    name: 'TinyLCM',
    short_name: 'TinyLCM',
    description: 'Offline-first edge ML: versioned ONNX models, on-device inference, drift monitoring and sync',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    display_override: ['fullscreen', 'standalone'],
    orientation: 'any',
    background_color: BACKGROUND_COLOR,
    theme_color: THEME_COLOR,
    categories: ['productivity', 'utilities'],
    version,
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: '/icons/apple-touch-icon.png', sizes: '180x180', type: 'image/png' },
      { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
  };
}

/** Writes the icons under `<dir>/icons/` and `<dir>/manifest.webmanifest`. */
export async function writeIconsAndManifest(dir: string, version: string): Promise<void> {
  await mkdir(path.join(dir, 'icons'), { recursive: true });
  await Promise.all(ICONS.map((spec) => writeFile(path.join(dir, 'icons', spec.file), drawIcon(spec))));
  await writeFile(path.join(dir, 'manifest.webmanifest'), `${JSON.stringify(manifest(version), null, 2)}\n`);
}
