/**
 * node:test's describe/it/hooks for the browser tests, on the mocha that @web/test-runner runs:
 * web-test-runner.config.mjs maps the import here, so a test file reads the same in Node and in
 * Chromium. Covers what the tests use: names, the { timeout, skip, only } options, .skip/.only.
 * A callback is called without arguments (mocha would take a parameter for its `done`), so node:test's
 * TestContext is not available here; a test that declares one fails with a message saying so.
 */
type Body = () => unknown;
interface Options {
  timeout?: number;
  skip?: boolean | string;
  only?: boolean;
  todo?: boolean | string;
}
type Args = [name?: string | Options | Body, options?: Options | Body, fn?: Body];

const mocha = globalThis as unknown as {
  describe: Mocha.SuiteFunction;
  it: Mocha.TestFunction;
  before: Mocha.HookFunction;
  after: Mocha.HookFunction;
  beforeEach: Mocha.HookFunction;
  afterEach: Mocha.HookFunction;
};

/** node:test's optional arguments: (name?, options?, fn?) in that order. */
function parse(args: Args): { name: string; options: Options; fn: Body | undefined } {
  const rest = [...args];
  const name = typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
  const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest.shift() as Options) : {};
  const fn = rest[0] as Body | undefined;
  return { name: name ?? fn?.name ?? '<anonymous>', options, fn };
}

function noContext(fn: Body | undefined, name: string): void {
  if (fn && fn.length > 0)
    throw new Error(`"${name}": the browser's node:test (testing/browser/node-test.ts) passes no TestContext`);
}

function define(kind: 'describe' | 'it', args: Args, mode?: 'skip' | 'only'): void {
  const { name, options, fn } = parse(args);
  noContext(fn, name);
  const skip = mode === 'skip' || Boolean(options.skip) || Boolean(options.todo) || !fn;
  const only = mode === 'only' || Boolean(options.only);
  const target = skip ? mocha[kind].skip : only ? mocha[kind].only : mocha[kind];
  const timeout = options.timeout;
  if (kind === 'describe') {
    (target as Mocha.PendingSuiteFunction)(name, function (this: Mocha.Suite) {
      if (timeout !== undefined) this.timeout(timeout);
      fn?.();
    });
  } else {
    const test = (target as Mocha.TestFunction)(name, function (this: Mocha.Context) {
      return fn?.();
    });
    if (timeout !== undefined) test?.timeout(timeout);
  }
}

type Define = ((...args: Args) => void) & { skip(...args: Args): void; only(...args: Args): void };
const make = (kind: 'describe' | 'it'): Define =>
  Object.assign((...args: Args) => define(kind, args), {
    skip: (...args: Args) => define(kind, args, 'skip'),
    only: (...args: Args) => define(kind, args, 'only'),
  });

export const describe = make('describe');
export const suite = describe;
export const it = make('it');
export const test = it;

function hook(kind: 'before' | 'after' | 'beforeEach' | 'afterEach') {
  return (fn: Body, options?: Options): void => {
    noContext(fn, kind);
    const run = function (this: Mocha.Context) {
      if (options?.timeout !== undefined) this.timeout(options.timeout);
      return fn();
    };
    mocha[kind](run);
  };
}

export const before = hook('before');
export const after = hook('after');
export const beforeEach = hook('beforeEach');
export const afterEach = hook('afterEach');
