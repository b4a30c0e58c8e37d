import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TrackingService } from '../../src/services/tracking/index.ts';
import { pruneKeys } from '../../src/services/tracking/idempotency.ts';
import type { SearchRunsInput } from '../../src/services/tracking/search-runs.ts';
import { openTracking, rejectsWith } from '../support/tracking.ts';

describe('TrackingService: run data, search, idempotency (PGlite)', () => {
  let h: Awaited<ReturnType<typeof openTracking>>;
  let t: TrackingService;
  let w: typeof h.w;
  let newExperiment: typeof h.newExperiment;
  let newRun: typeof h.newRun;
  before(async () => {
    h = await openTracking();
    ({ t, w, newExperiment, newRun } = h);
  });
  after(() => h.close());

  describe('log-batch', () => {
    it("keeps MLflow's limits", async () => {
      const runId = await newRun('0');
      const metrics = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 }));
      const kv = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ key: `${p}${i}`, value: 'v' }));
      await rejectsWith(
        w((s) => s.data.logBatch(runId, { metrics: metrics(1001) })),
        'INVALID_PARAMETER_VALUE',
        /at most 1000 metrics/,
      );
      await rejectsWith(
        w((s) => s.data.logBatch(runId, { params: kv(101, 'p') })),
        'INVALID_PARAMETER_VALUE',
        /at most 100 params/,
      );
      await rejectsWith(
        w((s) => s.data.logBatch(runId, { tags: kv(101, 't') })),
        'INVALID_PARAMETER_VALUE',
        /at most 100 tags/,
      );
      await rejectsWith(
        w((s) => s.data.logBatch(runId, { metrics: metrics(900), params: kv(100, 'p'), tags: kv(1, 't') })),
        'INVALID_PARAMETER_VALUE',
        /at most 1000 metrics, params, and tags/,
      );
      await rejectsWith(
        w((s) => s.data.logParam(runId, { key: 'long', value: 'x'.repeat(6001) })),
        'INVALID_PARAMETER_VALUE',
        /exceeded length limit of 6000/,
      );
      await rejectsWith(
        w((s) => s.data.logParam(runId, { key: '../escape', value: 'x' })),
        'INVALID_PARAMETER_VALUE',
        /would resolve/,
      );
      await rejectsWith(
        w((s) =>
          s.data.logBatch(runId, {
            params: [
              { key: 'a', value: '1' },
              { key: 'a', value: '2' },
            ],
          }),
        ),
        'INVALID_PARAMETER_VALUE',
        /Duplicate parameter keys/,
      );
      await w((s) => s.data.logBatch(runId, { metrics: metrics(1000) }));
      assert.equal((await t.store.runs.get(runId)).data.metrics.length, 1000);
    });

    it('params are write-once: the same value again is fine, another value fails the whole batch', async () => {
      const runId = await newRun('0');
      await w((s) => s.data.logBatch(runId, { params: [{ key: 'lr', value: '0.1' }] }));
      await w((s) =>
        s.data.logBatch(runId, {
          params: [{ key: 'lr', value: '0.1' }],
          metrics: [{ key: 'ok', value: 1, timestamp: 1, step: 0 }],
        }),
      );
      await rejectsWith(
        w((s) =>
          s.data.logBatch(runId, {
            params: [{ key: 'lr', value: '0.2' }],
            metrics: [{ key: 'lost', value: 1, timestamp: 1, step: 0 }],
            tags: [{ key: 'lost', value: 'x' }],
          }),
        ),
        'INVALID_PARAMETER_VALUE',
        /Changing param values is not allowed/,
      );
      const { data } = await t.store.runs.get(runId);
      assert.deepEqual(data.params, [{ key: 'lr', value: '0.1' }]);
      assert.deepEqual(
        data.metrics.map((m) => m.key),
        ['ok'],
      );
      assert.ok(!data.tags.some((x) => x.key === 'lost'));
    });

    it('appends metric points; the run shows the one with the greatest (step, timestamp, value); NaN round-trips', async () => {
      const runId = await newRun('0');
      await w((s) =>
        s.data.logBatch(runId, {
          metrics: [
            { key: 'acc', value: 0.7, timestamp: 30, step: 2 },
            { key: 'acc', value: 0.9, timestamp: 10, step: 3 },
            { key: 'acc', value: 0.5, timestamp: 20, step: 1 },
            { key: 'loss', value: Number.NaN, timestamp: 5, step: 0 },
          ],
        }),
      );
      await w((s) => s.data.logMetric(runId, { key: 'acc', value: 0.1, timestamp: 40, step: 2 }));
      await w((s) => s.data.logMetric(runId, { key: 'acc', value: 0.1, timestamp: 40, step: 2 }));
      const { data } = await t.store.runs.get(runId);
      assert.deepEqual(data.metrics, [
        { key: 'acc', value: 0.9, timestamp: 10, step: 3 },
        { key: 'loss', value: 'NaN', timestamp: 5, step: 0 },
      ]);
      const history = await t.store.data.history(runId, 'acc', {});
      assert.deepEqual(
        history.metrics.map((m) => m.value),
        [0.9, 0.5, 0.7, 0.1],
        'ordered by timestamp; the repeated point is kept once',
      );
      const first = await t.store.data.history(runId, 'acc', { max_results: 3 });
      assert.equal(first.metrics.length, 3);
      const rest = await t.store.data.history(runId, 'acc', { max_results: 3, page_token: first.next_page_token });
      assert.deepEqual(
        rest.metrics.map((m) => m.value),
        [0.1],
      );
      assert.equal(rest.next_page_token, undefined);
    });
  });

  describe('runs/search', () => {
    let exp: string;
    const ids: Record<string, string> = {};
    before(async () => {
      exp = await newExperiment('search-runs');
      const rows: [string, number, number | undefined, string, string][] = [
        ['r1', 100, 0.5, 'sgd', 'cv'],
        ['r2', 200, 0.9, 'adam', 'cv'],
        ['r3', 300, 0.7, 'adam', 'nlp'],
        ['r4', 400, undefined, 'sgd', 'nlp'],
        ['r5', 500, 0.8, 'adam', 'cv'],
      ];
      for (const [name, start, acc, opt, team] of rows) {
        const id = await newRun(exp, { run_name: name, start_time: start });
        ids[name] = id;
        await w((s) =>
          s.data.logBatch(id, {
            metrics: acc === undefined ? [] : [{ key: 'acc', value: acc, timestamp: start, step: 0 }],
            params: [{ key: 'optimizer', value: opt }],
            tags: [{ key: 'team', value: team }],
          }),
        );
      }
      await w((s) => s.runs.update({ run_id: ids.r5!, status: 'FINISHED', end_time: 900 }));
      await w((s) => s.runs.delete(ids.r1!));
    });
    const names = (r: { runs: { info: { run_name: string } }[] }) => r.runs.map((x) => x.info.run_name);
    const search = (input: Omit<SearchRunsInput, 'experiment_ids'>) =>
      t.store.searchRuns({ experiment_ids: [exp], ...input });

    it('defaults to active runs, newest first', async () => {
      assert.deepEqual(names(await search({})), ['r5', 'r4', 'r3', 'r2']);
      assert.deepEqual(names(await search({ run_view_type: 'DELETED_ONLY' })), ['r1']);
      assert.deepEqual(names(await search({ run_view_type: 'ALL' })), ['r5', 'r4', 'r3', 'r2', 'r1']);
    });

    it('filters on metrics, params, tags and attributes', async () => {
      assert.deepEqual(names(await search({ filter: 'metrics.acc > 0.75' })), ['r5', 'r2']);
      assert.deepEqual(names(await search({ filter: "params.optimizer = 'adam' AND tags.team = 'cv'" })), ['r5', 'r2']);
      assert.deepEqual(names(await search({ filter: "params.optimizer != 'adam'" })), ['r4']);
      assert.deepEqual(names(await search({ filter: "tags.team ILIKE 'N%'" })), ['r4', 'r3']);
      assert.deepEqual(names(await search({ filter: "attributes.status = 'FINISHED'" })), ['r5']);
      assert.deepEqual(
        names(await search({ filter: 'attributes.start_time >= 300 and attributes.start_time < 500' })),
        ['r4', 'r3'],
      );
      assert.deepEqual(
        names(await search({ filter: `attributes.run_name LIKE 'r%' and run_id IN ('${ids.r2}', '${ids.r3}')` })),
        ['r3', 'r2'],
      );
      assert.deepEqual(names(await search({ filter: `attributes.run_id NOT IN ('${ids.r2}')` })), ['r5', 'r4', 'r3']);
      assert.deepEqual(names(await search({ filter: 'attributes.end_time > 0' })), ['r5']);
    });

    it('orders by metrics (missing last in both directions), params and attributes', async () => {
      assert.deepEqual(names(await search({ order_by: ['metrics.acc DESC'] })), ['r2', 'r5', 'r3', 'r4']);
      assert.deepEqual(names(await search({ order_by: ['metrics.acc ASC'] })), ['r3', 'r5', 'r2', 'r4']);
      assert.deepEqual(names(await search({ order_by: ['params.optimizer', 'attributes.start_time ASC'] })), [
        'r2',
        'r3',
        'r5',
        'r4',
      ]);
      assert.deepEqual(names(await search({ order_by: ['attributes.run_name DESC'] })), ['r5', 'r4', 'r3', 'r2']);
    });

    it('pages with max_results and page tokens', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const res = await search({
          run_view_type: 'ALL',
          max_results: 2,
          order_by: ['attributes.start_time ASC'],
          page_token: token,
        });
        assert.ok(res.runs.length <= 2);
        seen.push(...names(res));
        token = res.next_page_token;
      } while (token);
      assert.deepEqual(seen, ['r1', 'r2', 'r3', 'r4', 'r5']);
      await rejectsWith(search({ max_results: 50_001 }), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(search({ filter: 'metrics.acc > ' }), 'INVALID_PARAMETER_VALUE');
    });

    it('returns each run whole: info, latest metrics, params, tags', async () => {
      const [run] = (await search({ filter: `attributes.run_id = '${ids.r2}'` })).runs;
      assert.deepEqual(run!.data.metrics, [{ key: 'acc', value: 0.9, timestamp: 200, step: 0 }]);
      assert.deepEqual(run!.data.params, [{ key: 'optimizer', value: 'adam' }]);
    });
  });

  describe('idempotency', () => {
    const request = (key: string, body: unknown) => ({
      owner: 'token-1',
      key,
      method: 'POST',
      path: '/api/2.0/mlflow/runs/create',
      body,
    });

    it('applies a write once per key and answers repeats with the stored response', async () => {
      const body = { experiment_id: '0', run_name: 'once' };
      const first = await t.write(request('k-1', body), (s) => s.runs.create(body));
      const again = await t.write(request('k-1', { run_name: 'once', experiment_id: '0' }), (s) => s.runs.create(body));
      assert.deepEqual(again, first);
      const found = await t.store.searchRuns({ experiment_ids: ['0'], filter: "attributes.run_name = 'once'" });
      assert.equal(found.runs.length, 1);
    });

    it('refuses the same key with another request, and keys of other owners do not collide', async () => {
      await t.write(request('k-2', { a: 1 }), async () => ({}));
      await rejectsWith(
        t.write(request('k-2', { a: 2 }), async () => ({})),
        'INVALID_PARAMETER_VALUE',
        /already used with a different request/,
      );
      let ran = false;
      await t.write({ ...request('k-2', { a: 2 }), owner: 'token-2' }, async () => ((ran = true), {}));
      assert.ok(ran);
    });

    it('stores nothing for a failed write, so a retry runs again', async () => {
      let calls = 0;
      const fail = () =>
        t.write(request('k-3', {}), async () => {
          calls += 1;
          if (calls === 1) throw new Error('boom');
          return { ok: calls };
        });
      await assert.rejects(fail(), /boom/);
      assert.deepEqual(await fail(), { ok: 2 });
    });

    it('forgets keys after the retention period', async () => {
      await t.write(request('k-old', {}), async () => ({}));
      await h.db.query(
        `UPDATE mlflow_idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'k-old'`,
      );
      assert.equal(await pruneKeys(h.db), 1);
      let ran = false;
      await t.write(request('k-old', { other: true }), async () => ((ran = true), {}));
      assert.ok(ran, 'a forgotten key is a new request');
    });

    it('two racing duplicates are applied once', async () => {
      const runId = await newRun('0');
      const body = { run_id: runId, metrics: [{ key: 'race', value: 1, timestamp: 1, step: 0 }] };
      let applied = 0;
      const go = () =>
        t.write(request('k-race', body), async (s) => {
          applied += 1;
          return s.data.logBatch(runId, body);
        });
      await Promise.all([go(), go(), go()]);
      assert.equal(applied, 1);
    });
  });
});
