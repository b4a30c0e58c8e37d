import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeImage, imageTensorFrom } from '../src/lcm/preprocess/image-browser.ts';
import { PreprocessError } from '../src/lcm/preprocess/schema.ts';
import type { ImagePreprocessing } from '../src/lcm/preprocess/schema.ts';

/** A w×h image in four solid quadrants: red, green / blue, white. */
function quadrants(w: number, h: number): OffscreenCanvas {
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d')!;
  const fills: [string, number, number][] = [
    ['#ff0000', 0, 0],
    ['#00ff00', w / 2, 0],
    ['#0000ff', 0, h / 2],
    ['#ffffff', w / 2, h / 2],
  ];
  for (const [colour, x, y] of fills) {
    ctx.fillStyle = colour;
    ctx.fillRect(x, y, w / 2, h / 2);
  }
  return canvas;
}

const spec = (over: Partial<ImagePreprocessing> = {}): ImagePreprocessing => ({
  kind: 'image',
  width: 2,
  height: 2,
  channelOrder: 'RGB',
  layout: 'NCHW',
  mean: [0, 0, 0],
  std: [1, 1, 1],
  scale: 255,
  ...over,
});

describe('image preprocessing from browser sources (Chromium)', () => {
  it('a PNG Blob decodes to raw RGBA at the model size and becomes an NCHW tensor', async () => {
    const blob = await quadrants(2, 2).convertToBlob({ type: 'image/png' });
    const t = await imageTensorFrom(spec(), blob);
    assert.deepEqual(t.dims, [1, 3, 2, 2]);
    // Planes R, G, B over the pixels red, green, blue, white.
    assert.deepEqual([...(t.data as Float32Array)], [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
  });

  it('resizes with the browser, reorders channels to BGR, lays out NHWC and standardises', async () => {
    const bitmap = await createImageBitmap(quadrants(64, 64));
    const t = await imageTensorFrom(
      spec({ channelOrder: 'BGR', layout: 'NHWC', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }),
      [bitmap, bitmap],
    );
    assert.deepEqual(t.dims, [2, 2, 2, 3]);
    const want = [
      [-1, -1, 1],
      [-1, 1, -1],
      [1, -1, -1],
      [1, 1, 1],
    ].flat();
    const got = [...(t.data as Float32Array).subarray(0, 12)];
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 0.02, `${v} is not within 0.02 of ${want[i]}`));
    assert.equal(bitmap.width, 64); // the caller's bitmap is left open
  });

  it('ImageData of the right size is used as is', async () => {
    const img = quadrants(2, 2).getContext('2d')!.getImageData(0, 0, 2, 2);
    assert.equal(await decodeImage(img, 2, 2), img);
  });

  it('bytes that are not an image are refused with a PreprocessError', async () => {
    try {
      await imageTensorFrom(spec(), new Blob(['not an image'], { type: 'image/png' }));
      assert.fail('should have failed');
    } catch (err) {
      assert.ok(err instanceof PreprocessError);
      assert.match((err as Error).message, /^cannot decode the image/);
    }
  });
});
