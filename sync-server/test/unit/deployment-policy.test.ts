import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { GatesSchema, type Deployment } from '../../../shared/protocol/index.ts';
import { ReportedMetricsSchema } from '../../../shared/documents/index.ts';
import { chooseCanary, desiredFor, judge, runningModel } from '../../src/services/deployments/policy.ts';

const ids = (n: number): string[] => Array.from({ length: n }, () => randomUUID());
const v1 = { name: 'm', version: 1, sha256: '1'.repeat(64) };
const v2 = { name: 'm', version: 2, sha256: '2'.repeat(64) };

describe('canary selection', () => {
  test('takes round(n·p/100) devices, at least one, and is stable for a deployment', () => {
    const devices = ids(50);
    const dep = randomUUID();
    const a = chooseCanary(dep, devices, 20);
    assert.equal(a.length, 10);
    assert.deepEqual(chooseCanary(dep, [...devices].reverse(), 20), a, 'order of the device list does not matter');
    assert.equal(new Set(a).size, 10);
    assert.ok(a.every((d) => devices.includes(d)));
    assert.equal(chooseCanary(dep, ids(3), 1).length, 1);
    assert.deepEqual(chooseCanary(dep, [], 50), []);
    assert.equal(chooseCanary(dep, devices, 100).length, 50);
  });

  test('another deployment draws another sample, and over many draws every device is picked about p % of the time', () => {
    const devices = ids(20);
    const picked = new Map(devices.map((d) => [d, 0]));
    const draws = 2000;
    for (let i = 0; i < draws; i++)
      for (const d of chooseCanary(randomUUID(), devices, 25)) picked.set(d, picked.get(d)! + 1);
    // Each draw takes 5 of 20; per device Binomial(2000, 0.25): mean 500, sd ≈ 19.4 — 6 sd bounds.
    for (const count of picked.values()) assert.ok(Math.abs(count - 500) < 117, `picked ${count} times`);
  });
});

describe('what a device should run', () => {
  const canary = ['a'];
  const base = { model: v2, previous: v1, canaryDevices: canary };
  test('by status: canary and paused split the group, active moves all, rollback returns all', () => {
    assert.equal(desiredFor({ ...base, status: 'canary' }, 'a'), v2);
    assert.equal(desiredFor({ ...base, status: 'canary' }, 'b'), v1);
    assert.equal(desiredFor({ ...base, status: 'paused' }, 'a'), v2);
    assert.equal(desiredFor({ ...base, status: 'paused' }, 'b'), v1);
    assert.equal(desiredFor({ ...base, status: 'active' }, 'b'), v2);
    assert.equal(desiredFor({ ...base, status: 'rolled_back' }, 'a'), v1);
    assert.equal(desiredFor({ ...base, previous: null, status: 'rolled_back' }, 'a'), null);
    assert.equal(desiredFor(undefined, 'a'), null);
  });
  test('a new deployment keeps the others on what the group runs now', () => {
    assert.equal(runningModel({ status: 'active', model: v2, previous: v1 } as Deployment), v2);
    assert.equal(runningModel({ status: 'canary', model: v2, previous: v1 } as Deployment), v1);
    assert.equal(runningModel({ status: 'rolled_back', model: v2, previous: v1 } as Deployment), v1);
    assert.equal(runningModel(undefined), null);
  });
});

describe('rollout gates', () => {
  const gates = GatesSchema.parse({ maxDriftAlarms: 3, maxErrorRate: 0.05, maxP95Ms: 50, minInferences: 100 });
  const report = (over: object) => ({
    model: { name: 'm', version: '2', sha256: v2.sha256 },
    inferences: 200,
    errors: 0,
    p95Ms: 10,
    driftAlarms: 0,
    ...over,
  });
  test('each limit trips on its own, just above it and not at it', () => {
    assert.equal(judge(gates, v2, report({})), null);
    assert.equal(judge(gates, v2, report({ driftAlarms: 3 })), null);
    assert.equal(judge(gates, v2, report({ driftAlarms: 4 }))?.metric, 'driftAlarms');
    assert.equal(judge(gates, v2, report({ errors: 10 })), null);
    assert.equal(judge(gates, v2, report({ errors: 11 }))?.metric, 'errorRate');
    assert.equal(judge(gates, v2, report({ p95Ms: 50 })), null);
    const slow = judge(gates, v2, report({ p95Ms: 80.25 }));
    assert.equal(slow?.metric, 'p95Ms');
    assert.match(slow!.reason, /p95 latency 80\.3 ms > 50 ms/);
  });
  test('maxDriftAlarms counts alarm records only: any number of warnings never trips it', () => {
    const warned = ReportedMetricsSchema.parse(report({ driftAlarms: 3, driftWarnings: 5000 }));
    assert.equal(warned.driftWarnings, 5000, 'the report schema keeps warnings apart');
    assert.equal(judge(gates, v2, warned), null);
    const tripped = judge(gates, v2, ReportedMetricsSchema.parse(report({ driftAlarms: 4, driftWarnings: 0 })));
    assert.deepEqual(tripped, { metric: 'driftAlarms', value: 4, limit: 3, reason: '4 drift alarms > 3' });
    assert.equal(
      judge(GatesSchema.parse({ maxDriftAlarms: 0 }), v2, ReportedMetricsSchema.parse(report({ driftWarnings: 1 }))),
      null,
      'a zero-alarm gate ignores a warning',
    );
  });
  test('reports on another model or on too few inferences are not judged', () => {
    assert.equal(
      judge(gates, v2, report({ driftAlarms: 99, model: { name: 'm', version: '1', sha256: v1.sha256 } })),
      null,
    );
    assert.equal(judge(gates, v2, report({ driftAlarms: 99, model: undefined })), null);
    assert.equal(judge(gates, v2, report({ driftAlarms: 99, inferences: 99 })), null);
    assert.equal(
      judge(GatesSchema.parse({}), v2, report({ driftAlarms: 99, errors: 199, p95Ms: 1e6 })),
      null,
      'no limits, no trips',
    );
  });
});
