import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detExp, detLog, detLog1p } from './detmath.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);

test('detExp agrees with Math.exp to a few ulp over its range', () => {
  for (let i = 0; i <= 20000; i++) {
    const x = -700 + (i / 20000) * 1409.7;
    assert.ok(rel(detExp(x), Math.exp(x)) < 1e-15, `x = ${x}`);
  }
  assert.equal(detExp(0), 1);
  assert.equal(detExp(-701), 0);
  assert.equal(detExp(710), Infinity);
  assert.ok(Number.isNaN(detExp(NaN)));
});

test('detLog agrees with Math.log, subnormals to the largest double', () => {
  for (let i = 0; i <= 20000; i++) {
    const x = Math.exp(-740 + (i / 20000) * 1449);
    assert.ok(Math.abs(detLog(x) - Math.log(x)) <= 1e-15 * Math.max(1, Math.abs(Math.log(x))), `x = ${x}`);
  }
  assert.equal(detLog(1), 0);
  assert.ok(Math.abs(detLog(Number.MIN_VALUE) - Math.log(Number.MIN_VALUE)) < 1e-12);
  assert.equal(detLog(0), -Infinity);
  assert.ok(Number.isNaN(detLog(-1)));
});

test('detLog1p keeps precision for tiny x', () => {
  for (const x of [1e-300, 1e-20, 1e-10, 1e-5, 0.1, 0.5, 1, 10.9, 55.9, 1e10])
    assert.ok(rel(detLog1p(x), Math.log1p(x)) < 1e-15, `x = ${x}`);
  assert.equal(detLog1p(0), 0);
});
