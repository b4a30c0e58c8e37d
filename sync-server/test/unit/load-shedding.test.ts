import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import Koa from 'koa';
import { LoadShedder } from '../../src/http/load-shedding.ts';

/** A real HTTP server whose one heavy route takes `serviceMs`; returns what each of `n` concurrent requests got. */
async function herd(opts: { concurrency: number; queue: number; queueMs: number }, serviceMs: number, n: number) {
  const shedder = new LoadShedder({ ...opts, heavy: /^\/heavy/, random: () => 0.5 });
  const app = new Koa();
  app.use(shedder.middleware());
  app.use(async (ctx) => {
    await new Promise((r) => setTimeout(r, serviceMs));
    ctx.body = 'ok';
  });
  const server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // Teach the shedder the service time first (one at a time: nothing queues).
    for (let i = 0; i < 60; i++) await (await fetch(`${url}/heavy`)).text();
    const answers = await Promise.all(
      Array.from({ length: n }, async () => {
        const res = await fetch(`${url}/heavy`, { method: 'POST', body: 'x' });
        await res.text();
        return { status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
      }),
    );
    const light = await fetch(`${url}/light`);
    return { answers, lightStatus: light.status, metrics: shedder.render() };
  } finally {
    server.close();
  }
}

test('requests queue while their expected wait fits; beyond, 503 with a Retry-After that grows with the backlog', async () => {
  // 2 slots, 40 ms each: the queue drains 50 requests/s, so a 400 ms bound holds ~20 in line.
  const { answers, lightStatus, metrics } = await herd({ concurrency: 2, queue: 1000, queueMs: 400 }, 40, 120);
  const ok = answers.filter((a) => a.status === 200);
  const shed = answers.filter((a) => a.status === 503);
  assert.equal(ok.length + shed.length, answers.length, 'nothing but 200 and 503');
  assert.ok(ok.length >= 12 && ok.length <= 40, `served ${ok.length}: the slots plus about queueMs of queue`);
  assert.ok(shed.length >= 80, `shed ${shed.length}`);
  // 100+ refused requests at ~20 ms of slot time each: the backlog needs seconds, not the minimum.
  const longest = Math.max(...shed.map((a) => a.retryAfter));
  assert.ok(shed.every((a) => a.retryAfter >= 1 && a.retryAfter <= 60));
  assert.ok(longest >= 2, `Retry-After grows with the backlog (longest ${longest} s)`);
  assert.equal(lightStatus, 200, 'other routes are never shed');
  assert.match(metrics, /tinysphere_load_shed_total \d+/);
});

test('with room in the queue nothing is shed', async () => {
  const { answers } = await herd({ concurrency: 4, queue: 1000, queueMs: 5000 }, 10, 60);
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
});
