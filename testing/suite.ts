import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { ServerProcess } from './server-process.ts';

/**
 * What every backend-parameterised suite shares: set up once before its tests, tear down after,
 * and let each test skip — visibly — when setup reported its backend missing (undefined).
 * Call inside `describe`; further `before` hooks run after this one and may read `suite.ctx`.
 */
export function backendSuite<T>(
  name: string,
  setup: () => Promise<T | undefined>,
  teardown: (ctx: T) => Promise<void>,
) {
  const suite: { ctx: T | undefined; test(title: string, fn: (ctx: T) => Promise<void>): void } = {
    ctx: undefined,
    test: (title, fn) =>
      it(title, async (t) => {
        if (suite.ctx === undefined) return t.skip(`${name} is not available`);
        await fn(suite.ctx);
      }),
  };
  before(async () => {
    suite.ctx = await setup();
  });
  after(async () => {
    if (suite.ctx !== undefined) await teardown(suite.ctx);
  });
  return suite;
}

/** Teardown for suites around a server process: a clean exit on SIGTERM is part of the contract. */
export async function stopServer(ctx: { server: ServerProcess; teardown(): Promise<void> }): Promise<void> {
  const { code } = await ctx.server.stop();
  await ctx.teardown();
  assert.equal(code, 0, `clean exit on SIGTERM\n${ctx.server.stderr()}`);
}
