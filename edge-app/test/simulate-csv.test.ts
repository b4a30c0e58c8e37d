// `tinylcm simulate --model … --data FILE.csv`: matching the CSV's columns to the model's feature
// names, cycling through the rows, and every refusal (exit 2) — the CLI's own dispatcher (one call
// as a real process), against a small registry stand-in that also proves nothing was created on the
// server when the file is refused.
import assert from 'node:assert/strict';
import { type CliHost, startCliHost } from '../../testing/cli-host.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../shared/cli/command.ts';
import { parseSimulateArgs } from '../src/cli/simulate.ts';
import {
  CsvStream,
  csvFeed,
  csvFeedRows,
  featureNames,
  feedPlan,
  parseModelSpec,
  type FeedModel,
} from '../src/sim/csv-feed.ts';

const FEATURES = ['Body Mass (g)', 'Flipper Length (mm)', 'bill, depth'];
const model = (metadata: FeedModel['metadata'], shape: FeedModel['inputs'][0]['shape'] = ['batch', 3]): FeedModel => ({
  name: 'penguins',
  version: 1,
  metadata,
  inputs: [{ name: 'x', type: 'float32', shape }],
});

describe('CSV feed: columns by feature name', () => {
  it('matches names with spaces, parentheses and commas in any order, and ignores extra columns', () => {
    const csv =
      'species,"bill, depth",Flipper Length (mm),Body Mass (g)\r\nAdelie,18.7,181,3750\r\nGentoo,"15",217,5200\r\n';
    assert.deepEqual(csvFeedRows(csv, FEATURES, 'p.csv'), [
      [3750, 181, 18.7],
      [5200, 217, 15],
    ]);
  });

  it('feature names: tabular preprocessing order, else features, else inputSchema names', () => {
    assert.deepEqual(featureNames({ features: ['a', 'b'] }), ['a', 'b']);
    assert.deepEqual(featureNames({ features: ['a', 'b'], preprocessing: { kind: 'tabular', features: ['b', 'a'] } }), [
      'b',
      'a',
    ]);
    assert.deepEqual(featureNames({ inputSchema: [{ name: 'u v', kind: 'numeric' }] }), ['u v']);
    assert.equal(featureNames({}), null);
  });

  it('rows go by name when the metadata names features, else as a float32 tensor shaped like the input', () => {
    const byName = csvFeed(
      model({ features: FEATURES }),
      `${FEATURES.map((f) => `"${f}"`).join(',')}\n1,2,3\n`,
      'f.csv',
    );
    assert.equal(byName.feed, 'by-name');
    assert.deepEqual(new CsvStream(byName, 1).next(), {
      'Body Mass (g)': 1,
      'Flipper Length (mm)': 2,
      'bill, depth': 3,
    });
    const schemaOnly = csvFeed(
      model({ inputSchema: FEATURES.map((name) => ({ name, kind: 'numeric' as const })) }),
      `${FEATURES.map((f) => `"${f}"`).join(',')}\n1,2,3\n`,
      'f.csv',
    );
    assert.deepEqual(schemaOnly.feed, { input: 'x', dims: [1, 3] });
    const feeds = new CsvStream(schemaOnly, 1).next() as Record<
      string,
      { type: string; dims: number[]; data: Float32Array }
    >;
    assert.deepEqual(feeds.x!.dims, [1, 3]);
    assert.deepEqual([...feeds.x!.data], [1, 2, 3]);
  });

  it('cycles through the file in order when a device needs more records than it holds', () => {
    const feed = { file: 'f.csv', features: ['a'], rows: [[1], [2], [3]], feed: 'by-name' as const };
    const stream = new CsvStream(feed, 7);
    const seen: number[] = [];
    while (!stream.done) seen.push((stream.next() as Record<string, number>).a!);
    assert.deepEqual(seen, [1, 2, 3, 1, 2, 3, 1]);
    assert.equal(stream.position, 7);
  });

  it('refuses a missing column, a non-number, an empty file, a width the ONNX input does not take', () => {
    assert.throws(
      () => csvFeedRows('Body Mass (g),x\n1,2\n', FEATURES, 'p.csv'),
      (e: Error) =>
        e instanceof UsageError && /p\.csv has no column "Flipper Length \(mm\)", "bill, depth"/.test(e.message),
    );
    assert.throws(
      () => csvFeedRows('a,b\n1,2\n3,n/a\n', ['a', 'b'], 'p.csv'),
      /p\.csv: row 2 \(line 3\), column "b": "n\/a" is not a number/,
    );
    assert.throws(
      () => csvFeedRows('a,b\n1,\n', ['a', 'b'], 'p.csv'),
      /row 1 \(line 2\), column "b": "" is not a number/,
    );
    assert.throws(() => csvFeedRows('a,b\n', ['a', 'b'], 'p.csv'), /p\.csv has a header but no rows/);
    assert.throws(() => csvFeedRows('', ['a'], 'p.csv'), /p\.csv: the file is empty/);
    assert.throws(
      () => feedPlan(model({ features: ['a', 'b'] }), ['a', 'b']),
      /input "x" takes 3 values per row, but it names 2 features/,
    );
    assert.throws(() => csvFeed(model({}), 'a\n1\n', 'p.csv'), /model penguins@1 names no features/);
  });

  it('--model without --data only for the demo model (the weather stream fits no other)', () => {
    const base = ['--server', 'http://127.0.0.1:1', '--token', 't', '--devices', '1', '--records', '5'];
    assert.throws(
      () => parseSimulateArgs([...base, '--model', 'penguins@1']),
      /--model penguins@1 needs --data FILE\.csv/,
    );
    assert.deepEqual(parseSimulateArgs([...base, '--model', 'seattle-weather@1']).model, {
      name: 'seattle-weather',
      version: 1,
    });
    assert.equal(parseSimulateArgs([...base, '--data', 'f.csv']).data, 'f.csv');
  });

  it('--model is NAME@VERSION or NAME:ALIAS', () => {
    assert.deepEqual(parseModelSpec('penguins@3'), { name: 'penguins', version: 3 });
    assert.deepEqual(parseModelSpec('penguins:champion'), { name: 'penguins', alias: 'champion' });
    for (const bad of ['penguins', 'penguins@0', 'penguins@v1', '@1', 'a:1x'])
      assert.throws(() => parseModelSpec(bad), UsageError, bad);
  });
});

const BIN = fileURLToPath(new URL('../../bin/tinylcm.js', import.meta.url));
const REAL = '<as its own process>';

describe('tinylcm simulate --data: refusals exit 2 with one line, before anything is created', () => {
  let dir = '';
  let registry: Server;
  let url = '';
  const writes: string[] = [];
  const versions: Record<string, unknown> = {
    '/api/v1/models/penguins/versions/1': {
      name: 'penguins',
      version: 1,
      metadata: { features: FEATURES },
      inputs: [{ name: 'x', type: 'float32', shape: ['batch', 3] }],
    },
    '/api/v1/models/anonymous/versions/1': {
      name: 'anonymous',
      version: 1,
      metadata: {},
      inputs: [{ name: 'x', type: 'float32', shape: ['batch', 3] }],
    },
    '/api/v1/models/penguins': { name: 'penguins', aliases: { champion: 1 } },
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sim-csv-'));
    // The registry's answers for two versions; every other path is the server's 404, and any write is recorded.
    registry = createServer((req, res) => {
      if (req.method !== 'GET') writes.push(`${req.method} ${req.url}`);
      const body = versions[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: { code: 'not_found', message: `no such model version ${req.url}` } }));
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
    host = await startCliHost('tinylcm');
  });
  after(async () => {
    await host.close();
    registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  let host: CliHost;
  /** Through the CLI host; `real` runs that call as its own process (once: it must exit by itself). */
  const simulate = async (modelSpec: string, csv: string | null, ...extra: string[]) => {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.csv`);
    if (csv !== null) await writeFile(file, csv);
    const real = extra[0] === REAL;
    const args = [
      'simulate',
      ...['--server', url, '--token', 't', '--devices', '1', '--records', '5'],
      ...['--model', modelSpec, '--data', file],
      ...extra.filter((a) => a !== REAL),
    ];
    if (!real) return { ...(await host.run(args)), file };
    return new Promise<{ code: number; stderr: string; file: string }>((resolve) => {
      execFile(process.execPath, [BIN, ...args], (err, _out, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr, file }),
      );
    });
  };
  const good = 'Body Mass (g),Flipper Length (mm),"bill, depth"\n3750,181,18.7\n';

  it('an unreadable file', async () => {
    const r = await simulate('penguins@1', null, REAL);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `tinylcm simulate: cannot read --data ${r.file}: ENOENT\n`);
  });

  it('a missing column, named with the file', async () => {
    const r = await simulate('penguins@1', 'Body Mass (g),species,"bill, depth"\n3750,Adelie,18.7\n');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `tinylcm simulate: ${r.file} has no column "Flipper Length (mm)" (the model's features: "Body Mass (g)", "Flipper Length (mm)", "bill, depth")\n`,
    );
  });

  it('a non-numeric value, named by row and column; through the alias form too', async () => {
    const r = await simulate('penguins:champion', `${good}4000,x,19\n`);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `tinylcm simulate: ${r.file}: row 2 (line 3), column "Flipper Length (mm)": "x" is not a number\n`,
    );
  });

  it('a model that names no features', async () => {
    const r = await simulate('anonymous@1', good);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^tinylcm simulate: model anonymous@1 names no features \(metadata "features" or "inputSchema"\)/,
    );
  });

  it('a version or alias the server does not have, --drift-at with --data, a bad --model', async () => {
    const missing = await simulate('penguins@9', good);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^tinylcm simulate: --model penguins@9: no such model version/);
    const alias = await simulate('penguins:staging', good);
    assert.equal(alias.code, 2, alias.stderr);
    assert.match(alias.stderr, /model penguins has no alias staging \(its aliases: champion\)/);
    const drift = await simulate('penguins@1', good, '--drift-at', '0.5');
    assert.equal(drift.code, 2);
    assert.match(drift.stderr, /--drift-at shifts the weather stream/);
    const bad = await simulate('penguins', good);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--model must be NAME@VERSION or NAME:ALIAS \(got "penguins"\)/);
  });

  it('created nothing on the server', () => assert.deepEqual(writes, []));
});
