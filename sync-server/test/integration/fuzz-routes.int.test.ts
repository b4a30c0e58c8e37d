import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { before, describe } from 'node:test';
import fc from 'fast-check';
import { sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { enrolDevice, operatorWithGroup } from '../../../testing/fleet.ts';
import { postMultipartModel } from '../../../testing/multipart.ts';
import { api, pgliteServer } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';
import { describeRequest, requestsFor, type FuzzRequest, type Known } from './fuzz-requests.ts';

/*
 * No input makes the server answer 5xx. First the 500s found by hand (issue 13, item 6), each now a
 * 4xx naming the field or limit; then a property-based sweep over every operation of the OpenAPI
 * document with hostile input (fuzz-requests.ts). Reproducible: the seed is printed, FUZZ_SEED
 * replays it, FUZZ_RUNS sets the runs per operation, FUZZ_ROUTE keeps operations whose
 * "METHOD /path" contains it, FUZZ_TIME_MS bounds the whole sweep.
 */
const SEED = Number(process.env.FUZZ_SEED) || 20261202;
const RUNS = Number(process.env.FUZZ_RUNS) || 12;
const TIME_MS = Number(process.env.FUZZ_TIME_MS) || 25_000;
const ONLY = process.env.FUZZ_ROUTE;

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('hostile input never gets a 5xx', () => {
  const suite = backendSuite('PGlite', () => pgliteServer(), stopServer);
  let base = '';
  let admin = '';
  let known: Known;
  let modelSha = '';
  let groupId = '';
  let deviceId = '';
  const call = (method: string, path: string, body?: unknown, raw?: string) =>
    api(`${base}${path}`, {
      token: admin,
      method,
      ...(body !== undefined ? { body } : {}),
      ...(raw !== undefined ? { raw } : {}),
    });

  const upload = (name: string, fields: Record<string, string>) =>
    postMultipartModel(`${base}/api/v1/models/${name}/versions`, admin, { file: sampleModel(), fields });

  before(async () => {
    const ctx = suite.ctx;
    if (!ctx) return;
    base = ctx.server.url;
    admin = ctx.adminToken;
    const v1 = `${base}/api/v1`;
    assert.equal((await upload('m1', {})).status, 201);
    modelSha = createHash('sha256').update(sampleModel()).digest('hex');
    assert.equal((await call('PUT', '/api/v1/models/m1/aliases/champion', { version: 1 })).status, 200);
    ({ groupId } = await operatorWithGroup(v1, admin, 'fuzz'));
    const device = await enrolDevice(v1, admin, groupId);
    deviceId = device.deviceId;
    const deployment = await call('POST', '/api/v1/deployments', { groupId, model: { name: 'm1', version: 1 } });
    assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
    const codeId =
      (await call('GET', `/api/v1/device-groups/${groupId}/enrolment-codes`)).body.items?.[0]?.id ?? groupId;
    const experimentId = (await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'fuzz' })).body
      .experiment_id as string;
    const runId = (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId })).body.run.info
      .run_id as string;
    const uuids = [groupId, deviceId, deployment.body.id, codeId, '00000000-0000-4000-8000-000000000000'];
    known = {
      uuids,
      strings: [
        'm1',
        '1',
        'champion',
        'e1',
        'fuzz',
        runId,
        experimentId,
        'viewer',
        'scientist',
        'Production',
        'ACTIVE_ONLY',
        'hour',
        'open',
        'm1@1',
        'a',
        modelSha,
        '2026-01-01T00:00:00Z',
        ...uuids,
      ],
      tokens: { admin, device: device.token },
      params: {
        name: ['m1'],
        version: ['1', 'champion'],
        alias: ['champion'],
        id: uuids,
        deviceId: [deviceId],
        eventId: ['e1'],
        docId: [`device:${deviceId}`, `group:${groupId}`],
        sha256: [modelSha],
        batchId: ['b1'],
        path: [`${experimentId}/${runId}/artifacts/x.txt`],
      },
    };
  });

  suite.test('the 500s found by hand are 4xx that name the field or the limit', async () => {
    const mlflow = '/api/2.0/mlflow';
    const cases: [string, string, string, unknown, number, RegExp][] = [
      [
        'NUL in a token name',
        'POST',
        '/api/v1/tokens',
        { name: 'a\u0000', role: 'viewer' },
        400,
        /"name" contains a NUL/,
      ],
      ['NUL in a group name', 'POST', '/api/v1/device-groups', { name: 'a\u0000' }, 400, /"name" contains a NUL/],
      [
        'an unpaired surrogate in a group name (stored mangled before)',
        'POST',
        '/api/v1/device-groups',
        { name: 'a\ud800' },
        400,
        /"name" contains an unpaired UTF-16 surrogate/,
      ],
      ['NUL in a model search', 'GET', '/api/v1/models?search=a%00', undefined, 400, /query: "search" contains a NUL/],
      [
        'NUL in a tag key',
        'PATCH',
        '/api/v1/models/m1',
        { tags: { 'k\u0000': 'v' } },
        400,
        /"tags" has a key that contains a NUL/,
      ],
      [
        'NUL in a version description',
        'PATCH',
        '/api/v1/models/m1/versions/1',
        { description: 'a\u0000' },
        400,
        /"description" contains a NUL/,
      ],
      [
        'NUL in a deployed model name',
        'POST',
        '/api/v1/deployments',
        { groupId: '$group', model: { name: 'm1\u0000', version: 1 } },
        400,
        /"model\.name" contains a NUL/,
      ],
      [
        'NUL in a drift feature filter',
        'GET',
        '/api/v1/drift-events?feature=a%00',
        undefined,
        400,
        /"feature" contains a NUL/,
      ],
      [
        'NUL in a drift event id (path)',
        'POST',
        '/api/v1/drift-events/$device/e%00/acknowledge',
        undefined,
        400,
        /path parameters: "eventId" contains a NUL/,
      ],
      [
        'NUL in a metrics model filter',
        'GET',
        '/api/v1/fleet/metrics?modelVersion=m%00@1',
        undefined,
        400,
        /"modelVersion" contains a NUL/,
      ],
      [
        'a version past int4 in a path',
        'GET',
        '/api/v1/models/m1/versions/9999999999',
        undefined,
        400,
        /version number is at most 2147483647/,
      ],
      [
        'a version past int4 in an alias body',
        'PUT',
        '/api/v1/models/m1/aliases/champion',
        { version: 9999999999 },
        400,
        /<=2147483647[\s\S]*version/,
      ],
      [
        'a version past int4 in a deployment',
        'POST',
        '/api/v1/deployments',
        { groupId: '$group', model: { name: 'm1', version: 9999999999 } },
        400,
        /model\.version/,
      ],
      [
        'MLflow: NUL in an experiment name',
        'POST',
        `${mlflow}/experiments/create`,
        { name: 'a\u0000' },
        400,
        /"name" contains a NUL/,
      ],
      [
        'MLflow: NUL in get-by-name',
        'GET',
        `${mlflow}/experiments/get-by-name?experiment_name=a%00`,
        undefined,
        400,
        /"experiment_name" contains a NUL/,
      ],
      [
        'MLflow: NUL in an experiment search filter',
        'POST',
        `${mlflow}/experiments/search`,
        { filter: "name = 'a\u0000'" },
        400,
        /"filter" contains a NUL/,
      ],
      [
        'MLflow: NUL in a run search filter',
        'POST',
        `${mlflow}/runs/search`,
        { experiment_ids: ['0'], filter: "params.x = 'a\u0000'" },
        400,
        /"filter" contains a NUL/,
      ],
      [
        'MLflow: NUL in order_by',
        'POST',
        `${mlflow}/runs/search`,
        { experiment_ids: ['0'], order_by: ['params.a\u0000'] },
        400,
        /"order_by\[0\]" contains a NUL/,
      ],
      [
        'MLflow: NUL in a run name',
        'POST',
        `${mlflow}/runs/create`,
        { experiment_id: '0', run_name: 'a\u0000' },
        400,
        /"run_name" contains a NUL/,
      ],
      [
        'MLflow: NUL in a registered model name',
        'POST',
        `${mlflow}/registered-models/create`,
        { name: 'a\u0000' },
        400,
        /"name" contains a NUL/,
      ],
      [
        'MLflow: NUL in a registry filter',
        'GET',
        `${mlflow}/registered-models/search?filter=name%3D%27a%00%27`,
        undefined,
        400,
        /"filter" contains a NUL/,
      ],
      [
        'MLflow: NUL in a version filter',
        'GET',
        `${mlflow}/model-versions/search?filter=run_id%3D%27a%00%27`,
        undefined,
        400,
        /"filter" contains a NUL/,
      ],
      [
        'MLflow: NUL in a run id',
        'GET',
        `${mlflow}/metrics/get-history?run_id=abc%00&metric_key=a`,
        undefined,
        400,
        /"run_id" contains a NUL/,
      ],
      [
        'MLflow: NUL in an artifact listing run id',
        'GET',
        `${mlflow}/artifacts/list?run_id=abc%00`,
        undefined,
        400,
        /"run_id" contains a NUL/,
      ],
      [
        'MLflow: a fractional creation_time',
        'POST',
        `${mlflow}/experiments/search`,
        { filter: 'attributes.creation_time > 1.5' },
        400,
        /Expected an integer for numeric attribute: creation_time/,
      ],
      [
        'MLflow: a huge creation_time',
        'POST',
        `${mlflow}/experiments/search`,
        { filter: 'creation_time > 99999999999999999999' },
        400,
        /numeric attribute: creation_time/,
      ],
      [
        'MLflow: a fractional start_time',
        'POST',
        `${mlflow}/runs/search`,
        { experiment_ids: ['0'], filter: 'attributes.start_time > 1.5' },
        400,
        /numeric attribute: start_time/,
      ],
      [
        'MLflow: a huge start_time',
        'POST',
        `${mlflow}/runs/search`,
        { experiment_ids: ['0'], filter: 'attributes.start_time < 1e300' },
        400,
        /numeric attribute: start_time/,
      ],
      [
        'MLflow: a version past int4',
        'GET',
        `${mlflow}/model-versions/get?name=m1&version=99999999999`,
        undefined,
        400,
        /from 0 to 2147483647/,
      ],
      [
        'MLflow: an alias to a version past int4',
        'POST',
        `${mlflow}/registered-models/alias`,
        { name: 'm1', alias: 'champion', version: '99999999999' },
        400,
        /from 0 to 2147483647/,
      ],
      [
        'MLflow: updating a version past int4',
        'PATCH',
        `${mlflow}/model-versions/update`,
        { name: 'm1', version: 99999999999, description: 'x' },
        400,
        /from 0 to 2147483647/,
      ],
    ];
    for (const [what, method, rawPath, body, status, message] of cases) {
      const path = rawPath.replace('$device', deviceId);
      const res = await call(
        method,
        path,
        body === undefined ? undefined : JSON.parse(JSON.stringify(body).replace('$group', groupId)),
      );
      assert.equal(res.status, status, `${what}: ${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      const text = res.body.message ?? res.body.error?.message;
      assert.match(text, message, what);
      if (path.startsWith(mlflow)) assert.equal(res.body.error_code, 'INVALID_PARAMETER_VALUE', what);
    }
  });

  suite.test('a JSON body over 1 MiB is 413, JSON nested deeper than 64 levels is 400', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024), role: 'viewer' });
    const tooBig = await call('POST', '/api/v1/tokens', undefined, big);
    assert.equal(tooBig.status, 413, JSON.stringify(tooBig.body));
    assert.match(tooBig.body.error.message, /larger than 1 MiB/);
    const mlflowBig = await call(
      'POST',
      '/api/2.0/mlflow/experiments/create',
      undefined,
      JSON.stringify({ name: 'x'.repeat(1024 * 1024) }),
    );
    assert.equal(mlflowBig.status, 413);
    assert.equal(mlflowBig.body.error_code, 'INVALID_PARAMETER_VALUE');
    for (const raw of [nested(20_000), `{"name": "a", "role": "viewer", "x": ${nested(64)}}`]) {
      const deep = await call('POST', '/api/v1/tokens', undefined, raw);
      assert.equal(deep.status, 400, JSON.stringify(deep.body));
      assert.match(deep.body.error.message, /nested deeper than 64 levels/);
    }
    assert.equal(
      (await call('POST', '/api/v1/tokens', undefined, `{"name": "a", "role": "viewer", "x": ${nested(60)}}`)).status,
      201,
    );
  });

  suite.test(
    'a model upload with NUL in its description or metadata nested 20 000 deep is 400 and stores nothing',
    async () => {
      const refusals: [Record<string, string>, RegExp][] = [
        [{ metadata: JSON.stringify({ description: 'a\u0000b' }) }, /"metadata": "description" contains a NUL/],
        [
          { metadata: JSON.stringify({ features: ['ok', 'x\ud800'] }) },
          /"features\[1\]" contains an unpaired UTF-16 surrogate/,
        ],
        [
          { metadata: `{"preprocessing": {"a": ${nested(20_000)}}}` },
          /"metadata" field is nested deeper than 64 levels/,
        ],
        [
          { metadata: `{"preprocessing": ${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}` },
          /nested deeper than 64 levels/,
        ],
      ];
      for (const [fields, message] of refusals) {
        const res = await upload('refused', fields);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.match(res.body.error.message, message);
      }
      assert.equal((await call('GET', '/api/v1/models/refused')).status, 404);
    },
  );

  suite.test('NUL in a bearer token or a path segment is 400, never 5xx', async () => {
    const rawStatus = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
        let answer = '';
        socket.on('data', (c) => (answer += c));
        socket.on('error', reject);
        socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
        socket.end(request);
      });
    assert.match(
      await rawStatus(
        'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ab\u0000cd\r\nConnection: close\r\n\r\n',
      ),
      / 400 /,
    );
    assert.equal((await api(`${base}/api/v1/me`, { token: 'ÿÿÿ' })).status, 401);
    for (const path of [
      '/api/v1/models/a%00b',
      '/api/v1/devices/%00',
      '/api/2.0/mlflow-artifacts/artifacts/a%00b',
      '/api/v1/models/m1/versions/%00',
    ]) {
      assert.equal((await call('GET', path)).status, 400, path);
    }
  });

  suite.test(`a seeded sweep of every operation with hostile input (seed ${SEED}, FUZZ_SEED replays)`, async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).body;
    // Deletions last, so the rest meet the model, device and group they name; the device itself at the very end.
    const ops = Object.entries(doc.paths as Record<string, Record<string, any>>)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
      .filter(({ path, method }) => !ONLY || `${method.toUpperCase()} ${path}`.includes(ONLY))
      .sort(
        (a, b) =>
          Number(a.method === 'delete') - Number(b.method === 'delete') ||
          Number(a.path === '/api/v1/devices/{id}') - Number(b.path === '/api/v1/devices/{id}'),
      );
    console.log(`fuzz: seed ${SEED}, ${RUNS} runs per operation, ${ops.length} operations, at most ${TIME_MS} ms`);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const [i, { path, method, op }] of ops.entries()) {
      let failed: { request: FuzzRequest; answer: string } | undefined;
      const property = fc.asyncProperty(requestsFor(doc, known, method, path, op), async (request) => {
        let answer: string;
        try {
          const res = await fetch(`${base}${request.path}`, {
            method: request.method,
            headers: request.headers,
            body: request.body,
            signal: AbortSignal.timeout(15_000),
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          answer = `${res.status} ${(await res.text()).slice(0, 300)}`;
          if (res.status < 500) return true;
        } catch (err) {
          answer = `no answer: ${(err as Error).message}`;
        }
        failed = { request, answer };
        return false;
      });
      try {
        await fc.assert(property, {
          seed: SEED + i,
          numRuns: RUNS,
          endOnFailure: true,
          interruptAfterTimeLimit: TIME_MS / ops.length,
        });
      } catch {
        if (failed)
          failures.push(
            `${method.toUpperCase()} ${path} (FUZZ_SEED=${SEED} FUZZ_ROUTE='${method.toUpperCase()} ${path}')\n  ${describeRequest(base, failed.request)}\n  → ${failed.answer}`,
          );
      }
    }
    console.log(
      `fuzz: answers ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    assert.deepEqual(failures, [], `hostile requests that got a 5xx or no answer:\n${failures.join('\n')}`);
  });
});
