import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { api, type ServerProcess } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

export interface MlflowRegistrySetup {
  server: ServerProcess;
  adminToken: string;
  teardown(): Promise<void>;
}

/** MLflow's model-registry API over HTTP, and its identity with /api/v1's registry. */
export function runMlflowRegistryTests(name: string, setup: () => Promise<MlflowRegistrySetup | undefined>): void {
  describe(`MLflow model registry API: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let base = '';
    let token = '';
    const model = sampleModel();
    const ml = (path: string, opts: { method?: string; body?: unknown } = {}) =>
      api(`${base}/api/2.0/mlflow/${path}`, { token, ...opts });
    const expectError = (res: { status: number; body: any }, status: number, code: string) => {
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error_code, code);
      assert.equal(res.body.error.code, code);
    };

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      base = ctx.server.url;
      token = ctx.adminToken;
    });

    test('an ONNX file logged to a run and registered is the same registry version as a direct upload', async () => {
      const exp = (await ml('experiments/create', { body: { name: 'registry-e2e' } })).body.experiment_id;
      const run = (await ml('runs/create', { body: { experiment_id: exp, run_name: 'train' } })).body.run.info;
      const put = await fetch(
        `${base}/api/2.0/mlflow-artifacts/artifacts/${exp}/${run.run_id}/artifacts/model/model.onnx`,
        {
          method: 'PUT',
          body: model.slice(),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        },
      );
      assert.equal(put.status, 200, await put.text());
      expectError(
        await ml('model-versions/create', { body: { name: 'churn', source: `runs:/${run.run_id}/model` } }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
      );
      const created = await ml('registered-models/create', {
        body: { name: 'churn', description: 'from MLflow', tags: [{ key: 'team', value: 'ds' }] },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.deepEqual(
        [created.body.registered_model.name, created.body.registered_model.tags],
        ['churn', [{ key: 'team', value: 'ds' }]],
      );
      expectError(await ml('registered-models/create', { body: { name: 'churn' } }), 400, 'RESOURCE_ALREADY_EXISTS');

      const mv = await ml('model-versions/create', {
        body: { name: 'churn', source: `runs:/${run.run_id}/model`, description: 'v1 from a run' },
      });
      assert.equal(mv.status, 200, JSON.stringify(mv.body));
      assert.deepEqual(
        [mv.body.model_version.version, mv.body.model_version.run_id, mv.body.model_version.status],
        ['1', run.run_id, 'READY'],
      );

      const own = await api(`${base}/api/v1/models/churn/versions/1`, { token });
      assert.equal(own.body.runId, run.run_id);
      assert.equal(own.body.source, `runs:/${run.run_id}/model`);
      const form = new FormData();
      form.set('file', new Blob([model.slice()]), 'm.onnx');
      const direct = (await (
        await fetch(`${base}/api/v1/models/churn-direct/versions`, {
          method: 'POST',
          body: form,
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as any;
      assert.equal(own.body.sha256, direct.sha256, 'same bytes, same artifact');
      const file = await fetch(`${base}/api/v1/models/churn/versions/1/artifact`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.deepEqual(new Uint8Array(await file.arrayBuffer()), model);

      const put2 = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${exp}/${run.run_id}/artifacts/notes.txt`, {
        method: 'PUT',
        body: 'hello',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(put2.status, 200);
      expectError(
        await ml('model-versions/create', { body: { name: 'churn', source: `runs:/${run.run_id}/notes.txt` } }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await ml('model-versions/create', { body: { name: 'churn', source: 's3://elsewhere/model' } }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    });

    test("a reference.csv logged beside the .onnx becomes the version's reference profile; a bad one is refused and registers nothing", async () => {
      const exp = (await ml('experiments/create', { body: { name: 'reference-e2e' } })).body.experiment_id;
      const runId = (await ml('runs/create', { body: { experiment_id: exp } })).body.run.info.run_id;
      const log = async (path: string, body: Uint8Array | string) => {
        const res = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${exp}/${runId}/artifacts/${path}`, {
          method: 'PUT',
          body: typeof body === 'string' ? body : body.slice(),
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200, await res.text());
      };
      const csv =
        'Body Mass (g),flipper,bill,species\n' +
        Array.from({ length: 30 }, (_, i) => `${3000 + i},${180 + (i % 4)},${i % 3},${i % 2 ? 'A' : 'G'}`).join('\n');
      await log('model/model.onnx', model);
      await log('model/reference.csv', csv);
      await ml('registered-models/create', { body: { name: 'penguins-ml' } });
      const tags = [{ key: 'tinylcm.label_column', value: 'species' }];
      const mv = await ml('model-versions/create', {
        body: { name: 'penguins-ml', source: `runs:/${runId}/model`, tags },
      });
      assert.equal(mv.status, 200, JSON.stringify(mv.body));
      const v = (await api(`${base}/api/v1/models/penguins-ml/versions/1`, { token })).body;
      assert.deepEqual(
        v.metadata.features,
        ['Body Mass (g)', 'flipper', 'bill'],
        'every column but the label column, in file order',
      );
      assert.deepEqual(
        [v.metadata.referenceProfile.rows, v.metadata.referenceProfile.classes.labels],
        [30, ['A', 'G']],
      );
      // Named features must exist; more names than the input takes are refused; nothing is registered.
      const named = await ml('model-versions/create', {
        body: {
          name: 'penguins-ml',
          source: `runs:/${runId}/model/model.onnx`,
          tags: [{ key: 'tinylcm.features', value: '["bill","flipper","wings"]' }],
        },
      });
      expectError(named, 400, 'INVALID_PARAMETER_VALUE');
      assert.match(named.body.message, /no column "wings"/);
      await log('model/reference.csv', `${csv}\n1,x,2,A`);
      const bad = await ml('model-versions/create', {
        body: { name: 'penguins-ml', source: `runs:/${runId}/model`, tags },
      });
      expectError(bad, 400, 'INVALID_PARAMETER_VALUE');
      assert.match(bad.body.message, /column "flipper", row 31/);
      assert.equal((await api(`${base}/api/v1/models/penguins-ml`, { token })).body.versionCount, 1);
    });

    test('versions: get, update, tags, stages with archive_existing_versions, latest per stage, aliases, download URI', async () => {
      const form = new FormData();
      form.set('file', new Blob([model.slice()]), 'm.onnx');
      await fetch(`${base}/api/v1/models/churn/versions`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal((await ml('model-versions/get?name=churn&version=2')).body.model_version.version, '2');
      expectError(await ml('model-versions/get?name=churn&version=99'), 404, 'RESOURCE_DOES_NOT_EXIST');
      expectError(await ml('registered-models/get?name=nope'), 404, 'RESOURCE_DOES_NOT_EXIST');
      assert.equal(
        (
          await ml('model-versions/update', {
            method: 'PATCH',
            body: { name: 'churn', version: '2', description: 'second' },
          })
        ).body.model_version.description,
        'second',
      );
      await ml('model-versions/set-tag', { body: { name: 'churn', version: '2', key: 'validated', value: 'yes' } });
      assert.deepEqual((await ml('model-versions/get?name=churn&version=2')).body.model_version.tags, [
        { key: 'validated', value: 'yes' },
      ]);
      await ml('model-versions/delete-tag', {
        method: 'DELETE',
        body: { name: 'churn', version: '2', key: 'validated' },
      });
      assert.deepEqual((await ml('model-versions/get?name=churn&version=2')).body.model_version.tags, []);

      assert.equal(
        (await ml('model-versions/transition-stage', { body: { name: 'churn', version: '1', stage: 'Production' } }))
          .body.model_version.current_stage,
        'Production',
      );
      await ml('model-versions/transition-stage', {
        body: { name: 'churn', version: '2', stage: 'production', archive_existing_versions: true },
      });
      assert.equal((await ml('model-versions/get?name=churn&version=1')).body.model_version.current_stage, 'Archived');
      const latest = await ml('registered-models/get-latest-versions', {
        body: { name: 'churn', stages: ['Production'] },
      });
      assert.deepEqual(
        latest.body.model_versions.map((v: any) => [v.version, v.current_stage]),
        [['2', 'Production']],
      );
      expectError(
        await ml('model-versions/transition-stage', { body: { name: 'churn', version: '2', stage: 'Live' } }),
        400,
        'INVALID_PARAMETER_VALUE',
      );

      await ml('registered-models/alias', { body: { name: 'churn', alias: 'champion', version: '2' } });
      assert.equal((await ml('registered-models/alias?name=churn&alias=champion')).body.model_version.version, '2');
      assert.deepEqual((await ml('registered-models/get?name=churn')).body.registered_model.aliases, [
        { alias: 'champion', version: '2' },
      ]);
      assert.equal(
        (await api(`${base}/api/v1/models/churn`, { token })).body.aliases.champion,
        2,
        'one registry: /api/v1 sees the alias',
      );
      await ml('registered-models/alias', { method: 'DELETE', body: { name: 'churn', alias: 'champion' } });
      expectError(await ml('registered-models/alias?name=churn&alias=champion'), 404, 'RESOURCE_DOES_NOT_EXIST');
      assert.match((await ml('model-versions/get-download-uri?name=churn&version=1')).body.artifact_uri, /^runs:\//);
    });

    test('registered models: search with filters and page tokens, tags, rename, delete', async () => {
      for (const n of ['search-a', 'search-b', 'search-c', 'other'])
        assert.equal((await ml('registered-models/create', { body: { name: n } })).status, 200);
      const names: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const res: any = await ml(
          `registered-models/search?filter=${encodeURIComponent("name LIKE 'search-%'")}&max_results=2${pageToken ? `&page_token=${pageToken}` : ''}`,
        );
        names.push(...res.body.registered_models.map((m: any) => m.name));
        pageToken = res.body.next_page_token;
        pages++;
      } while (pageToken);
      assert.deepEqual([names, pages], [['search-a', 'search-b', 'search-c'], 2]);
      expectError(
        await ml(`registered-models/search?filter=${encodeURIComponent('tags.x > 3')}`),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(await ml('registered-models/search?max_results=5000'), 400, 'INVALID_PARAMETER_VALUE');
      expectError(await ml('registered-models/search?page_token=garbage'), 400, 'INVALID_PARAMETER_VALUE');
      const versions = await ml(`model-versions/search?filter=${encodeURIComponent("name = 'churn'")}`);
      assert.deepEqual(
        versions.body.model_versions.map((v: any) => v.version),
        ['2', '1'],
      );

      await ml('registered-models/set-tag', { body: { name: 'other', key: 'k', value: 'v' } });
      assert.deepEqual((await ml('registered-models/get?name=other')).body.registered_model.tags, [
        { key: 'k', value: 'v' },
      ]);
      await ml('registered-models/delete-tag', { method: 'DELETE', body: { name: 'other', key: 'k' } });
      assert.deepEqual((await ml('registered-models/get?name=other')).body.registered_model.tags, []);
      assert.equal(
        (await ml('registered-models/rename', { body: { name: 'other', new_name: 'renamed' } })).body.registered_model
          .name,
        'renamed',
      );
      expectError(
        await ml('registered-models/rename', { body: { name: 'renamed', new_name: 'search-a' } }),
        400,
        'RESOURCE_ALREADY_EXISTS',
      );
      assert.equal(
        (await ml('registered-models/update', { method: 'PATCH', body: { name: 'renamed', description: 'd' } })).body
          .registered_model.description,
        'd',
      );
      assert.equal((await ml('registered-models/delete', { method: 'DELETE', body: { name: 'renamed' } })).status, 200);
      expectError(await ml('registered-models/get?name=renamed'), 404, 'RESOURCE_DOES_NOT_EXIST');
      assert.equal(
        (await ml('model-versions/delete', { method: 'DELETE', body: { name: 'churn', version: '1' } })).status,
        200,
      );
      expectError(await ml('model-versions/get?name=churn&version=1'), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    test('what a device group runs or would roll back to cannot be renamed or deleted (409 RESOURCE_CONFLICT); names and aliases follow /api/v1', async () => {
      const upload = async (name: string, bytes: Uint8Array) => {
        const form = new FormData();
        form.set('file', new Blob([bytes.slice()]), 'm.onnx');
        const res = await fetch(`${base}/api/v1/models/${name}/versions`, {
          method: 'POST',
          body: form,
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 201, await res.text());
      };
      await upload('fleet', model);
      await upload('fleet-next', model);
      const groupId = (await api(`${base}/api/v1/device-groups`, { token, body: { name: 'mlflow-fleet' } })).body.id;
      const deploy = async (name: string) =>
        assert.equal(
          (await api(`${base}/api/v1/deployments`, { token, body: { groupId, model: { name, version: 1 } } })).status,
          201,
        );
      const refusals = () => [
        ml('registered-models/rename', { body: { name: 'fleet', new_name: 'fleet-renamed' } }),
        ml('registered-models/delete', { method: 'DELETE', body: { name: 'fleet' } }),
        ml('model-versions/delete', { method: 'DELETE', body: { name: 'fleet', version: '1' } }),
      ];
      await deploy('fleet');
      for (const res of await Promise.all(refusals())) {
        expectError(res, 409, 'RESOURCE_CONFLICT');
        assert.match(res.body.message, /version 1 of model "fleet" is deployed to device group/);
      }
      await deploy('fleet-next');
      for (const res of await Promise.all(refusals())) expectError(res, 409, 'RESOURCE_CONFLICT');
      assert.equal(
        (await api(`${base}/api/v1/models/fleet`, { token, method: 'DELETE' })).status,
        409,
        'the rollback target stays on /api/v1 too',
      );
      await deploy('fleet-next');
      assert.equal(
        (await ml('registered-models/rename', { body: { name: 'fleet', new_name: 'fleet-renamed' } })).body
          .registered_model.name,
        'fleet-renamed',
        'once nothing would return to it',
      );

      expectError(
        await ml('registered-models/create', { body: { name: 'has space' } }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await ml('registered-models/rename', { body: { name: 'fleet-renamed', new_name: '../x' } }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await ml('registered-models/alias', { body: { name: 'fleet-renamed', alias: 'v1', version: '1' } }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await ml('registered-models/alias', { body: { name: 'fleet-renamed', alias: 'has space', version: '1' } }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    });
  });
}
