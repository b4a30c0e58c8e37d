import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../random/prng.ts';
import { parseCsv } from './reader.ts';
import { csvField, csvRecord, toCsv } from './writer.ts';

test('fields are quoted only when they hold a comma, a quote, CR or LF; null and undefined are empty', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField(1.5), '1.5');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('a\rb'), '"a\rb"');
  assert.equal(csvField('a\nb'), '"a\nb"');
  assert.equal(csvField(null), '');
  assert.equal(csvField(undefined), '');
  assert.equal(csvRecord(['x', 2, null, 'y,z']), 'x,2,,"y,z"');
});

test('records end with CRLF unless told; the reader reads back what the writer wrote', () => {
  assert.equal(
    toCsv([
      ['a', 'b'],
      [1, 2],
    ]),
    'a,b\r\n1,2\r\n',
  );
  assert.equal(toCsv([['a'], ['x']], '\n'), 'a\nx\n');
  const rng = createRng(11);
  const atoms = ['a', ' ', ',', '"', '\r', '\n', '\r\n', 'é', '1.5', ''];
  for (let k = 0; k < 200; k++) {
    const cell = () =>
      Array.from({ length: Math.floor(rng() * 5) }, () => atoms[Math.floor(rng() * atoms.length)]).join('');
    const rows = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => [cell(), cell(), cell()]);
    const t = parseCsv(toCsv([['h1', 'h2', 'h3'], ...rows], k % 2 ? '\n' : '\r\n'));
    // A record of three empty fields writes as ",,": still a record, not a blank line.
    assert.deepEqual(t.rows, rows, JSON.stringify(rows));
  }
});
