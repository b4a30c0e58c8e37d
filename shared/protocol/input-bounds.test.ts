import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findInputProblem,
  formatInputPath,
  INT4_MAX,
  Int4DigitsSchema,
  jsonTextTooDeep,
  MAX_JSON_DEPTH,
  PositiveInt4Schema,
  textProblem,
} from './input-bounds.ts';

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('input bounds', () => {
  it('text: no NUL, no unpaired surrogate; pairs (emoji) and other control characters are fine', () => {
    assert.match(textProblem('a\u0000b')!, /NUL/);
    assert.match(textProblem('\ud800')!, /unpaired/);
    assert.match(textProblem('x\udc00')!, /unpaired/);
    assert.equal(textProblem('ok \ud83d\ude00 \t\n\u0001'), undefined);
  });

  it('finds the first bad string or key and names where it is', () => {
    assert.deepEqual(findInputProblem({ a: [1, { b: 'x\u0000' }] }), {
      path: ['a', 1, 'b'],
      problem: 'contains a NUL character (U+0000)',
    });
    assert.match(findInputProblem({ t: { 'k\u0000': 1 } })!.problem, /has a key that contains a NUL/);
    assert.deepEqual(findInputProblem({ t: { 'k\u0000': 1 } })!.path, ['t']);
    assert.match(findInputProblem(JSON.parse('{"__proto__": {}}'))!.problem, /__proto__/);
    assert.equal(findInputProblem({ a: ['ok', 1, null, true, { b: 2.5 }] }), undefined);
    assert.equal(formatInputPath(['model', 'name']), 'model.name');
    assert.equal(formatInputPath(['items', 3, 'a b']), 'items[3]["a b"]');
  });

  it('depth: a top-level object is level 1; beyond MAX_JSON_DEPTH is refused, without recursion', () => {
    assert.equal(findInputProblem(JSON.parse(nested(MAX_JSON_DEPTH))), undefined);
    assert.match(findInputProblem(JSON.parse(nested(MAX_JSON_DEPTH + 1)))!.problem, /nested deeper than 64/);
    assert.ok(findInputProblem(JSON.parse(nested(100_000))));
  });

  it('depth on JSON text, ignoring brackets inside strings and escaped quotes', () => {
    assert.equal(jsonTextTooDeep(nested(MAX_JSON_DEPTH)), false);
    assert.equal(jsonTextTooDeep(nested(MAX_JSON_DEPTH + 1)), true);
    assert.equal(jsonTextTooDeep(JSON.stringify({ a: '['.repeat(1000), b: '\\"[[[[' })), false);
    assert.equal(jsonTextTooDeep(`{"a": "\\"", "b": ${nested(MAX_JSON_DEPTH)}}`), true);
  });

  it('integers fit the integer columns they are stored in', () => {
    assert.equal(PositiveInt4Schema.safeParse(INT4_MAX).success, true);
    assert.equal(PositiveInt4Schema.safeParse(INT4_MAX + 1).success, false);
    assert.equal(PositiveInt4Schema.safeParse(0).success, false);
    assert.equal(Int4DigitsSchema.safeParse(String(INT4_MAX)).success, true);
    for (const bad of ['2147483648', '99999999999999999999', '-1', '1.5', '1e3', ''])
      assert.equal(Int4DigitsSchema.safeParse(bad).success, false, bad);
  });
});
