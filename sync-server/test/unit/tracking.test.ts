import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { TrackingService } from '../../src/services/tracking/index.ts';
import { openTracking, rejectsWith } from '../support/tracking.ts';

describe('TrackingService: experiments, runs, artifacts (PGlite)', () => {
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

  describe('experiments', () => {
    it('has the Default experiment "0" with an mlflow-artifacts location', async () => {
      const { experiment } = await t.store.experiments.get('0');
      assert.equal(experiment.name, 'Default');
      assert.equal(experiment.artifact_location, 'mlflow-artifacts:/0');
      assert.equal(experiment.lifecycle_stage, 'active');
    });

    it('creates, finds by id and name, refuses a taken name, renames', async () => {
      const id = (await w((s) => s.experiments.create({ name: 'exp-a', tags: [{ key: 'team', value: 'vision' }] })))
        .experiment_id;
      const { experiment } = await t.store.experiments.getByName('exp-a');
      assert.equal(experiment.experiment_id, id);
      assert.equal(experiment.artifact_location, `mlflow-artifacts:/${id}`);
      assert.deepEqual(experiment.tags, [{ key: 'team', value: 'vision' }]);
      await rejectsWith(
        w((s) => s.experiments.create({ name: 'exp-a' })),
        'RESOURCE_ALREADY_EXISTS',
      );
      await newExperiment('exp-b');
      await rejectsWith(
        w((s) => s.experiments.rename(id, 'exp-b')),
        'RESOURCE_ALREADY_EXISTS',
      );
      await w((s) => s.experiments.rename(id, 'exp-a2'));
      assert.equal((await t.store.experiments.get(id)).experiment.name, 'exp-a2');
      await rejectsWith(t.store.experiments.getByName('exp-a'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(t.store.experiments.get('999999'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(t.store.experiments.get('abc'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(
        w((s) => s.experiments.create({ name: '' })),
        'INVALID_PARAMETER_VALUE',
      );
      await rejectsWith(
        w((s) => s.experiments.create({ name: 'x', artifact_location: 's3://elsewhere' })),
        'INVALID_PARAMETER_VALUE',
        /TinySphere stores artifacts itself/,
      );
    });

    it('delete moves the experiment and its runs to deleted; restore brings both back', async () => {
      const id = await newExperiment('exp-del');
      const run = await newRun(id);
      await w((s) => s.experiments.delete(id));
      assert.equal((await t.store.experiments.get(id)).experiment.lifecycle_stage, 'deleted');
      assert.equal((await t.store.runs.get(run)).info.lifecycle_stage, 'deleted');
      await rejectsWith(
        w((s) => s.experiments.delete(id)),
        'RESOURCE_DOES_NOT_EXIST',
      );
      await rejectsWith(
        w((s) => s.runs.create({ experiment_id: id })),
        'INVALID_PARAMETER_VALUE',
        /must be in the 'active' state/,
      );
      await rejectsWith(
        w((s) => s.experiments.rename(id, 'other')),
        'INVALID_STATE',
      );
      await w((s) => s.experiments.restore(id));
      assert.equal((await t.store.runs.get(run)).info.lifecycle_stage, 'active');
      await rejectsWith(
        w((s) => s.experiments.restore(id)),
        'RESOURCE_DOES_NOT_EXIST',
      );
      await rejectsWith(
        w((s) => s.experiments.delete('0')),
        'INVALID_PARAMETER_VALUE',
        /default experiment/,
      );
    });

    it('sets and deletes experiment tags', async () => {
      const id = await newExperiment('exp-tags');
      await w((s) => s.experiments.setTag(id, { key: 'k', value: 'v1' }));
      await w((s) => s.experiments.setTag(id, { key: 'k', value: 'v2' }));
      assert.deepEqual((await t.store.experiments.get(id)).experiment.tags, [{ key: 'k', value: 'v2' }]);
      await w((s) => s.experiments.deleteTag(id, 'k'));
      await rejectsWith(
        w((s) => s.experiments.deleteTag(id, 'k')),
        'RESOURCE_DOES_NOT_EXIST',
      );
    });

    it('searches by name and tags, orders, pages, and honours the view type', async () => {
      for (const n of [1, 2, 3, 4, 5]) {
        const id = await newExperiment(`search-${n}`);
        if (n % 2) await w((s) => s.experiments.setTag(id, { key: 'odd', value: 'yes' }));
        if (n === 5) await w((s) => s.experiments.delete(id));
      }
      const names = (r: { experiments: { name: string }[] }) => r.experiments.map((e) => e.name);
      assert.deepEqual(
        names(await t.store.experiments.search({ filter: "name LIKE 'search-%'", order_by: ['name ASC'] })),
        ['search-1', 'search-2', 'search-3', 'search-4'],
      );
      assert.deepEqual(
        names(
          await t.store.experiments.search({
            filter: "tags.odd = 'yes' and name like 'search%'",
            order_by: ['name DESC'],
          }),
        ),
        ['search-3', 'search-1'],
      );
      assert.deepEqual(
        names(await t.store.experiments.search({ filter: "name LIKE 'search-%'", view_type: 'DELETED_ONLY' })),
        ['search-5'],
      );
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await t.store.experiments.search({
          filter: "name LIKE 'search-%'",
          view_type: 'ALL',
          order_by: ['name'],
          max_results: 2,
          page_token: token,
        });
        seen.push(...names(res));
        token = res.next_page_token;
        pages += 1;
      } while (token);
      assert.deepEqual(seen, ['search-1', 'search-2', 'search-3', 'search-4', 'search-5']);
      assert.equal(pages, 3);
      await rejectsWith(t.store.experiments.search({ max_results: 50_001 }), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(t.store.experiments.search({ order_by: ['tags.odd'] }), 'INVALID_PARAMETER_VALUE');
    });
  });

  describe('runs', () => {
    it('creates a run with a generated name mirrored in mlflow.runName, and an artifact URI under its experiment', async () => {
      const id = await newExperiment('runs-1');
      const { run } = await w((s) =>
        s.runs.create({ experiment_id: id, start_time: 42, user_id: 'ana', tags: [{ key: 'a', value: 'b' }] }),
      );
      assert.match(run.info.run_id, /^[0-9a-f]{32}$/);
      assert.equal(run.info.run_uuid, run.info.run_id);
      assert.match(run.info.run_name, /^[a-z]+-[a-z]+-\d+$/);
      assert.deepEqual(run.data.tags, [
        { key: 'a', value: 'b' },
        { key: 'mlflow.runName', value: run.info.run_name },
      ]);
      assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${id}/${run.info.run_id}/artifacts`);
      assert.deepEqual(
        [run.info.status, run.info.start_time, run.info.user_id, 'end_time' in run.info],
        ['RUNNING', 42, 'ana', false],
      );
      await rejectsWith(
        w((s) => s.runs.create({ experiment_id: id, run_name: 'x', tags: [{ key: 'mlflow.runName', value: 'y' }] })),
        'INVALID_PARAMETER_VALUE',
      );
    });

    it('keeps the run name and the mlflow.runName tag in step; updates status and end time', async () => {
      const runId = await newRun('0', { run_name: 'first' });
      await w((s) => s.runs.setTag(runId, { key: 'mlflow.runName', value: 'second' }));
      assert.equal((await t.store.runs.get(runId)).info.run_name, 'second');
      const { run_info } = await w((s) =>
        s.runs.update({ run_id: runId, status: 'FINISHED', end_time: 99, run_name: 'third' }),
      );
      assert.deepEqual([run_info.status, run_info.end_time, run_info.run_name], ['FINISHED', 99, 'third']);
      const tags = (await t.store.runs.get(runId)).data.tags;
      assert.deepEqual(
        tags.find((x) => x.key === 'mlflow.runName'),
        { key: 'mlflow.runName', value: 'third' },
      );
    });

    it('refuses writes to a deleted run until it is restored; unknown runs are RESOURCE_DOES_NOT_EXIST', async () => {
      const runId = await newRun('0');
      await w((s) => s.runs.delete(runId));
      await rejectsWith(
        w((s) => s.data.logMetric(runId, { key: 'm', value: 1, timestamp: 1, step: 0 })),
        'INVALID_PARAMETER_VALUE',
        /'active' state/,
      );
      await rejectsWith(
        w((s) => s.runs.setTag(runId, { key: 'k', value: 'v' })),
        'INVALID_PARAMETER_VALUE',
      );
      await w((s) => s.runs.restore(runId));
      await w((s) => s.data.logMetric(runId, { key: 'm', value: 1, timestamp: 1, step: 0 }));
      await rejectsWith(t.store.runs.get('0123456789abcdef0123456789abcdef'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(
        w((s) => s.runs.deleteTag(runId, 'nope')),
        'RESOURCE_DOES_NOT_EXIST',
      );
    });
  });

  describe('artifacts', () => {
    const put = (p: string, text: string) =>
      t.artifacts.put(p, Readable.from([Buffer.from(text)]), Buffer.byteLength(text));

    it('resolves runs:/ and mlflow-artifacts:/ URIs to blob keys for the registry', async () => {
      const runId = await newRun('0');
      await put(`0/${runId}/artifacts/model/model.onnx`, 'onnx');
      const key = await t.artifactKey(`runs:/${runId}/model/model.onnx`);
      assert.equal(key, `mlflow-artifacts/0/${runId}/artifacts/model/model.onnx`);
      assert.equal(await t.artifactKey(`mlflow-artifacts:/0/${runId}/artifacts/model/model.onnx`), key);
      await rejectsWith(t.artifactKey('runs:/0123456789abcdef0123456789abcdef/x'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(t.artifactKey(`runs:/${runId}/../../x`), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(t.artifactKey('s3://bucket/x'), 'INVALID_PARAMETER_VALUE');
    });

    it("lists a run's artifacts relative to its root, and deletes directories", async () => {
      const runId = await newRun('0');
      await put(`0/${runId}/artifacts/a.txt`, 'aa');
      await put(`0/${runId}/artifacts/dir/b c.json`, '{}');
      const root = await t.listRunArtifacts(runId, undefined);
      assert.equal(root.root_uri, `mlflow-artifacts:/0/${runId}/artifacts`);
      assert.deepEqual(root.files, [
        { path: 'a.txt', is_dir: false, file_size: 2 },
        { path: 'dir', is_dir: true },
      ]);
      assert.deepEqual((await t.listRunArtifacts(runId, 'dir')).files, [
        { path: 'dir/b c.json', is_dir: false, file_size: 2 },
      ]);
      await t.artifacts.delete(`0/${runId}/artifacts/dir`);
      assert.deepEqual((await t.listRunArtifacts(runId, undefined)).files, [
        { path: 'a.txt', is_dir: false, file_size: 2 },
      ]);
      await rejectsWith(t.artifacts.open(`0/${runId}/artifacts/dir/b c.json`), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(t.artifacts.size(`0/${runId}/artifacts/dir`), 'RESOURCE_DOES_NOT_EXIST');
      assert.equal(await t.artifacts.size(`0/${runId}/artifacts/a.txt`), 2);
    });
  });
});
