import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../csv/reader.ts';
import { createRng } from '../../random/prng.ts';
import {
  columnKind,
  columnValues,
  computeDriftReport,
  DriftInputError,
  DriftReportSchema,
  isNumericField,
} from './index.ts';
import type { CsvTable, DriftReport } from './index.ts';

/** A table from named columns of equal length. */
function table(columns: Record<string, readonly (string | number)[]>): CsvTable {
  const header = Object.keys(columns);
  const n = header.length === 0 ? 0 : columns[header[0]!]!.length;
  const rows = Array.from({ length: n }, (_, i) => header.map((h) => String(columns[h]![i])));
  return { header, rows, lines: rows.map((_, i) => i + 2) };
}

const uniform = (n: number, shift = 0) => Array.from({ length: n }, (_, i) => (i + 0.5) / n + shift);
const twoLabels = (n: number, firstShare: number) =>
  Array.from({ length: n }, (_, i) => (i < Math.round(n * firstShare) ? 'a' : 'b'));

function assertCleanJson(report: DriftReport): void {
  const json = JSON.stringify(report);
  assert.ok(!/null|NaN|Infinity/.test(json), json.slice(0, 300));
  DriftReportSchema.parse(JSON.parse(json));
}

test('numeric when every non-empty value is a finite decimal number, decided over both sides', () => {
  for (const v of ['0', '-1.5', '+2', '.5', '5.', '1e-3', '2E+10', ' 7 ']) assert.ok(isNumericField(v), v);
  for (const v of ['abc', '0x10', 'Infinity', 'NaN', '1e999', '1,5', '--1', 'e3']) assert.ok(!isNumericField(v), v);
  assert.equal(columnKind(['1', '2.5'], ['3']), 'numeric');
  assert.equal(columnKind(['1', '2.5'], ['3', 'n/a']), 'categorical');
  const t = parseCsv('x\n1\n\n""\n  \n2\n');
  assert.deepEqual(columnValues(t.rows, 0), { values: ['1', '2'], missing: 2 });
});

test('reference of 1000 values: KS and chi-square p < 0.05 decide', () => {
  const r = computeDriftReport(
    table({ x: uniform(1000), c: twoLabels(1000, 0.5) }),
    table({ x: uniform(1000, 0.05), c: twoLabels(1000, 0.6) }),
  );
  const x = r.columns.x!;
  const c = r.columns.c!;
  assert.deepEqual(x.test, {
    method: 'ks',
    threshold: 0.05,
    rule: 'score < threshold',
    score: x.kind === 'numeric' ? x.ks.pValue : NaN,
  });
  assert.deepEqual(c.test, {
    method: 'chisquare',
    threshold: 0.05,
    rule: 'score < threshold',
    score: c.kind === 'categorical' ? c.chiSquare.pValue : NaN,
  });
  // A 0.05 shift of U(0,1) is below KS's power at n = 1000 but 0.17 standard deviations of Wasserstein.
  assert.equal(x.drift, false);
  assert.ok(x.kind === 'numeric' && x.wassersteinNormed >= 0.1);
  // 50/50 → 60/40 is far beyond chance for chi-square, but a Jensen–Shannon distance below 0.1.
  assert.equal(c.drift, true);
  assert.ok(c.jensenShannon < 0.1);
  assert.equal(r.share, 0.5);
  assert.equal(r.drift, true, 'half of the columns drifting is dataset drift');
  assertCleanJson(r);
});

test('reference of 1001 values: normed Wasserstein and Jensen–Shannon >= 0.1 decide, with the opposite verdicts', () => {
  const r = computeDriftReport(
    table({ x: uniform(1001), c: twoLabels(1001, 0.5) }),
    table({ x: uniform(1001, 0.05), c: twoLabels(1001, 0.6) }),
  );
  const x = r.columns.x!;
  const c = r.columns.c!;
  assert.equal(x.test.method, 'wasserstein_normed');
  assert.equal(x.test.threshold, 0.1);
  assert.equal(x.test.rule, 'score >= threshold');
  assert.ok(x.kind === 'numeric' && x.test.score === x.wassersteinNormed);
  assert.ok(x.kind === 'numeric' && Math.abs(x.wasserstein - 0.05) < 1e-12);
  assert.ok(x.kind === 'numeric' && Math.abs(x.referenceStd - Math.sqrt((1001 * 1001 - 1) / 12) / 1001) < 1e-12);
  assert.equal(x.drift, true);
  assert.equal(c.test.method, 'jensenshannon');
  assert.equal(c.test.score, c.jensenShannon);
  assert.equal(c.drift, false);
  assertCleanJson(r);
});

test('the boundary counts non-missing reference values only', () => {
  const ref = uniform(1001).map((v, i) => (i === 0 ? '' : v));
  const r = computeDriftReport(table({ x: ref }), table({ x: uniform(50) }));
  const x = r.columns.x!;
  assert.equal(x.nReference, 1000);
  assert.equal(x.nMissingReference, 1);
  assert.equal(x.test.method, 'ks');
});

test('dataset drift needs at least half of the columns', () => {
  const rng = createRng(3);
  const noise = (n: number) => Array.from({ length: n }, () => rng());
  const r = computeDriftReport(
    table({ a: uniform(200), b: noise(200), c: noise(200) }),
    table({ a: uniform(200, 5), b: noise(200), c: noise(200) }),
  );
  assert.equal(r.nDrifted, 1);
  assert.equal(r.nColumns, 3);
  assert.equal(r.drift, false);
});

test('unseen categories, constant columns and odd names give finite numbers', () => {
  const r = computeDriftReport(
    table({
      colour: ['red', 'red', 'blue', 'red'],
      k: [1, 1, 1, 1],
      ['__proto__']: ['a', 'b', 'a', 'b'],
      '1': [1, 2, 3, 4],
    }),
    table({
      colour: ['red', 'green', 'green', 'purple'],
      k: [1, 1, 2, 1],
      ['__proto__']: ['a', 'a', 'a', 'a'],
      '1': [1, 2, 3, 4],
      extra: [0, 0, 0, 0],
    }),
  );
  const colour = r.columns.colour!;
  assert.ok(colour.kind === 'categorical');
  assert.deepEqual(colour.unseen, ['green', 'purple']);
  assert.deepEqual(colour.histogram, {
    categories: ['blue', 'green', 'purple', 'red'],
    reference: [1, 0, 0, 3],
    current: [0, 2, 1, 1],
  });
  const k = r.columns.k!;
  // std(reference) is 0: the norm falls back to 0.001, as Evidently does.
  assert.ok(k.kind === 'numeric' && k.referenceStd === 0 && Math.abs(k.wassersteinNormed - 0.25 / 0.001) < 1e-9);
  assert.ok(Object.hasOwn(r.columns, '__proto__'));
  assert.equal(Object.getOwnPropertyDescriptor(r.columns, '__proto__')?.value.kind, 'categorical');
  assert.deepEqual(r.ignoredColumns, ['extra']);
  assertCleanJson(r);
});

test('input that cannot be compared is a DriftInputError naming the side and columns', () => {
  const names = { referenceName: 'REF.csv', currentName: 'CUR.csv' };
  const cases: [CsvTable, CsvTable, RegExp][] = [
    [
      table({ a: [1], b: [2], c: [3] }),
      table({ a: [1] }),
      /^CUR\.csv: missing columns "b", "c" \(present in REF\.csv\)$/,
    ],
    [table({ a: [] }), table({ a: [1] }), /^REF\.csv: no data rows/],
    [table({ a: [1] }), table({ a: [] }), /^CUR\.csv: no data rows/],
    [table({ a: ['', ' '] }), table({ a: [1] }), /^REF\.csv: column "a" has no values$/],
    [table({ a: [1] }), table({ a: [''] }), /^CUR\.csv: column "a" has no values$/],
  ];
  for (const [ref, cur, pattern] of cases) {
    assert.throws(
      () => computeDriftReport(ref, cur, names),
      (e: unknown) => e instanceof DriftInputError && pattern.test(e.message),
      String(pattern),
    );
  }
});
