import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOnnxError, WireReader, blobSource, bytesSource } from './wire.ts';

const reader = (bytes: number[], chunk?: number) => new WireReader(bytesSource(Uint8Array.from(bytes)), chunk);

test('varints: one byte, several bytes, 64-bit two’s complement', async () => {
  const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  const r = reader([0x08, 0xac, 0x02, ...minusOne, ...minusOne, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  assert.equal(await r.varint(r.size, 'x'), 8);
  assert.equal(await r.varint(r.size, 'x', true), 300);
  assert.equal(await r.varint(r.size, 'x', true), -1);
  assert.equal(await r.varint(r.size, 'x'), 2 ** 64); // unsigned 2^64 − 1, as near as a double gets
  assert.equal(await r.varint(r.size, 'x'), 2 ** 63 - 2);
  assert.equal(r.pos, r.size);
});

test('a varint may straddle the read window', async () => {
  const r = reader([0x01, 0x02, 0xac, 0x02, 0x05], 3);
  assert.equal(await r.varint(5, 'x'), 1);
  assert.equal(await r.varint(5, 'x'), 2);
  assert.equal(await r.varint(5, 'x'), 300);
  assert.equal(await r.varint(5, 'x'), 5);
});

test('varints longer than 10 bytes, overflowing 64 bits, or cut off are refused with their offset', async () => {
  const long = reader([0x00, ...Array(10).fill(0x80), 0x01]);
  assert.equal(await long.varint(12, 'x'), 0);
  await assert.rejects(
    long.varint(12, 'x'),
    (e: unknown) => e instanceof InvalidOnnxError && /longer than 10 bytes/.test(e.message) && e.offset === 1,
  );
  await assert.rejects(reader([...Array(9).fill(0xff), 0x02]).varint(10, 'x'), /overflows 64 bits/);
  await assert.rejects(
    reader([0x80, 0x80]).varint(2, 'x'),
    (e: unknown) => e instanceof InvalidOnnxError && /cut off by the end of the file/.test(e.message),
  );
  // The enclosing message ends before the varint does.
  await assert.rejects(reader([0x80, 0x80, 0x01]).varint(2, 'x'), /cut off by the end of its message/);
});

test('tags: field numbers and wire types', async () => {
  const r = reader([0x3a, 0x08, 0xa2, 0x01]);
  assert.deepEqual(await r.tag(4, 'M'), { field: 7, wireType: 2, offset: 0 });
  assert.deepEqual(await r.tag(4, 'M'), { field: 1, wireType: 0, offset: 1 });
  assert.deepEqual(await r.tag(4, 'M'), { field: 20, wireType: 2, offset: 2 });
  await assert.rejects(reader([0x02]).tag(1, 'M'), /invalid field number 0/);
  await assert.rejects(reader([0x0b]).tag(1, 'M'), /groups/);
  await assert.rejects(reader([0x0c]).tag(1, 'M'), /groups/);
  await assert.rejects(reader([0x0e]).tag(1, 'M'), /invalid wire type 6/);
  await assert.rejects(reader([0x0f]).tag(1, 'M'), /invalid wire type 7/);
});

test('lengths must stay inside the file and the enclosing message', async () => {
  await assert.rejects(
    reader([0x05, 1, 2]).length(3, 'f'),
    (e: unknown) =>
      e instanceof InvalidOnnxError && /past the end of the file \(3 bytes/.test(e.message) && e.offset === 0,
  );
  await assert.rejects(reader([0x02, 1, 2, 3]).length(2, 'f'), /past the end of its enclosing message/);
  const r = reader([0x02, 1, 2, 3]);
  assert.equal(await r.length(4, 'f'), 2);
});

test('skip jumps over payloads by offset without reading them', async () => {
  const reads: [number, number][] = [];
  const big = new Uint8Array(1_000_000);
  big.set([0x0a, 0xf0, 0x80, 0x3d], 0); // field 1, length 999 536 = 0x70 + 0·2^7 + 61·2^14, ending 460 bytes before the end
  big.set([0x10, 0x2a], 1_000_000 - 460); // field 2 varint 42
  const source = {
    size: big.length,
    read: async (o: number, l: number) => (reads.push([o, l]), big.subarray(o, o + l)),
  };
  const r = new WireReader(source, 256);
  const t = await r.tag(big.length, 'M');
  await r.skip(t, big.length, 'M');
  assert.equal(r.pos, 1_000_000 - 460);
  assert.deepEqual(await r.tag(big.length, 'M'), { field: 2, wireType: 0, offset: 1_000_000 - 460 });
  assert.equal(await r.varint(big.length, 'x'), 42);
  assert.equal(
    reads.reduce((s, [, l]) => s + l, 0),
    256 + 256,
  );
});

test('fixed-width values are skipped and checked against the message end', async () => {
  const r = reader([0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x15, 1, 2, 3, 4]);
  await r.skip(await r.tag(14, 'M'), 14, 'M');
  await r.skip(await r.tag(14, 'M'), 14, 'M');
  assert.equal(r.pos, 14);
  const cut = reader([0x09, 1, 2, 3]);
  await assert.rejects(cut.skip(await cut.tag(4, 'M'), 4, 'M'), /fixed-width value cut off/);
});

test('strings are UTF-8, including ones longer than the read window', async () => {
  const text = 'größe ✓ '.repeat(40);
  const bytes = new TextEncoder().encode(text);
  const r = new WireReader(bytesSource(bytes), 16);
  assert.equal(await r.string(bytes.length), text);
  const s = new WireReader(bytesSource(bytes), 1024);
  assert.equal(await s.string(bytes.length), text);
});

test('blobSource reads byte ranges of a Blob', async () => {
  const source = blobSource(new Blob([Uint8Array.from([1, 2, 3, 4, 5])]));
  assert.equal(source.size, 5);
  assert.deepEqual([...(await source.read(1, 3))], [2, 3, 4]);
});
