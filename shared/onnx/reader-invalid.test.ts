// What the registry must refuse: anything that is not a complete ONNX model.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOnnxError, bytesSource, readOnnxMetadata } from './reader.ts';
import type { OnnxMetadata } from './reader.ts';
import { bigInitializerModel, field, intField, randomBytes, sampleModel, str, varint } from './test-fixtures.ts';

const read = (bytes: Uint8Array | number[]) => readOnnxMetadata(bytesSource(Uint8Array.from(bytes)));

async function refused(bytes: Uint8Array | number[], message: RegExp): Promise<InvalidOnnxError> {
  let caught: unknown;
  await assert.rejects(
    read(bytes).catch((e: unknown) => {
      caught = e;
      throw e;
    }),
    (e: unknown) => e instanceof InvalidOnnxError && message.test(e.message),
  );
  return caught as InvalidOnnxError;
}

/** The smallest model the reader accepts, built by hand. */
const minimal = [...intField(1, 8), ...field(7, field(12, str(1, 'y'))), ...field(8, intField(2, 17))];

test('the hand-built minimal model is accepted', async () => {
  const m = await read(minimal);
  assert.equal(m.opset, 17);
  assert.deepEqual(m.outputs, [{ name: 'y', type: 'undefined', shape: null }]);
});

test('an empty file', async () => {
  await refused([], /the file is empty/);
});

test('random bytes, many seeds and sizes', async () => {
  for (let seed = 1; seed <= 300; seed++) {
    const bytes = randomBytes(seed, 1 + ((seed * 7919) % 5000));
    await assert.rejects(read(bytes), InvalidOnnxError, `seed ${seed}`);
  }
});

test('text and JSON files, with a hint saying so', async () => {
  const json = new TextEncoder().encode(JSON.stringify({ model: 'weather', layers: [1, 2, 3] }));
  await refused(json, /looks like text/);
  await refused(new TextEncoder().encode('date,precipitation\n2012-01-01,0.0\n'), /looks like text/);
});

test('a zip archive, with a hint saying so', async () => {
  const zip = [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, ...randomBytes(9, 200)];
  await refused(zip, /ZIP archive/);
});

test('wrong wire types for known fields name the field and its offset', async () => {
  // ir_version written as a string.
  const e = await refused(
    [...str(1, '8'), ...minimal.slice(2)],
    /ModelProto\.ir_version \(field 1\) has wire type length-delimited, expected varint/,
  );
  assert.equal(e.offset, 0);
  // graph written as a varint.
  await refused(
    [...intField(1, 8), ...intField(7, 3), ...field(8, intField(2, 17))],
    /ModelProto\.graph \(field 7\) has wire type varint/,
  );
  // a dim_value written as a string, deep inside the graph.
  const dim = field(1, str(1, 'oops'));
  const vi = [...str(1, 'y'), ...field(2, field(1, [...intField(1, 1), ...field(2, dim)]))];
  await refused([...intField(1, 8), ...field(7, field(12, vi)), ...field(8, intField(2, 17))], /Dimension\.dim_value/);
});

test('varints longer than 10 bytes', async () => {
  await refused([0x08, ...Array(11).fill(0x80), 0x00], /varint longer than 10 bytes/);
});

test('lengths beyond the file or beyond the enclosing message', async () => {
  const e = await refused(
    [...intField(1, 8), 0x3a, ...varint(1_000_000), 1, 2, 3],
    /length 1000000 runs past the end of the file \(\d+ bytes; truncated\?\)/,
  );
  assert.equal(e.offset, 3);
  // The graph claims 2 bytes but its output field claims 10.
  await refused(
    [...intField(1, 8), 0x3a, 0x02, 0x62, 0x0a, ...Array(12).fill(0)],
    /past the end of its enclosing message/,
  );
});

test('what a model must have: ir_version, graph, opset_import, a graph output', async () => {
  await refused(minimal.slice(2), /no ir_version/);
  await refused([...intField(1, 8), ...field(8, intField(2, 17))], /no graph/);
  await refused([...intField(1, 8), ...field(7, field(12, str(1, 'y')))], /no opset_import/);
  await refused([...intField(1, 8), ...field(7, str(2, 'g')), ...field(8, intField(2, 17))], /declares no outputs/);
  await refused([...intField(1, 0), ...minimal.slice(2)], /ir_version 0/);
  await refused([...minimal, ...field(7, field(12, str(1, 'z')))], /second graph/);
});

test('deeply nested types are refused rather than recursed into', async () => {
  let type: number[] = field(1, intField(1, 1));
  for (let i = 0; i < 40; i++) type = field(4, field(1, type));
  await refused(
    [...intField(1, 8), ...field(7, field(12, [...str(1, 'y'), ...field(2, type)])), ...field(8, intField(2, 17))],
    /nested deeper than 32/,
  );
});

test('the memory budget caps what a crafted file can make the reader keep', async () => {
  const many = Array.from({ length: 1200 }, () => field(14, [...str(1, 'k'), ...str(2, 'v'.repeat(100))])).flat();
  await assert.rejects(
    readOnnxMetadata(bytesSource(Uint8Array.from([...minimal, ...many])), { maxMetadataBytes: 100_000 }),
    /memory budget/,
  );
  assert.equal(Object.keys((await read([...minimal, ...many])).metadataProps).length, 1); // one key, last value wins
});

/**
 * A cut model may only parse when the cut fell between top-level fields and left a
 * still-valid model: then only trailing repeated fields (the second opset import,
 * metadata entries) can be missing.
 */
function assertValidPrefix(cut: OnnxMetadata, full: OnnxMetadata, at: number): void {
  const { metadataProps: cutProps, opsets: cutOpsets, ...cutRest } = cut;
  const { metadataProps: fullProps, opsets: fullOpsets, ...fullRest } = full;
  assert.deepEqual(cutRest, fullRest, `cut at ${at}`);
  assert.deepEqual(cutOpsets, fullOpsets.slice(0, cutOpsets.length), `cut at ${at}`);
  const cutKeys = Object.keys(cutProps);
  assert.ok(cutKeys.length < Object.keys(fullProps).length, `cut at ${at} parsed as the whole model`);
  for (const k of cutKeys) assert.equal(cutProps[k], fullProps[k]);
}

test('a real model cut at every byte is refused, or is a valid model missing only trailing fields', async () => {
  const bytes = sampleModel();
  const full = await read(bytes);
  let accepted = 0;
  for (let n = 0; n < bytes.length; n++) {
    try {
      assertValidPrefix(await read(bytes.subarray(0, n)), full, n);
      accepted++;
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.ok(e instanceof InvalidOnnxError, `cut at ${n}: ${String(e)}`);
    }
  }
  // Exactly the boundaries after the first opset import: before the second one and before each metadata entry.
  assert.equal(accepted, full.opsets.length - 1 + Object.keys(full.metadataProps).length);
});

test('a large model cut inside its tensor data is refused without reading the data', async () => {
  const bytes = bigInitializerModel(4 * 1024 * 1024);
  for (const n of [100, 1024 * 1024, bytes.length - 40, bytes.length - 1]) {
    await assert.rejects(
      read(bytes.subarray(0, n)),
      (e: unknown) => e instanceof InvalidOnnxError && /truncated|cut off|no opset_import/.test(e.message),
      `cut at ${n}`,
    );
  }
});

test('flipped bytes never crash the reader with anything but InvalidOnnxError', async () => {
  const bytes = sampleModel();
  const noise = randomBytes(42, 1800);
  for (let i = 0; i < 600; i++) {
    const copy = Uint8Array.from(bytes);
    copy[(noise[i * 2]! * 256 + noise[i * 2 + 1]!) % copy.length] = noise[(i * 3) % noise.length]!;
    try {
      await read(copy);
    } catch (e) {
      assert.ok(e instanceof InvalidOnnxError, `mutation ${i}: ${String(e)}`);
    }
  }
});
