/**
 * RGBA pixels → float32 image tensor, without the DOM: the worker and Node share it. Decoding a
 * Blob or ImageBitmap needs the browser (image-browser.ts), which then hands its ImageData here.
 */
import type { TensorData } from '../types.ts';
import { PreprocessError } from './schema.ts';
import type { ImagePreprocessing } from './schema.ts';

/** ImageData's shape: `data` is RGBA, 4 bytes per pixel, row by row. */
export interface ImageDataLike {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/**
 * One image gives [1, 3, H, W] (NCHW) or [1, H, W, 3] (NHWC); an array gives a batch. Images of
 * another size are resized bilinearly first. Alpha is dropped.
 */
export function imageTensor(spec: ImagePreprocessing, input: ImageDataLike | readonly ImageDataLike[]): TensorData {
  const images = Array.isArray(input) ? (input as readonly ImageDataLike[]) : [input as ImageDataLike];
  const { width: w, height: h } = spec;
  const plane = w * h;
  const data = new Float32Array(images.length * 3 * plane);
  // Per output channel: which RGBA byte it reads, and value = byte · mul + add.
  const src = spec.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const mul = src.map((_, c) => 1 / (spec.scale * spec.std[c]!));
  const add = src.map((_, c) => -spec.mean[c]! / spec.std[c]!);
  images.forEach((original, n) => {
    checkImage(original, images.length > 1 ? `image ${n}: ` : '');
    const img = original.width === w && original.height === h ? original : resizeRgba(original, w, h);
    const px = img.data;
    const base = n * 3 * plane;
    for (let c = 0; c < 3; c++) {
      const s = src[c]!,
        m = mul[c]!,
        a = add[c]!;
      if (spec.layout === 'NCHW') {
        const o = base + c * plane;
        for (let i = 0; i < plane; i++) data[o + i] = px[i * 4 + s]! * m + a;
      } else {
        for (let i = 0; i < plane; i++) data[base + i * 3 + c] = px[i * 4 + s]! * m + a;
      }
    }
  });
  const dims = spec.layout === 'NCHW' ? [images.length, 3, h, w] : [images.length, h, w, 3];
  return { type: 'float32', dims, data };
}

function checkImage(img: ImageDataLike, where: string): void {
  if (
    !img ||
    !Number.isInteger(img.width) ||
    !Number.isInteger(img.height) ||
    img.width < 1 ||
    img.height < 1 ||
    !img.data
  ) {
    throw new PreprocessError(`${where}expected ImageData (width, height, RGBA data)`);
  }
  if (img.data.length !== img.width * img.height * 4) {
    throw new PreprocessError(
      `${where}a ${img.width}×${img.height} RGBA image has ${img.width * img.height * 4} bytes, got ${img.data.length}`,
    );
  }
}

/**
 * Bilinear resize with pixel centres aligned (OpenCV's INTER_LINEAR, PyTorch's align_corners=false).
 * Shrinking by more than 2× skips pixels; the browser path resizes with the platform's filter instead.
 */
export function resizeRgba(img: ImageDataLike, width: number, height: number): ImageDataLike {
  const out = new Uint8ClampedArray(width * height * 4);
  const sx = img.width / width,
    sy = img.height / height;
  const px = img.data;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy),
      y1 = Math.min(y0 + 1, img.height - 1),
      wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx),
        x1 = Math.min(x0 + 1, img.width - 1),
        wx = fx - x0;
      const a = (y0 * img.width + x0) * 4,
        b = (y0 * img.width + x1) * 4;
      const c = (y1 * img.width + x0) * 4,
        d = (y1 * img.width + x1) * 4;
      const o = (y * width + x) * 4;
      for (let k = 0; k < 4; k++) {
        const top = px[a + k]! + (px[b + k]! - px[a + k]!) * wx;
        const bottom = px[c + k]! + (px[d + k]! - px[c + k]!) * wx;
        out[o + k] = top + (bottom - top) * wy;
      }
    }
  }
  return { width, height, data: out };
}
