import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from '../../src/http/range.ts';

describe('parseRange', () => {
  const size = 100;
  for (const [header, expected] of [
    [undefined, undefined],
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=90-', { start: 90, end: 99 }],
    ['bytes=90-1000', { start: 90, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=-1000', { start: 0, end: 99 }],
    ['bytes=99-99', { start: 99, end: 99 }],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=10-5', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=-', undefined],
    ['bytes=abc', undefined],
    ['bytes=1e3-', undefined],
    ['bytes=0-1,5-6', undefined],
    ['items=0-5', undefined],
  ] as const) {
    it(`${header ?? '(none)'} → ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parseRange(header, size), expected));
  }
  it('nothing is satisfiable in an empty body', () => {
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseRange('bytes=-5', 0), 'unsatisfiable');
  });
});
