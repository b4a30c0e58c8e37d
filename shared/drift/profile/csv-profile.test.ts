import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError } from '../../csv/reader.ts';
import { createRng } from '../../random/prng.ts';
import { buildProfile, ProfileInputError, ReferenceProfileSchema } from './index.ts';
import { decodeUtf8, profileFromCsv } from './csv-profile.ts';

const FEATURES = ['Body Mass (g)', 'Flipper Length (mm)', 'bill'];

function dataset(n: number, seed: number): { csv: string; rows: Record<string, string>[] } {
  const rng = createRng(seed);
  const rows: Record<string, string>[] = [];
  const lines = ['id,"Body Mass (g)",Flipper Length (mm),bill,species,"note, free"'];
  for (let i = 0; i < n; i++) {
    const mass = rng() < 0.05 ? '' : (3000 + rng() * 3000).toFixed(1);
    const flipper = String(Math.round(170 + rng() * 60));
    const bill = (rng() * 10 - 5).toExponential(3);
    const species = ['Adelie', 'Gentoo', 'Chinstrap'][Math.floor(rng() * 3)]!;
    rows.push({ 'Body Mass (g)': mass, 'Flipper Length (mm)': flipper, bill, species });
    lines.push(`${i},${mass},${flipper},${bill},${species},"say ""${i}"""`);
  }
  return { csv: `${lines.join(i2(seed) ? '\r\n' : '\n')}\n`, rows };
}
const i2 = (seed: number) => seed % 2 === 0;

/** The text in chunks of random sizes, as a file stream delivers it. */
function chunked(text: string, seed: number): () => AsyncIterable<string> {
  return async function* () {
    const rng = createRng(seed);
    for (let i = 0; i < text.length; ) {
      const n = 1 + Math.floor(rng() * 700);
      yield text.slice(i, i + n);
      i += n;
    }
  };
}

test('up to the sample size it is exactly buildProfile over the same rows, however the text is chunked', async () => {
  for (const seed of [1, 2, 3]) {
    const { csv, rows } = dataset(1500, seed);
    const want = buildProfile(rows, {
      features: FEATURES.map((name) => ({ name, kind: 'numeric' as const })),
      prediction: 'species',
    });
    const got = await profileFromCsv(chunked(csv, seed), { features: FEATURES, labelColumn: 'species' });
    const { classes, ...rest } = want;
    assert.deepEqual(got, { ...rest, classes: { ...classes!, column: 'species' } });
    assert.ok(ReferenceProfileSchema.safeParse(got).success);
  }
});

test('beyond the sample size: counts, moments and histogram counts stay exact, quantiles come from a seeded sample', async () => {
  const { csv, rows } = dataset(6000, 4);
  const exact = buildProfile(rows, { features: FEATURES.map((name) => ({ name, kind: 'numeric' as const })) });
  const got = await profileFromCsv(chunked(csv, 4), { features: FEATURES, sampleSize: 500 });
  const again = await profileFromCsv(chunked(csv, 9), { features: FEATURES, sampleSize: 500 });
  assert.deepEqual(got, again, 'same file, same profile');
  assert.ok(ReferenceProfileSchema.safeParse(got).success, 'a valid profile');
  got.features.forEach((f, i) => {
    const e = exact.features[i]!;
    assert.ok(f.kind === 'numeric' && e.kind === 'numeric');
    for (const k of ['count', 'missing', 'mean', 'm2', 'min', 'max'] as const)
      assert.equal(f[k], e[k], `${f.name} ${k}`);
    assert.equal(
      f.histogram.counts.reduce((a, b) => a + b, 0),
      f.count,
    );
    const spread = e.max! - e.min!;
    f.quantiles.forEach((q, j) =>
      assert.ok(
        Math.abs(q.value - e.quantiles[j]!.value) < 0.08 * spread,
        `${f.name} q${q.q}: ${q.value} vs ${e.quantiles[j]!.value}`,
      ),
    );
  });
});

async function refusal(
  csv: string,
  options: Parameters<typeof profileFromCsv>[1],
  pattern: RegExp,
  type: abstract new (...args: never[]) => Error = ProfileInputError,
) {
  await assert.rejects(
    profileFromCsv(chunked(csv, 1), options),
    (e: unknown) => e instanceof type && pattern.test((e as Error).message),
  );
}

test('refusals name the column, the row and the line', async () => {
  await refusal('a,b\n1,2\n', { features: ['a', 'Body Mass (g)'] }, /no column "Body Mass \(g\)".*header has "a", "b"/);
  await refusal('a,b\n1,2\n', { features: ['a'], labelColumn: 'y' }, /no column "y" \(the label column\)/);
  await refusal(
    '"Body Mass (g)",b\n1,2\n3,2\n4x,5\n',
    { features: ['Body Mass (g)'] },
    /column "Body Mass \(g\)", row 3 \(line 4\): "4x" is not a number/,
  );
  await refusal('a,b\n', { features: ['a'] }, /header but no data rows/);
  await refusal('', { features: ['a'] }, /empty/, CsvError);
  await refusal('a,b\n1\n', { features: ['a'] }, /line 2: expected 2 fields/, CsvError);
  await refusal('a,b\n1,2\n', { features: ['a', 'a'] }, /declared twice/);
  await refusal('a,b\n1,2\n', { features: ['a'], labelColumn: 'a' }, /also declared as a feature/);
  await refusal(
    'a,b\n1,x\n2,y\n3,z\n',
    { features: ['a'], labelColumn: 'b', maxCategories: 2 },
    /more than 2 distinct values/,
  );
});

test('bytes are decoded as UTF-8 across chunk boundaries; other bytes are refused', async () => {
  const bytes = new TextEncoder().encode('Größe (cm),y\n1,ä\n2,ö\n');
  const split = async function* () {
    for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
  };
  const p = await profileFromCsv(() => decodeUtf8(split()), { features: ['Größe (cm)'], labelColumn: 'y' });
  assert.deepEqual(p.classes?.labels, ['ä', 'ö']);
  const latin1 = async function* () {
    yield new Uint8Array([0x61, 0x0a, 0xe4, 0x0a]);
  };
  await assert.rejects(
    profileFromCsv(() => decodeUtf8(latin1()), { features: ['a'] }),
    /not UTF-8/,
  );
});
