import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHalf, tensorFromJson, tensorToJson, toHalf } from '../src/cli/tensor-json.ts';

test('float16: exact values, rounding to nearest even, subnormals, overflow and NaN', () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00],
    [1e6, 0x7c00],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000],
    [3 * 2 ** -25, 0x0002],
    [2 ** -14, 0x0400],
    [1 + 2 ** -11, 0x3c00],
    [1 + 3 * 2 ** -11, 0x3c02],
    [Infinity, 0x7c00],
  ];
  for (const [v, bits] of cases) assert.equal(toHalf(v), bits, `toHalf(${v})`);
  assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
  for (const v of [0, 1, -2, 65504, 2 ** -24, 2 ** -14, 0.1015625, -Infinity])
    assert.equal(fromHalf(toHalf(v)), v, `round trip of ${v}`);
  assert.equal(fromHalf(0x3555), 0.333251953125);
  assert.equal(fromHalf(0x0001), 2 ** -24);
  assert.equal(fromHalf(0xfc00), -Infinity);
});

test('JSON ↔ tensors for the other types: bool, uint8, int8 range, float16, string, nested data', () => {
  assert.deepEqual(tensorFromJson('b', { type: 'bool', dims: [3], data: [true, 0, 1] }), {
    type: 'bool',
    dims: [3],
    data: Uint8Array.from([1, 0, 1]),
  });
  assert.deepEqual(
    tensorFromJson('u', {
      type: 'uint8',
      dims: [2, 2],
      data: [
        [0, 255],
        [1, 2],
      ],
    }).data,
    Uint8Array.from([0, 255, 1, 2]),
  );
  assert.throws(
    () => tensorFromJson('i', { type: 'int8', dims: [1], data: [128] }),
    /input "i": data\[0\] = 128 is not an int8/,
  );
  assert.throws(() => tensorFromJson('b', { type: 'bool', dims: [1], data: ['yes'] }), /is not a bool/);
  assert.throws(() => tensorFromJson('s', { type: 'string', dims: [1], data: [1] }), /is not a string/);
  const h = tensorFromJson('h', { type: 'float16', dims: [2], data: [1.5, 'Infinity'] });
  assert.deepEqual(h.data, Uint16Array.from([0x3e00, 0x7c00]));
  assert.deepEqual(tensorToJson(h).data, [1.5, 'Infinity']);
  assert.deepEqual(tensorToJson({ type: 'bool', dims: [2], data: Uint8Array.from([0, 1]) }).data, [false, true]);
  assert.deepEqual(tensorToJson({ type: 'string', dims: [1], data: ['a "b"'] }).data, ['a "b"']);
  assert.deepEqual(tensorToJson({ type: 'uint64', dims: [2], data: BigUint64Array.from([2n ** 64n - 1n, 7n]) }).data, [
    '18446744073709551615',
    7,
  ]);
  assert.deepEqual(tensorToJson({ type: 'float32', dims: [3], data: Float32Array.from([NaN, -Infinity, 0.5]) }).data, [
    'NaN',
    '-Infinity',
    0.5,
  ]);
});
