/**
 * A TinySphere populated with real data for the console's browser tests: tokens of every role, a
 * group of enrolled devices whose replicas synced their documents (reported state, drift events),
 * log batches over the last hours, a deployment of the demo model, MLflow runs, and a second
 * version registered from a run. Everything goes through the public HTTP API, as devices and
 * people would.
 */
import assert from 'node:assert/strict';
import { appendEvent, deviceDocId, report, type DeviceDoc } from '../../shared/documents/index.ts';
import { CLASS_LABELS } from '../../shared/demo/seattle-weather.ts';
import { DRIFT_FLAGS, WARNING_SHIFT } from '../../shared/drift/flags.ts';
import { buildPackage } from '../../shared/ingest/index.ts';
import { DocSync } from '../../shared/sync/documents.ts';
import { api } from '../../testing/server-process.ts';
import { createRng } from '../../shared/random/prng.ts';

const HOUR = 3_600_000;
export const MODEL = 'seattle-weather';
export const HOURS = 8;
const PER_HOUR = 12;
/** kiosk-2's records with a drift alarm / a drift warning over its three drifting hours (one record has both). */
export const DRIFTING_ALARMS = 3 * 6;
export const DRIFTING_WARNINGS = 3 * 4;

export interface SimDevice {
  deviceId: string;
  token: string;
  name: string;
}

export interface Seeded {
  v1: string;
  tokens: { admin: string; operator: string; scientist: string; viewer: string };
  groupId: string;
  devices: SimDevice[];
  runIds: string[];
  /** The demo model's ONNX bytes, as the registry serves them. */
  onnx: Uint8Array;
}

const ok = (res: { status: number; body: unknown }, what: string, status = 200) => {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  return res.body as any;
};

/** A device's replica of its own document, synced as TinyLCM would (JSON protocol). */
export async function deviceReplica(url: string, d: SimDevice): Promise<DocSync<DeviceDoc>> {
  const replica = await DocSync.open<DeviceDoc>({
    url,
    token: d.token,
    docId: deviceDocId(d.deviceId),
    format: 'json',
  });
  await replica.sync();
  return replica;
}

async function uploadBatch(v1: string, token: string, batchId: string, records: object[]) {
  const form = new FormData();
  form.append('package', new Blob([(await buildPackage(batchId, records)) as Uint8Array<ArrayBuffer>]), 'batch.tar.gz');
  const res = await fetch(`${v1}/devices/me/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 201, await res.text());
}

async function waitForDemoModel(v1: string, token: string) {
  for (let i = 0; i < 100; i++) {
    const res = await api(`${v1}/models/${MODEL}/versions/1`, { token });
    if (res.status === 200) return res.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the demo model was not registered');
}

/** The model's bytes plus an ONNX doc_string (ModelProto field 6) of `extra` bytes: still a valid model, big enough to show progress. */
export function padded(onnx: Uint8Array, extra: number): Uint8Array {
  const len: number[] = [];
  for (let n = extra; ; n >>>= 7) {
    if (n < 0x80) {
      len.push(n);
      break;
    }
    len.push((n & 0x7f) | 0x80);
  }
  const out = new Uint8Array(onnx.length + 1 + len.length + extra);
  out.set(onnx);
  out.set([0x32, ...len], onnx.length);
  out.fill(0x20, onnx.length + 1 + len.length);
  return out;
}

/** One day's weather as the demo model takes it, `warmer` degrees warmer than usual. */
function inputs(random: () => number, warmer: number): number[] {
  const tempMax = 12 + random() * 14 + warmer;
  return [
    random() < 0.4 ? Math.round(random() * 100) / 10 : 0,
    tempMax,
    tempMax - 5 - random() * 4,
    1 + random() * 5,
  ].map((x) => Math.round(x * 10) / 10);
}

export async function seed(url: string, adminToken: string, now = Date.now()): Promise<Seeded> {
  const v1 = `${url}/api/v1`;
  const token = async (name: string, role: string) =>
    ok(await api(`${v1}/tokens`, { token: adminToken, body: { name, role } }), `token ${role}`, 201).token as string;
  const tokens = {
    admin: adminToken,
    operator: await token('olivia-operator', 'operator'),
    scientist: await token('sam-scientist', 'scientist'),
    viewer: await token('vic-viewer', 'viewer'),
  };

  const v1Version = await waitForDemoModel(v1, tokens.viewer);
  const artifact = await fetch(`${v1}/models/${MODEL}/versions/1/artifact`, {
    headers: { authorization: `Bearer ${tokens.viewer}` },
  });
  const onnx = new Uint8Array(await artifact.arrayBuffer());

  const group = ok(
    await api(`${v1}/device-groups`, {
      token: tokens.operator,
      body: { name: 'lab', description: 'kiosks in the lab' },
    }),
    'group',
    201,
  );
  const code = ok(
    await api(`${v1}/device-groups/${group.id}/enrolment-codes`, {
      token: tokens.operator,
      body: { uses: 3, expiresInSeconds: 3600 },
    }),
    'code',
    201,
  );
  const devices: SimDevice[] = [];
  for (const name of ['kiosk-1', 'kiosk-2', 'kiosk-3']) {
    const e = ok(
      await api(`${v1}/devices/enrol`, { body: { code: code.code, name, metadata: { userAgent: 'fixture' } } }),
      'enrol',
      201,
    );
    devices.push({ deviceId: e.deviceId, token: e.token, name });
  }
  ok(
    await api(`${v1}/deployments`, {
      token: tokens.operator,
      body: { groupId: group.id, model: { name: MODEL, alias: 'champion' }, reason: 'first rollout' },
    }),
    'deploy',
    201,
  );

  // Logs: HOURS hours of records per device; kiosk-2 drifts in the last three hours (only "sun",
  // lower confidence, feature alarms, 15 °C warmer inputs), the others stay as trained.
  // Seeded, so every run seeds the same data.
  const random = createRng(42);
  const sha = v1Version.sha256 as string;
  for (const [i, d] of devices.entries()) {
    const records = [];
    for (let h = HOURS - 1; h >= 0; h--) {
      const drifting = i === 1 && h < 3;
      for (let k = 0; k < PER_HOUR; k++) {
        const label = drifting ? 'sun' : CLASS_LABELS[Math.floor(random() * CLASS_LABELS.length)]!;
        records.push({
          id: `${d.name}-${h}-${k}`,
          ts: now - h * HOUR - (k + 1) * 4 * 60_000,
          model: { name: MODEL, version: 1, sha256: sha },
          output: { label, classIndex: CLASS_LABELS.indexOf(label as (typeof CLASS_LABELS)[number]) },
          latencyMs: 0.5 + random() * (drifting ? 3 : 1),
          confidence: drifting ? 0.35 + random() * 0.3 : 0.6 + random() * 0.35,
          // Per drifting hour: 6 alarm records (one of them also warns on confidence) and 3 more warning-only ones.
          drift: !drifting
            ? 0
            : k === 0
              ? DRIFT_FLAGS.feature | (DRIFT_FLAGS.confidence << WARNING_SHIFT)
              : k % 2 === 0
                ? DRIFT_FLAGS.feature
                : k % 4 === 1
                  ? DRIFT_FLAGS.feature << WARNING_SHIFT
                  : 0,
          // The demo model's inputs (precipitation, temp_max, temp_min, wind); the drifting hours are a +15 °C heat wave.
          input: inputs(random, drifting ? 15 : 0),
        });
      }
    }
    await uploadBatch(v1, d.token, `${d.name}-b1`, records);

    const replica = await deviceReplica(url, d);
    const model = replica.value.desired.model;
    assert.ok(model, `${d.name} was told to run a model`);
    await replica.edit((doc) =>
      report(doc, {
        appVersion: '0.1.0',
        model,
        status: 'running',
        counters: { queuedRecords: i * 5 },
        metrics: {
          model,
          inferences: records.length,
          errors: 0,
          p95Ms: 1.4,
          driftAlarms: i === 1 ? DRIFTING_ALARMS : 0,
          driftWarnings: i === 1 ? DRIFTING_WARNINGS : 0,
          meanConfidence: 0.7,
        },
      }),
    );
    if (i !== 2) {
      for (const [j, feature] of ['temp_max', 'precipitation'].entries()) {
        await replica.edit((doc) =>
          appendEvent(doc, {
            id: `${d.name}-ev${j}`,
            ts: new Date(now - (j + 1) * HOUR).toISOString(),
            kind: 'feature',
            detector: 'ks',
            feature,
            statistic: 0.41 + j / 10,
          }),
        );
      }
    }
    await replica.sync();
  }

  // MLflow: an experiment with two runs, metric histories over steps.
  const mlflow = `${url}/api/2.0/mlflow`;
  const exp = ok(
    await api(`${mlflow}/experiments/create`, { token: tokens.scientist, body: { name: 'seattle-weather-training' } }),
    'experiment',
  ).experiment_id as string;
  const runIds: string[] = [];
  for (const [r, l2] of [0.001, 0.01].entries()) {
    const run = ok(
      await api(`${mlflow}/runs/create`, {
        token: tokens.scientist,
        body: { experiment_id: exp, run_name: `softmax-l2-${l2}`, start_time: now - (3 - r) * HOUR },
      }),
      'run',
    ).run.info.run_id as string;
    const metrics = Array.from({ length: 10 }, (_, step) => [
      { key: 'loss', value: 1.2 / (1 + step * (0.5 + r * 0.2)), timestamp: now - HOUR + step * 1000, step },
      { key: 'accuracy', value: 0.55 + step * (0.025 - r * 0.005), timestamp: now - HOUR + step * 1000, step },
    ]).flat();
    ok(
      await api(`${mlflow}/runs/log-batch`, {
        token: tokens.scientist,
        body: {
          run_id: run,
          params: [
            { key: 'l2', value: String(l2) },
            { key: 'iterations', value: '300' },
          ],
          metrics,
        },
      }),
      'log-batch',
    );
    ok(
      await api(`${mlflow}/runs/update`, {
        token: tokens.scientist,
        body: { run_id: run, status: 'FINISHED', end_time: now - HOUR },
      }),
      'finish run',
    );
    runIds.push(run);
  }

  // Version 2: the same graph (other bytes: a doc string), registered from the first run, with the demo's metadata.
  const { name: _n, ...metadata } = { name: '', ...(v1Version.metadata as Record<string, unknown>) };
  const form = new FormData();
  form.append(
    'metadata',
    JSON.stringify({ ...metadata, runId: runIds[0], description: 'retrained in run softmax-l2-0.001' }),
  );
  form.append('file', new Blob([padded(onnx, 64) as Uint8Array<ArrayBuffer>]), 'model.onnx');
  const up = await fetch(`${v1}/models/${MODEL}/versions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.scientist}` },
    body: form,
  });
  assert.equal(up.status, 201, await up.text());

  return { v1, tokens, groupId: group.id, devices, runIds, onnx };
}
