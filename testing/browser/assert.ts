/**
 * node:assert/strict for the browser tests: web-test-runner.config.mjs maps the import here, so a
 * test reads the same in Node and in Chromium. The subset the tests use, with Node's semantics
 * (Object.is, isDeepStrictEqual, the matchers of throws/rejects); messages show actual and expected.
 * testing/browser/assert.test.ts runs a table of cases against this and Node's own.
 */
import { isDeepStrictEqual } from './deep-equal.ts';
import { inspect } from './inspect.ts';

type Fn = (...args: never[]) => unknown;
type Message = string | Error | undefined;
/** What throws/rejects accept: a RegExp for String(error), a class, a validation function or an object. */
type Matcher = RegExp | Fn | object;

export class AssertionError extends Error {
  override name = 'AssertionError';
  readonly code = 'ERR_ASSERTION';
  actual: unknown;
  expected: unknown;
  operator: string;
  generatedMessage: boolean;

  constructor(options: { message?: string; actual?: unknown; expected?: unknown; operator: string }) {
    super(options.message ?? `${inspect(options.actual)} ${options.operator} ${inspect(options.expected)}`);
    this.actual = reportable(options.actual);
    this.expected = reportable(options.expected);
    this.operator = options.operator;
    this.generatedMessage = options.message === undefined;
  }
}

/**
 * A DOM node stands in as its description: web-test-runner serialises a failure's actual and
 * expected by walking them, and a node's graph (the whole document) never finishes — the run hung
 * instead of reporting the failure.
 */
const reportable = (value: unknown): unknown =>
  typeof Node !== 'undefined' && value instanceof Node ? inspect(value) : value;

interface Failure {
  actual: unknown;
  expected: unknown;
  operator: string;
}

/** Throws `message` if it is an Error, else an AssertionError saying `message`, or `generated` without one. */
function fail(what: Failure, message: Message, generated: string): never {
  if (message instanceof Error) throw message;
  const err = new AssertionError({ ...what, message: message ?? generated });
  err.generatedMessage = message === undefined;
  throw err;
}

const versus = (actual: unknown, expected: unknown) =>
  `\n\nactual:   ${inspect(actual)}\nexpected: ${inspect(expected)}\n`;

function ok(value: unknown, message?: Message): asserts value {
  const text = `The expression evaluated to a falsy value:\n\n  assert.ok(${inspect(value)})\n`;
  if (!value) fail({ actual: value, expected: true, operator: '==' }, message, text);
}

function equal<T>(actual: unknown, expected: T, message?: Message): asserts actual is T {
  const what = { actual, expected, operator: 'strictEqual' };
  if (!Object.is(actual, expected))
    fail(what, message, `Expected values to be strictly equal:${versus(actual, expected)}`);
}

function notEqual(actual: unknown, expected: unknown, message?: Message): void {
  const what = { actual, expected, operator: 'notStrictEqual' };
  if (Object.is(actual, expected))
    fail(what, message, `Expected "actual" to be strictly unequal to: ${inspect(expected)}`);
}

function deepEqual<T>(actual: unknown, expected: T, message?: Message): asserts actual is T {
  const what = { actual, expected, operator: 'deepStrictEqual' };
  if (!isDeepStrictEqual(actual, expected))
    fail(what, message, `Expected values to be strictly deep-equal:${versus(actual, expected)}`);
}

function notDeepEqual(actual: unknown, expected: unknown, message?: Message): void {
  const what = { actual, expected, operator: 'notDeepStrictEqual' };
  if (isDeepStrictEqual(actual, expected))
    fail(what, message, `Expected "actual" not to be strictly deep-equal to: ${inspect(expected)}`);
}

function matchOrNot(operator: 'match' | 'doesNotMatch', string: unknown, regexp: RegExp, message: Message): void {
  if (!(regexp instanceof RegExp)) throw new TypeError('The "regexp" argument must be an instance of RegExp.');
  const matches = typeof string === 'string' && regexp.exec(string) !== null;
  if (matches === (operator === 'match')) return;
  const verb = operator === 'match' ? 'did not match' : 'was expected to not match';
  const text =
    typeof string === 'string'
      ? `The input ${verb} the regular expression ${inspect(regexp)}. Input:\n\n${inspect(string)}\n`
      : `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`;
  fail({ actual: string, expected: regexp, operator }, message, text);
}

const match = (string: unknown, regexp: RegExp, message?: Message) => matchOrNot('match', string, regexp, message);
const doesNotMatch = (string: unknown, regexp: RegExp, message?: Message) =>
  matchOrNot('doesNotMatch', string, regexp, message);

const isClass = (m: Matcher): m is Fn => typeof m === 'function' && m.prototype !== undefined;
const isErrorClass = (m: Matcher) => typeof m === 'function' && Object.prototype.isPrototypeOf.call(Error, m);
const isInstance = (value: unknown, m: Matcher) => isClass(m) && value instanceof (m as unknown as new () => unknown);
const validates = (m: Matcher, value: unknown): unknown => (m as (e: unknown) => unknown).call({}, value);

/** Node's expectedException: passes, or throws an AssertionError naming what did not match. */
function checkError(actual: unknown, expected: Matcher, message: Message, operator: string): void {
  const what = { actual, expected, operator };
  if (expected instanceof RegExp) {
    const input = String(actual);
    if (expected.exec(input) === null)
      fail(
        what,
        message,
        `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(input)}\n`,
      );
  } else if (typeof expected !== 'function') {
    if (typeof actual !== 'object' || actual === null)
      fail(what, message, `Expected values to be strictly deep-equal:${versus(actual, expected)}`);
    const keys = Object.keys(expected);
    if (expected instanceof Error) keys.push('name', 'message');
    else if (keys.length === 0) throw new TypeError("The argument 'error' may not be an empty object.");
    for (const key of keys) {
      const want = (expected as Record<string, unknown>)[key];
      const got = (actual as Record<string, unknown>)[key];
      if (typeof got === 'string' && want instanceof RegExp && want.exec(got) !== null) continue;
      if (!(key in actual) || !isDeepStrictEqual(got, want))
        fail(what, message, `Expected values to be strictly deep-equal at "${key}":${versus(got, want)}`);
    }
  } else if (isInstance(actual, expected)) {
    return;
  } else if (isErrorClass(expected)) {
    const got =
      actual instanceof Error
        ? `"${actual.constructor?.name || actual.name}"\n\nError message:\n\n${actual.message}`
        : `"${inspect(actual)}"`;
    fail(what, message, `The error is expected to be an instance of "${expected.name}". Received ${got}`);
  } else {
    const result = validates(expected, actual);
    const name = expected.name ? `"${expected.name}" ` : '';
    if (result !== true)
      fail(what, message, `The ${name}validation function is expected to return "true". Received ${inspect(result)}`);
  }
}

/** Node's hasMatchingError, for doesNotThrow/doesNotReject: true when `actual` is the error ruled out. */
function matchesError(actual: unknown, expected: Matcher): boolean {
  if (expected instanceof RegExp) return expected.exec(String(actual)) !== null;
  if (typeof expected !== 'function') throw new TypeError('The "expected" argument must be a function or RegExp.');
  if (isInstance(actual, expected)) return true;
  return !isErrorClass(expected) && validates(expected, actual) === true;
}

const NONE = Symbol('no error');
type Outcome = { error: unknown } | typeof NONE;

function expectError(outcome: Outcome, operator: 'throws' | 'rejects', error?: Matcher | string, message?: Message) {
  if (typeof error === 'string') [message, error] = [error, undefined];
  if (outcome === NONE) {
    const kind = operator === 'throws' ? 'exception' : 'rejection';
    const named = typeof error === 'function' && error.name ? ` (${error.name})` : '';
    const text = `Missing expected ${kind}${named}${typeof message === 'string' ? `: ${message}` : '.'}`;
    fail({ actual: undefined, expected: error, operator }, message instanceof Error ? message : text, text);
  }
  if (error !== undefined) checkError(outcome.error, error, message, operator);
}

function expectNoError(
  outcome: Outcome,
  operator: 'doesNotThrow' | 'doesNotReject',
  error?: Matcher | string,
  message?: Message,
) {
  if (outcome === NONE) return;
  if (typeof error === 'string') [message, error] = [error, undefined];
  if (error !== undefined && !matchesError(outcome.error, error)) throw outcome.error;
  const kind = operator === 'doesNotThrow' ? 'exception' : 'rejection';
  const details = typeof message === 'string' ? `: ${message}` : '.';
  const text = `Got unwanted ${kind}${details}\nActual message: "${(outcome.error as Error | undefined)?.message}"`;
  fail({ actual: outcome.error, expected: error, operator }, message instanceof Error ? message : text, text);
}

function run(fn: () => unknown): Outcome {
  if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function.');
  try {
    fn();
  } catch (error) {
    return { error };
  }
  return NONE;
}

async function settle(promiseOrFn: Promise<unknown> | (() => Promise<unknown>)): Promise<Outcome> {
  let promise = promiseOrFn;
  if (typeof promiseOrFn === 'function') {
    promise = promiseOrFn();
    if (typeof (promise as Promise<unknown> | undefined)?.then !== 'function')
      throw new TypeError('Expected instance of Promise to be returned from the "promiseFn" function.');
  } else if (typeof (promiseOrFn as Promise<unknown> | undefined)?.then !== 'function') {
    throw new TypeError('The "promiseFn" argument must be of type function or an instance of Promise.');
  }
  try {
    await promise;
  } catch (error) {
    return { error };
  }
  return NONE;
}

type Action = Promise<unknown> | (() => Promise<unknown>);
const throws = (fn: () => unknown, error?: Matcher | string, message?: Message) =>
  expectError(run(fn), 'throws', error, message);
const doesNotThrow = (fn: () => unknown, error?: Matcher | string, message?: Message) =>
  expectNoError(run(fn), 'doesNotThrow', error, message);
const rejects = async (p: Action, error?: Matcher | string, message?: Message) =>
  expectError(await settle(p), 'rejects', error, message);
const doesNotReject = async (p: Action, error?: Matcher | string, message?: Message) =>
  expectNoError(await settle(p), 'doesNotReject', error, message);

function failWith(message: Message = 'Failed'): never {
  return fail({ actual: undefined, expected: undefined, operator: 'fail' }, message, 'Failed');
}

const methods = {
  AssertionError,
  ok,
  equal,
  strictEqual: equal,
  notEqual,
  notStrictEqual: notEqual,
  deepEqual,
  deepStrictEqual: deepEqual,
  notDeepEqual,
  notDeepStrictEqual: notDeepEqual,
  match,
  doesNotMatch,
  throws,
  doesNotThrow,
  rejects,
  doesNotReject,
  fail: failWith,
};

/** As node:assert/strict's default export: callable as ok(), with the methods on it. */
const assert: typeof ok & typeof methods & { strict: typeof ok & typeof methods } = Object.assign(
  (...args: Parameters<typeof ok>) => ok(...args),
  methods,
) as never;
assert.strict = assert;

// The default import only, as the tests write it (`import assert from 'node:assert/strict'`).
export default assert;
