import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answer,
  answerFrame,
  decodeSyncAnswer,
  decodeSyncRequest,
  encodeSyncAnswer,
  encodeSyncRequest,
  initDeviceDoc,
  MAX_SYNC_CHANGES,
  MAX_SYNC_HEADS,
  report,
  setDesired,
  SyncFrameError,
  toBase64,
} from './index.ts';

const DEVICE = '11111111-1111-4111-8111-111111111111';
const H1 = '0123456789abcdef'.repeat(4);
const H2 = 'f'.repeat(64);

/** A frame written by hand: version, kind, then raw bytes. */
const frame = (...parts: (number | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p])));
const hash = (byte: number) => new Array<number>(32).fill(byte);
const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof SyncFrameError && pattern.test(err.message), String(pattern));

describe('binary sync frames', () => {
  it('round-trip a request and an answer with real Automerge changes', () => {
    const base = initDeviceDoc(DEVICE);
    const edited = report(setDesired(A.clone(base), { syncIntervalSec: 60 }), { status: 'ok' });
    const changes = A.getChanges(base, edited);
    assert.ok(changes.length >= 2);

    const req = { have: A.getHeads(edited), changes };
    assert.deepEqual(decodeSyncRequest(encodeSyncRequest(req)), req);

    const ans = { heads: [H1, H2], changes, missing: [H2] };
    assert.deepEqual(decodeSyncAnswer(encodeSyncAnswer(ans)), ans);

    const empty = { have: [], changes: [] };
    assert.deepEqual(decodeSyncRequest(encodeSyncRequest(empty)), empty);
  });

  it('answerFrame carries the same content as the JSON answer', () => {
    const base = initDeviceDoc(DEVICE);
    const server = setDesired(A.clone(base), { syncIntervalSec: 5 });
    const json = answer(server, { have: A.getHeads(base), changes: [] });
    const bin = decodeSyncAnswer(encodeSyncAnswer(answerFrame(server, A.getHeads(base))));
    assert.deepEqual({ ...bin, changes: bin.changes.map(toBase64) }, json);
    assert.equal(bin.changes.length, 1);
  });

  it('a no-change exchange for a document with one head is well under 100 bytes each way', () => {
    const doc = initDeviceDoc(DEVICE);
    assert.equal(A.getHeads(doc).length, 1);
    const up = encodeSyncRequest({ have: A.getHeads(doc), changes: [] });
    const down = encodeSyncAnswer(answerFrame(doc, A.getHeads(doc)));
    assert.equal(up.length, 36);
    assert.equal(down.length, 37);
    const json = JSON.stringify(answer(doc, { have: A.getHeads(doc), changes: [] }));
    assert.ok(down.length * 2 < json.length, `binary ${down.length} B vs JSON ${json.length} B`);
  });

  it('varints span several bytes for large lengths', () => {
    const big = new Uint8Array(300_000).fill(7);
    const back = decodeSyncRequest(encodeSyncRequest({ have: [], changes: [big] }));
    assert.deepEqual(back.changes[0], big);
  });

  describe('rejects malformed frames with a clear error', () => {
    const valid = encodeSyncRequest({ have: [H1], changes: [new Uint8Array([1, 2, 3])] });

    it('empty and truncated input, at every cut', () => {
      rejects(() => decodeSyncRequest(new Uint8Array()), /truncated: the version/);
      for (let cut = 1; cut < valid.length; cut++)
        rejects(() => decodeSyncRequest(valid.subarray(0, cut)), /truncated/);
      assert.deepEqual(decodeSyncRequest(valid).changes, [new Uint8Array([1, 2, 3])]);
    });

    it('trailing garbage', () => {
      rejects(() => decodeSyncRequest(frame(valid, 0)), /1 trailing byte/);
      rejects(
        () => decodeSyncAnswer(frame(encodeSyncAnswer({ heads: [], changes: [], missing: [] }), [9, 9])),
        /2 trailing byte/,
      );
    });

    it('a wrong version or kind', () => {
      rejects(() => decodeSyncRequest(frame(2, 1, 0, 0)), /version 2 is not supported/);
      rejects(() => decodeSyncRequest(frame(0x7b, 0x22)), /version 123/); // JSON sent as binary
      rejects(
        () => decodeSyncRequest(encodeSyncAnswer({ heads: [], changes: [], missing: [] })),
        /expected a request \(kind 1\), got kind 2/,
      );
      rejects(() => decodeSyncAnswer(encodeSyncRequest({ have: [], changes: [] })), /expected an answer/);
    });

    it('absurd counts, before allocating anything', () => {
      rejects(() => decodeSyncRequest(frame(1, 1, [0xe9, 0x07])), /count of "have" is 1001, beyond the limit of 1000/);
      rejects(() => decodeSyncRequest(frame(1, 1, [0xff, 0xff, 0xff, 0xff, 0x0f])), /beyond the limit/);
      rejects(() => decodeSyncRequest(frame(1, 1, 0, [0x91, 0x4e])), /count of changes is 10001/);
      // A count within the cap but beyond the bytes that follow.
      rejects(() => decodeSyncRequest(frame(1, 1, 3, hash(1))), /truncated: 3 hashes/);
      rejects(() => decodeSyncRequest(frame(1, 1, 0, [0x90, 0x4e], 1, 1)), /truncated: 10000 changes/);
      rejects(
        () => decodeSyncRequest(frame(1, 1, 0, 1, [0xff, 0xff, 0x7f], 1)),
        /truncated: change 0 \(2097151 bytes\)/,
      );
      rejects(() => decodeSyncAnswer(frame(1, 2, 0, 0, [0xe9, 0x07])), /"missing" is 1001/);
    });

    it('bad varints and empty changes', () => {
      rejects(() => decodeSyncRequest(frame(1, 1, [0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), /longer than 5 bytes/);
      rejects(() => decodeSyncRequest(frame(1, 1, [0x81, 0x00])), /not minimally encoded/);
      rejects(() => decodeSyncRequest(frame(1, 1, 0, 1, 0)), /change 0 is empty/);
    });

    it('a frame beyond the size cap', () => {
      rejects(
        () => decodeSyncRequest(valid, valid.length - 1),
        new RegExp(`${valid.length} bytes exceed the limit of ${valid.length - 1}`),
      );
      assert.equal(decodeSyncRequest(valid, valid.length).have[0], H1);
    });
  });

  it('refuses to encode what the other side would refuse', () => {
    rejects(() => encodeSyncRequest({ have: ['nothex'], changes: [] }), /not a 64-digit/);
    rejects(() => encodeSyncRequest({ have: [H1.toUpperCase()], changes: [] }), /not a 64-digit/);
    rejects(
      () => encodeSyncRequest({ have: new Array<string>(MAX_SYNC_HEADS + 1).fill(H1), changes: [] }),
      /1001 hashes in "have"/,
    );
    rejects(
      () =>
        encodeSyncRequest({ have: [], changes: new Array<Uint8Array>(MAX_SYNC_CHANGES + 1).fill(new Uint8Array(1)) }),
      /10001 changes/,
    );
  });
});
