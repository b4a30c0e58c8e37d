import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Link, OfflineError } from '../src/sim/link.ts';

const servers = ['http://a.test', 'http://b.test', 'http://c.test'];

function picks(link: Link, n: number): string[] {
  return Array.from({ length: n }, () => link.pick());
}

describe('simulated link', () => {
  it('spreads exchanges over every server, each round a shuffle of all of them', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const seq = picks(new Link({ servers, offlineRate: 0.3, seed }), 30);
      for (let round = 0; round < 10; round++) {
        assert.deepEqual(
          [...seq.slice(round * 3, round * 3 + 3)].sort(),
          servers,
          `seed ${seed}, round ${round}: ${seq.join(' ')}`,
        );
      }
    }
    const orders = new Set(
      Array.from({ length: 50 }, (_, seed) => picks(new Link({ servers, offlineRate: 0, seed }), 3).join()),
    );
    assert.ok(orders.size > 1, 'the order within a round is random, not round-robin');
  });

  it('picks the same servers for a seed however often the clock is read', () => {
    let t = 0;
    const quiet = new Link({ servers, offlineRate: 0.5, seed: 7, now: () => t });
    const busy = new Link({ servers, offlineRate: 0.5, seed: 7, now: () => t });
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 20; i++) {
      t += 500;
      for (let k = 0; k < i; k++) void busy.online;
      a.push(quiet.pick());
      b.push(busy.pick());
    }
    assert.deepEqual(a, b);
  });

  it('is down about the offline fraction of the time', () => {
    let t = 0;
    const link = new Link({ servers, offlineRate: 0.3, seed: 3, cycleMs: 100, now: () => t });
    let down = 0;
    const steps = 200_000;
    for (; t < steps; t++) if (!link.online) down++;
    assert.ok(Math.abs(down / steps - 0.3) < 0.05, `down ${((100 * down) / steps).toFixed(1)} % of the time`);
  });

  it('sends requests for the base URL to the server of the current exchange, and fails while down', async () => {
    const hits: string[] = [];
    const make = (name: string) =>
      createServer((req, res) => {
        hits.push(`${name} ${req.url}`);
        res.end(name);
      });
    const [one, two] = [make('one'), make('two')];
    await Promise.all([one, two].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    try {
      const urls = [one, two].map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
      let t = 0;
      const link = new Link({ servers: urls, offlineRate: 0, seed: 1, now: () => t });
      const answered: string[] = [];
      for (let i = 0; i < 4; i++) {
        const server = link.pick();
        const res = await link.fetch(`${link.base}/api/x?i=${i}`);
        answered.push(await res.text());
        assert.equal(server, urls[answered[i] === 'one' ? 0 : 1]!.replace(/\/$/, ''));
      }
      assert.deepEqual([...answered.slice(0, 2)].sort(), ['one', 'two']);
      assert.deepEqual(hits.map((h) => h.split(' ')[1]).sort(), [
        '/api/x?i=0',
        '/api/x?i=1',
        '/api/x?i=2',
        '/api/x?i=3',
      ]);

      const offline = new Link({ servers: urls, offlineRate: 0.999, seed: 2, now: () => t });
      while (offline.online) t += 1;
      await assert.rejects(offline.fetch(`${offline.base}/api/y`), OfflineError);
      assert.ok(!hits.some((h) => h.endsWith('/api/y')), 'nothing was sent while down');
    } finally {
      one.close();
      two.close();
    }
  });
});
