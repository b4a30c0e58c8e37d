/**
 * Decoding for the browser (page or worker): a Blob (a photo, a camera frame) or an ImageBitmap
 * becomes ImageData of the model's size through createImageBitmap's resize and an OffscreenCanvas.
 */
import type { TensorData } from '../types.ts';
import { imageTensor } from './image.ts';
import type { ImageDataLike } from './image.ts';
import { PreprocessError } from './schema.ts';
import type { ImagePreprocessing } from './schema.ts';

export type ImageSource = Blob | ImageBitmap | ImageData;

export async function decodeImage(source: ImageSource, width: number, height: number): Promise<ImageData> {
  if (
    typeof ImageData !== 'undefined' &&
    source instanceof ImageData &&
    source.width === width &&
    source.height === height
  )
    return source;
  let bitmap: ImageBitmap;
  try {
    // Raw values: no colour-space conversion or premultiplied alpha between the file and the model.
    bitmap = await createImageBitmap(source, {
      resizeWidth: width,
      resizeHeight: height,
      resizeQuality: 'high',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
  } catch (err) {
    throw new PreprocessError(`cannot decode the image: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new PreprocessError('no 2D canvas context to read the image');
    ctx.drawImage(bitmap, 0, 0);
    return ctx.getImageData(0, 0, width, height);
  } finally {
    // The caller's own ImageBitmap is theirs to close; ours is released at once (it holds decoded pixels).
    if (bitmap !== source) bitmap.close();
  }
}

/** Blob / ImageBitmap / ImageData (one or a batch) → the model's image tensor. */
export async function imageTensorFrom(
  spec: ImagePreprocessing,
  input: ImageSource | readonly ImageSource[],
): Promise<TensorData> {
  const sources = Array.isArray(input) ? (input as readonly ImageSource[]) : [input as ImageSource];
  const images: ImageDataLike[] = await Promise.all(sources.map((s) => decodeImage(s, spec.width, spec.height)));
  return imageTensor(spec, images);
}
