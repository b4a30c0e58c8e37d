import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { before, describe } from 'node:test';
import { profileFromCsv } from '../../../shared/drift/profile/index.ts';
import { sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { api } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';
import type { RegistrySetup } from './registry.ts';

/** sampleModel() takes 3 features: names a newcomer's data would have. */
const FEATURES = ['Body Mass (g)', 'Flipper Length (mm)', 'bill depth'];

function trainingCsv(rows: number): string {
  const lines = ['id,"Body Mass (g)",Flipper Length (mm),bill depth,species'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `${i},${3000 + ((i * 37) % 2500)},${170 + (i % 60)},${(15 + (i % 7) * 0.5).toFixed(1)},${i % 3 === 0 ? 'Gentoo' : 'Adelie'}`,
    );
  return `${lines.join('\n')}\n`;
}

const textSource = (text: string) =>
  async function* () {
    yield text;
  };

/** Reference profiles built from training CSVs: on upload, later by PUT, and every refusal storing nothing. */
export function runReferenceTests(name: string, setup: () => Promise<RegistrySetup | undefined>): void {
  describe(`reference profiles from training CSVs: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let base = '';
    let scientist = '';
    let viewer = '';
    const model = sampleModel();

    const send = async (
      method: string,
      url: string,
      parts: Record<string, string | { csv: string } | Uint8Array>,
      token = scientist,
    ) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(parts)) {
        if (typeof v === 'string') form.set(k, v);
        else if (v instanceof Uint8Array) form.set(k, new Blob([v.slice()]), 'model.onnx');
        else form.set(k, new Blob([v.csv]), 'train.csv');
      }
      const res = await fetch(`${base}${url}`, {
        method,
        body: form,
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const metadata = (features: string[] = FEATURES) => JSON.stringify({ features, classLabels: ['Adelie', 'Gentoo'] });
    const staged = () => readdir(path.join(suite.ctx!.dataDir, 'staging')).catch(() => []);

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      base = ctx.server.url;
      scientist = (
        await api(`${base}/api/v1/tokens`, { token: ctx.adminToken, body: { name: 'sam', role: 'scientist' } })
      ).body.token;
      viewer = (await api(`${base}/api/v1/tokens`, { token: ctx.adminToken, body: { name: 'vic', role: 'viewer' } }))
        .body.token;
    });

    test('an upload with a training CSV stores the profile of exactly those columns, with the label column as classes', async () => {
      const csv = trainingCsv(800);
      const res = await send('POST', '/api/v1/models/penguins/versions', {
        file: model,
        metadata: metadata(),
        reference: { csv },
        labelColumn: 'species',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const v = (await api(`${base}/api/v1/models/penguins/versions/1`, { token: viewer })).body;
      const want = await profileFromCsv(textSource(csv), { features: FEATURES, labelColumn: 'species' });
      assert.deepEqual(v.metadata.referenceProfile, JSON.parse(JSON.stringify(want)));
      assert.deepEqual(v.metadata.features, FEATURES);
      assert.deepEqual(v.metadata.referenceProfile.classes.labels, ['Adelie', 'Gentoo']);
      assert.deepEqual(
        v.metadata.referenceProfile.features.map((f: any) => f.name),
        FEATURES,
        'the id column is ignored',
      );
    });

    test('refusals are 400s naming the column and row, and store nothing', async () => {
      const keysBefore = await suite.ctx!.blobKeys();
      const cases: [string, Record<string, string | { csv: string } | Uint8Array>, RegExp][] = [
        [
          'a missing feature column',
          { file: model, metadata: metadata(), reference: { csv: 'id,"Body Mass (g)",bill depth\n1,2,3\n' } },
          /no column "Flipper Length \(mm\)"/,
        ],
        [
          'a word in a numeric column',
          { file: model, metadata: metadata(), reference: { csv: trainingCsv(5).replace('\n3,', '\n3,heavy') } },
          /column "Body Mass \(g\)", row 4 \(line 5\): "heavy\d*" is not a number/,
        ],
        ['an empty file', { file: model, metadata: metadata(), reference: { csv: '' } }, /empty/],
        [
          'a header without rows',
          { file: model, metadata: metadata(), reference: { csv: trainingCsv(0) } },
          /no data rows/,
        ],
        [
          'more features than the input takes',
          { file: model, metadata: metadata([...FEATURES, 'id']), reference: { csv: trainingCsv(5) } },
          /input "features" takes 3 features .* but 4 feature names are declared/,
        ],
        [
          'fewer features than the input takes, without a CSV',
          { file: model, metadata: metadata(FEATURES.slice(0, 2)) },
          /takes 3 features/,
        ],
        [
          'a CSV without declared features',
          { file: model, reference: { csv: trainingCsv(5) } },
          /needs the model's feature names/,
        ],
        [
          'a label column that is not there',
          { file: model, metadata: metadata(), reference: { csv: trainingCsv(5) }, labelColumn: 'kind' },
          /no column "kind" \(the label column\)/,
        ],
        [
          'a label column without a CSV',
          { file: model, metadata: metadata(), labelColumn: 'species' },
          /no "reference" file/,
        ],
        [
          'a label column name of a megabyte',
          { file: model, metadata: metadata(), reference: { csv: trainingCsv(5) }, labelColumn: 'x'.repeat(1_000_000) },
          /longer than 200 characters/,
        ],
        [
          'a ragged row',
          { file: model, metadata: metadata(), reference: { csv: `${trainingCsv(3)}1,2\n` } },
          /line 5: expected 5 fields/,
        ],
      ];
      for (const [what, parts, message] of cases) {
        const res = await send('POST', '/api/v1/models/refused/versions', parts);
        assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error.message, message, what);
      }
      const big = await send('POST', '/api/v1/models/refused/versions', {
        file: model,
        metadata: metadata(),
        reference: { csv: trainingCsv(90_000) },
      });
      assert.equal(big.status, 413, 'a CSV above MAX_UPLOAD_BYTES');
      assert.equal((await api(`${base}/api/v1/models/refused`, { token: viewer })).status, 404, 'no model was created');
      assert.deepEqual(await suite.ctx!.blobKeys(), keysBefore, 'no blob was stored');
      assert.deepEqual(await staged(), [], 'no staged file was left behind');
    });

    test('PUT …/reference adds or replaces the profile of a version (by number or alias); a refusal keeps the old one', async () => {
      assert.equal(
        (await send('POST', '/api/v1/models/later/versions', { file: model, metadata: metadata() })).status,
        201,
      );
      assert.equal(
        (
          await api(`${base}/api/v1/models/later/aliases/champion`, {
            token: scientist,
            method: 'PUT',
            body: { version: 1 },
          })
        ).status,
        200,
      );
      const first = await send('PUT', '/api/v1/models/later/versions/1/reference', { file: { csv: trainingCsv(50) } });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.metadata.referenceProfile.rows, 50);
      assert.equal(first.body.metadata.referenceProfile.classes, undefined);
      const second = await send('PUT', '/api/v1/models/later/versions/champion/reference', {
        file: { csv: trainingCsv(70) },
        labelColumn: 'species',
      });
      assert.equal(second.status, 200);
      assert.equal(second.body.metadata.referenceProfile.rows, 70);
      assert.deepEqual(second.body.metadata.classLabels, ['Adelie', 'Gentoo'], 'the rest of the metadata stays');
      const refused = await send('PUT', '/api/v1/models/later/versions/1/reference', { file: { csv: 'x,y\n1,2\n' } });
      assert.equal(refused.status, 400);
      assert.match(refused.body.error.message, /no column "Body Mass \(g\)"/);
      assert.equal(
        (await api(`${base}/api/v1/models/later/versions/1`, { token: viewer })).body.metadata.referenceProfile.rows,
        70,
        'unchanged',
      );
      assert.equal(
        (await send('PUT', '/api/v1/models/later/versions/9/reference', { file: { csv: trainingCsv(5) } })).status,
        404,
      );
      assert.equal(
        (await send('PUT', '/api/v1/models/later/versions/1/reference', { file: { csv: trainingCsv(5) } }, viewer))
          .status,
        403,
      );
      assert.equal(
        (await send('PUT', '/api/v1/models/later/versions/1/reference', { labelColumn: 'species' })).status,
        400,
      );
      // A version that declares no features cannot match columns to inputs.
      assert.equal((await send('POST', '/api/v1/models/bare/versions', { file: model })).status, 201);
      const bare = await send('PUT', '/api/v1/models/bare/versions/1/reference', { file: { csv: trainingCsv(5) } });
      assert.equal(bare.status, 400);
      assert.match(bare.body.error.message, /declares no feature names/);
      assert.deepEqual(await staged(), []);
    });
  });
}
