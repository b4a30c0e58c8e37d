import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../random/prng.ts';
import { CsvError, CsvReader } from './reader.ts';

type Outcome = { header?: string[]; rows: string[][]; lines: number[] } | { error: string; line: number | undefined };

function read(chunks: readonly string[]): Outcome {
  const rows: string[][] = [];
  const lines: number[] = [];
  const reader = new CsvReader((f, l) => {
    rows.push(f);
    lines.push(l);
  });
  try {
    for (const c of chunks) reader.push(c);
    reader.end();
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    return { error: err.message, line: err.line };
  }
  return { header: reader.header!, rows, lines };
}

/** Random CSV-ish text from the characters that matter: quotes, separators, every kind of line break. */
function randomCsv(rng: () => number): string {
  const atoms = ['a', 'b', 'x y', ',', '"', '""', '\n', '\r\n', '\r', '"q,1"', '"multi\r\nline"', '', '1.5', '\ufeff'];
  let s = 'h1,h2,h3\n';
  const n = 1 + Math.floor(rng() * 30);
  for (let i = 0; i < n; i++) s += atoms[Math.floor(rng() * atoms.length)];
  return s;
}

test('text split anywhere reads exactly as the whole text: records, lines and errors', () => {
  const rng = createRng(7);
  for (let k = 0; k < 400; k++) {
    const text = randomCsv(rng);
    const whole = read([text]);
    for (let cut = 0; cut <= text.length; cut++) {
      assert.deepEqual(read([text.slice(0, cut), text.slice(cut)]), whole, `${JSON.stringify(text)} cut at ${cut}`);
    }
    // One character at a time: every boundary at once.
    assert.deepEqual(read([...text]), whole, JSON.stringify(text));
  }
});

test('records are handed on as soon as they are complete, not at the end', () => {
  const seen: string[][] = [];
  const reader = new CsvReader((f) => seen.push(f));
  reader.push('a,b\n1,2\n3,');
  assert.deepEqual(seen, [['1', '2']]);
  reader.push('4\r');
  assert.deepEqual(seen, [
    ['1', '2'],
    ['3', '4'],
  ]);
  reader.push('\n5,6');
  reader.end();
  assert.deepEqual(seen, [
    ['1', '2'],
    ['3', '4'],
    ['5', '6'],
  ]);
  assert.equal(reader.records, 3);
});
