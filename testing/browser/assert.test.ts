// The browser's node:assert/strict (./assert.ts) must agree with Node's own: every case of the table
// runs against both, and any difference in outcome (passes, AssertionError with which operator, or
// which other error) fails. The stand-in's messages must name actual and expected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import shim from './assert.ts';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}
class Custom extends Error {
  code = 'E_CUSTOM';
}
const cyclic = (): Record<string, unknown> => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};
const sym = Symbol('s');
const withExtra = Object.assign([1, 2], { extra: true });
const sparse: unknown[] = [1];
sparse[2] = 3; // a hole at 1

/** [actual, expected] pairs for equal and deepEqual (and their negations). */
const pairs: [string, unknown, unknown][] = [
  ['same number', 1, 1],
  ['number and string', 1, '1'],
  ['NaN', Number.NaN, Number.NaN],
  ['0 and -0', 0, -0],
  ['null and undefined', null, undefined],
  ['same object', cyclic, cyclic],
  ['equal objects', { a: 1, b: [1, 'x'] }, { a: 1, b: [1, 'x'] }],
  ['key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
  ['nested difference', { a: { b: [1, 2] } }, { a: { b: [1, 3] } }],
  ['undefined property vs missing', { a: undefined }, {}],
  ['class instance vs literal', new Point(1, 2), { x: 1, y: 2 }],
  ['two instances', new Point(1, 2), new Point(1, 2)],
  ['null prototype', Object.assign(Object.create(null), { a: 1 }), { a: 1 }],
  ['arrays of different length', [1, 2], [1, 2, 3]],
  ['array vs array-like object', [1], { 0: 1 }],
  ['array with an extra key', withExtra, [1, 2]],
  ['sparse vs undefined', sparse, [1, undefined, 3]],
  ['-0 inside', [0], [-0]],
  ['NaN inside', [Number.NaN], [Number.NaN]],
  ['dates', new Date(5), new Date(5)],
  ['different dates', new Date(5), new Date(6)],
  ['regexps', /a/g, /a/g],
  ['regexp flags', /a/g, /a/i],
  ['errors with one message', new Error('x'), new Error('x')],
  ['errors with other messages', new Error('x'), new Error('y')],
  ['error classes', new TypeError('x'), new Error('x')],
  ['typed arrays', new Float32Array([1, 2]), new Float32Array([1, 2])],
  ['typed array types', new Uint8Array([1, 2]), new Int8Array([1, 2])],
  ['typed array values', new Uint8Array([1, 2]), new Uint8Array([1, 3])],
  ['typed array -0', new Float64Array([0]), new Float64Array([-0])],
  ['typed array vs array', new Uint8Array([1]), [1]],
  ['subarray views', new Uint8Array([9, 1, 2]).subarray(1), new Uint8Array([1, 2])],
  ['array buffers', new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2]).buffer],
  ['array buffers differ', new Uint8Array([1, 2]).buffer, new Uint8Array([1, 3]).buffer],
  [
    'maps',
    new Map<unknown, unknown>([
      ['a', 1],
      [{ k: 1 }, [2]],
    ]),
    new Map<unknown, unknown>([
      [{ k: 1 }, [2]],
      ['a', 1],
    ]),
  ],
  ['map values', new Map([['a', 1]]), new Map([['a', 2]])],
  ['map keys', new Map([['a', 1]]), new Map([['b', 1]])],
  ['sets', new Set([1, { a: 1 }]), new Set([{ a: 1 }, 1])],
  ['set members', new Set([1, { a: 1 }]), new Set([1, { a: 2 }])],
  ['set sizes', new Set([1]), new Set([1, 2])],
  ['set vs array', new Set([1]), [1]],
  ['symbol keys', { [sym]: 1 }, { [sym]: 1 }],
  ['symbol key values', { [sym]: 1 }, { [sym]: 2 }],
  ['missing symbol key', { [sym]: 1 }, {}],
  ['cycles', cyclic(), cyclic()],
  ['functions', () => 1, () => 1],
  ['boxed', Object(1), Object(1)],
  ['boxed values', Object(1), Object(2)],
  ['boxed vs primitive', Object(1), 1],
];

const error = (): Error => Object.assign(new Custom('disk full: 3 MB'), { details: { free: 3 } });
const thrower = (e: unknown) => () => {
  throw e;
};

/** [description, how to call an assert module]: each runs against both. */
const calls: [string, (a: typeof assert) => unknown][] = [
  ...pairs.flatMap(([what, x, y]): [string, (a: typeof assert) => unknown][] => [
    [`equal: ${what}`, (a) => a.equal(x, y)],
    [`notEqual: ${what}`, (a) => a.notEqual(x, y)],
    [`deepEqual: ${what}`, (a) => a.deepEqual(x, y)],
    [`deepEqual reversed: ${what}`, (a) => a.deepEqual(y, x)],
    [`notDeepEqual: ${what}`, (a) => a.notDeepEqual(x, y)],
  ]),
  ['ok: truthy', (a) => a.ok('x')],
  // With a message: without one, Node reads the failing call from the source file, and the
  // transpiled file sends its search astray (a hang).
  ['ok: 0', (a) => a.ok(0, 'zero')],
  ['assert(): empty string', (a) => a('', 'empty')],
  ['match', (a) => a.match('abc', /b/)],
  ['match: no match', (a) => a.match('abc', /d/)],
  ['match: not a string', (a) => a.match(undefined as never, /d/)],
  ['doesNotMatch', (a) => a.doesNotMatch('abc', /d/)],
  ['doesNotMatch: matches', (a) => a.doesNotMatch('abc', /b/)],
  ['fail', (a) => a.fail('no')],
  ['fail with an Error', (a) => a.fail(new RangeError('mine'))],
  ['throws: anything', (a) => a.throws(thrower(error()))],
  ['throws: nothing thrown', (a) => a.throws(() => 1)],
  ['throws: nothing thrown (class)', (a) => a.throws(() => 1, Custom)],
  ['throws: RegExp matches String(error)', (a) => a.throws(thrower(error()), /^Error: disk full/)],
  ['throws: RegExp does not match', (a) => a.throws(thrower(error()), /disk empty/)],
  ['throws: class', (a) => a.throws(thrower(error()), Custom)],
  ['throws: base class', (a) => a.throws(thrower(error()), Error)],
  ['throws: other class', (a) => a.throws(thrower(error()), RangeError)],
  ['throws: non-Error thrown, Error class', (a) => a.throws(thrower('text'), Error)],
  ['throws: validation function true', (a) => a.throws(thrower(error()), (e) => (e as Custom).code === 'E_CUSTOM')],
  ['throws: validation function false', (a) => a.throws(thrower(error()), (e) => (e as Custom).code === 'other')],
  ['throws: object', (a) => a.throws(thrower(error()), { code: 'E_CUSTOM', details: { free: 3 } })],
  ['throws: object with RegExp', (a) => a.throws(thrower(error()), { message: /disk full/ })],
  ['throws: object mismatch', (a) => a.throws(thrower(error()), { details: { free: 4 } })],
  ['throws: object, missing key', (a) => a.throws(thrower(error()), { missing: undefined })],
  ['throws: object, primitive thrown', (a) => a.throws(thrower(1), { code: 1 })],
  ['throws: Error instance', (a) => a.throws(thrower(new Error('x')), new Error('x'))],
  ['throws: Error instance, other message', (a) => a.throws(thrower(new Error('x')), new Error('y'))],
  ['throws: string is the message', (a) => a.throws(() => 1, 'it should throw')],
  ['doesNotThrow', (a) => a.doesNotThrow(() => 1)],
  ['doesNotThrow: throws', (a) => a.doesNotThrow(thrower(error()))],
  ['doesNotThrow: throws another class', (a) => a.doesNotThrow(thrower(error()), RangeError)],
];

/** Async cases: rejects and doesNotReject take a promise or a function returning one. */
const asyncCalls: [string, (a: typeof assert) => Promise<unknown>][] = [
  ['rejects: class', (a) => a.rejects(Promise.reject(error()), Custom)],
  ['rejects: other class', (a) => a.rejects(Promise.reject(error()), RangeError)],
  ['rejects: RegExp', (a) => a.rejects(async () => thrower(error())(), /disk full/)],
  ['rejects: object', (a) => a.rejects(Promise.reject(error()), { name: 'Error', code: 'E_CUSTOM' })],
  ['rejects: resolves', (a) => a.rejects(Promise.resolve(1))],
  ['rejects: function not returning a promise', (a) => a.rejects((() => 1) as never)],
  ['doesNotReject', (a) => a.doesNotReject(Promise.resolve(1))],
  ['doesNotReject: rejects', (a) => a.doesNotReject(Promise.reject(error()))],
];

/** What a call did, in terms both modules share: argument errors only by class (Node's wording differs). */
function outcomeOf(error: unknown): string {
  if (error === undefined) return 'passes';
  if (error instanceof assert.AssertionError || error instanceof shim.AssertionError) {
    const e = error as { name: string; code: string; operator: string };
    return `${e.name} ${e.code} ${e.operator}`;
  }
  return error instanceof Error ? `throws ${error.name}${error.message === 'mine' ? ' (its own)' : ''}` : String(error);
}

function differences(results: [string, string, string][]): string[] {
  return results
    .filter(([, node, mine]) => node !== mine)
    .map(([what, node, mine]) => `${what}: Node ${node}, shim ${mine}`);
}

const sync = (call: () => unknown): string => {
  try {
    call();
    return outcomeOf(undefined);
  } catch (e) {
    return outcomeOf(e);
  }
};
const later = (call: () => Promise<unknown>): Promise<string> => call().then(() => outcomeOf(undefined), outcomeOf);

describe('the browser node:assert/strict (testing/browser/assert.ts) behaves as Node’s', () => {
  it('on every synchronous case of the table', () => {
    const results = calls.map(([what, call]): [string, string, string] => [
      what,
      sync(() => call(assert)),
      sync(() => call(shim as never)),
    ]);
    assert.deepEqual(differences(results), []);
    // The table has both sides: a shim that always passed, or always failed, would not agree.
    assert.ok(results.some(([, node]) => node === 'passes'));
    assert.ok(results.some(([, node]) => node.startsWith('AssertionError')));
  });

  it('on every asynchronous case of the table', async () => {
    const results: [string, string, string][] = [];
    for (const [what, call] of asyncCalls)
      results.push([what, await later(() => call(assert)), await later(() => call(shim as never))]);
    assert.deepEqual(differences(results), []);
  });

  it('shows actual and expected in its messages', () => {
    assert.throws(() => shim.equal(1, 2), {
      message: /^Expected values to be strictly equal:\n\nactual: +1\nexpected: 2/,
    });
    assert.throws(() => shim.deepEqual({ a: [1] }, { a: [2] }), {
      message: /actual: +\{ a: \[ 1 \] \}\nexpected: \{ a: \[ 2 \] \}/,
      actual: { a: [1] },
      expected: { a: [2] },
    });
    assert.throws(() => shim.equal(1, 2, 'mine'), { message: 'mine', generatedMessage: false });
  });
});
