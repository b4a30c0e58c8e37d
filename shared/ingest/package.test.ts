import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync, strFromU8, strToU8 } from 'fflate';
import { createTar, parseTar } from 'nanotar';
import { buildPackage, PackageError, PackageTooLargeError, sha256Hex } from './package.ts';
import { readPackage } from './unpack.ts';

const record = (i: number) => ({
  id: `r${i}`,
  ts: 1_700_000_000_000 + i,
  model: { name: 'm', version: 1, sha256: 'x' },
  output: { label: i % 2 ? 'cat' : 'dog' },
  latencyMs: 2.5,
  confidence: 0.9,
  drift: 0,
});

/** Rebuilds a package with one file's bytes changed by `edit`, keeping the manifest as it was. */
function tamper(pkg: Uint8Array, name: string, edit: (data: Uint8Array) => Uint8Array): Uint8Array {
  const files = parseTar(gunzipSync(pkg)).map((f) => ({
    name: f.name,
    data: f.name === name ? edit(f.data!) : f.data!,
  }));
  return gzipSync(createTar(files));
}

describe('log package', () => {
  it('round-trips records, attachments and the manifest', async () => {
    const records = [record(1), record(2), record(3)];
    const pkg = await buildPackage('b-1', records, { 'inputs/r1.png': new Uint8Array([1, 2, 3]) }, { deviceId: 'd1' });
    const read = await readPackage(pkg);
    assert.equal(read.manifest.batchId, 'b-1');
    assert.equal(read.manifest.deviceId, 'd1');
    assert.equal(read.manifest.records, 3);
    assert.deepEqual(
      read.manifest.files.map((f) => f.name),
      ['records.jsonl', 'inputs/r1.png'],
    );
    assert.deepEqual(read.records, records);
    assert.deepEqual(read.attachments.get('inputs/r1.png'), new Uint8Array([1, 2, 3]));
  });

  it('packs the same batch to the same bytes (a resend is identical)', async () => {
    const a = await buildPackage('b-2', [record(1)]);
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(await buildPackage('b-2', [record(1)]), a);
  });

  it('refuses a tampered file, a truncated package, garbage and a wrong record count', async () => {
    const pkg = await buildPackage('b-3', [record(1), record(2)]);
    await assert.rejects(
      readPackage(tamper(pkg, 'records.jsonl', (d) => strToU8(strFromU8(d).replace('"r1"', '"r7"')))),
      (e: Error) => e instanceof PackageError && /sha256/.test(e.message),
    );
    await assert.rejects(readPackage(tamper(pkg, 'records.jsonl', (d) => d.slice(0, -3))), /bytes, the manifest says/);
    await assert.rejects(readPackage(pkg.slice(0, pkg.length - 10)), PackageError);
    await assert.rejects(readPackage(new TextEncoder().encode('not a package')), /not gzip/);
    const badCount = tamper(pkg, 'manifest.json', (d) =>
      new TextEncoder().encode(new TextDecoder().decode(d).replace('"records":2', '"records":3')),
    );
    await assert.rejects(readPackage(badCount), /manifest says 3/);
    const extra = gzipSync(
      createTar([
        ...parseTar(gunzipSync(pkg)).map((f) => ({ name: f.name, data: f.data! })),
        { name: 'sneaky', data: new Uint8Array([1]) },
      ]),
    );
    await assert.rejects(readPackage(extra), /not listed/);
    await assert.rejects(readPackage(pkg, { maxUnpackedBytes: 100 }), /more than 100 bytes/);
  });

  it('stops a bomb inside the tar at the first limit: a record line without end, more lines than allowed', async () => {
    const withRecords = async (data: Uint8Array) => {
      const pkg = await buildPackage('b-5', [record(1)]);
      const manifest = JSON.parse(strFromU8(parseTar(gunzipSync(pkg))[0]!.data!)) as {
        records: number;
        files: { name: string; sha256: string; size: number }[];
      };
      manifest.records = 1_000_000;
      manifest.files[0] = { name: 'records.jsonl', sha256: await sha256Hex(data), size: data.length };
      return gzipSync(
        createTar([
          { name: 'manifest.json', data: strToU8(JSON.stringify(manifest)) },
          { name: 'records.jsonl', data },
        ]),
      );
    };
    const unbroken = await withRecords(new Uint8Array(4 * 1024 * 1024));
    await assert.rejects(
      readPackage(unbroken, { maxRecords: 2_000_000 }),
      (e: Error) =>
        e instanceof PackageTooLargeError &&
        e.limit === 'record_bytes' &&
        /line 1 is longer than the limit of 65536/.test(e.message),
    );
    await assert.rejects(
      readPackage(unbroken),
      (e: Error) => e instanceof PackageTooLargeError && e.limit === 'records',
      'the manifest claims more than MAX_BATCH_RECORDS',
    );
    const lines = await withRecords(strToU8(`${JSON.stringify(record(1))}\n`.repeat(20)));
    await assert.rejects(
      readPackage(lines, { maxRecords: 2_000_000, maxUnpackedBytes: 2 ** 30 }),
      /holds 20 records, the manifest says 1000000/,
    );
    await assert.rejects(
      readPackage(await withRecords(new Uint8Array(0)), { maxRecords: 10, maxRecordBytes: 10 }),
      /manifest says 1000000 records, more than the limit of 10/,
    );
  });

  it('refuses an invalid record and an unsafe batch id', async () => {
    const bad = await buildPackage('b-4', [{ ...record(1), ts: 'yesterday' }]);
    await assert.rejects(readPackage(bad), /line 1/);
    await assert.rejects(buildPackage('../etc', [record(1)]));
  });
});
