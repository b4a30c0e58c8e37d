import { z } from 'zod';
import {
  API_PREFIX,
  DeploymentDetailSchema,
  DeploymentEventSchema,
  DeviceGroupSchema,
  DeploymentSchema,
  modelKey,
  requestJson,
  type Deployment,
} from '../../../shared/protocol/index.ts';
import { EXIT, remoteCommand, UsageError, type Flags, type Remote } from './client.ts';

const USAGE = `tinysphere deploy create GROUP MODEL@VERSION|MODEL:ALIAS [--canary PERCENT] [--max-p95-ms MS] [--max-error-rate R]
                         [--max-drift-alarms N] [--min-inferences N] [--on-trip pause|rollback] [--reason TEXT]
       tinysphere deploy list [--group GROUP]
       tinysphere deploy show ID
       tinysphere deploy promote|pause|rollback ID [--reason TEXT]
GROUP is a device group's name or id.
common options: --server URL (or TINYSPHERE_URL, default http://localhost:8080), --token TOKEN (or TINYSPHERE_TOKEN), --json
exit codes: 0 ok, 1 API error (e.g. 409: not possible in the deployment's status), 2 usage, 3 server unreachable, 4 unauthorized/forbidden, 5 not found`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const line = (d: Deployment) =>
  `${d.id}  ${d.status.padEnd(11)} ${modelKey(d.model)}${d.strategy === 'canary' ? ` canary ${d.canaryPercent}% (${d.canaryDevices.length} devices)` : ''}  previous ${d.previous ? modelKey(d.previous) : '-'}  ${d.createdAt} by ${d.createdBy ?? '?'}`;

function parseModel(spec: string | undefined): { name: string; version?: number; alias?: string } {
  const m = spec ? /^(.+?)(?:@(\d+)|:([A-Za-z][A-Za-z0-9_-]*))$/.exec(spec) : null;
  if (!m) throw new UsageError('MODEL must be NAME@VERSION (a number) or NAME:ALIAS');
  return m[2] ? { name: m[1]!, version: Number(m[2]) } : { name: m[1]!, alias: m[3]! };
}

function number(flag: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag} needs a${integer ? 'n integer' : ' number'}, got ${JSON.stringify(value)}`);
  return n;
}

/** A device group by name or id (the CLIs take either). */
export async function groupId(r: Remote, group: string | undefined): Promise<string> {
  if (!group) throw new UsageError('GROUP is needed');
  const groups = await requestJson(`${r.url}${API_PREFIX}/device-groups`, z.array(DeviceGroupSchema), {
    token: r.token,
  });
  const found = groups.find((g) => g.id === group || g.name === group);
  if (!found)
    throw new UsageError(
      `no device group named or with id ${JSON.stringify(group)} (there are: ${groups.map((g) => g.name).join(', ') || 'none'})`,
    );
  return found.id;
}

async function create(r: Remote, [group, model]: string[], f: Flags): Promise<Deployment> {
  const spec = parseModel(model);
  const gates = {
    maxP95Ms: number('max-p95-ms', f['max-p95-ms'] as string | undefined),
    maxErrorRate: number('max-error-rate', f['max-error-rate'] as string | undefined),
    maxDriftAlarms: number('max-drift-alarms', f['max-drift-alarms'] as string | undefined, true),
    minInferences: number('min-inferences', f['min-inferences'] as string | undefined, true),
    onTrip: f['on-trip'] as string | undefined,
  };
  const hasGates = Object.values(gates).some((v) => v !== undefined);
  const body = {
    groupId: await groupId(r, group),
    model: spec,
    canaryPercent: number('canary', f.canary as string | undefined, true),
    gates: hasGates ? gates : undefined,
    reason: f.reason,
  };
  // Writing the desired model into every device's document takes a while for a large group.
  return requestJson(`${r.url}${API_PREFIX}/deployments`, DeploymentSchema, {
    token: r.token,
    method: 'POST',
    body,
    timeoutMs: 300_000,
  });
}

export const deploy = remoteCommand({
  name: 'deploy',
  summary:
    'Deploy model versions to device groups (at once or as a canary with rollout gates), promote, pause, roll back, list.',
  usage: USAGE,
  options: {
    group: { type: 'string' },
    reason: { type: 'string' },
    canary: { type: 'string' },
    'max-p95-ms': { type: 'string' },
    'max-error-rate': { type: 'string' },
    'max-drift-alarms': { type: 'string' },
    'min-inferences': { type: 'string' },
    'on-trip': { type: 'string' },
  },
  async run(r, sub, rest, values) {
    const base = `${r.url}${API_PREFIX}/deployments`;
    const id = (x: string | undefined) => {
      if (!x || !/^[0-9a-f-]{36}$/.test(x)) throw new UsageError(`${sub} needs a deployment ID`);
      return x;
    };
    const group = values.group as string | undefined;
    switch (sub) {
      case 'create': {
        const d = await create(r, rest, values);
        out(values.json ? JSON.stringify(d) : line(d));
        return EXIT.ok;
      }
      case 'list': {
        const q = group ? `?groupId=${await groupId(r, group)}` : '';
        const { deployments } = await requestJson(`${base}${q}`, z.object({ deployments: z.array(DeploymentSchema) }), {
          token: r.token,
        });
        if (values.json) out(JSON.stringify(deployments));
        else if (!deployments.length) out('no deployments');
        else for (const d of deployments) out(line(d));
        return EXIT.ok;
      }
      case 'show': {
        const d = await requestJson(`${base}/${id(rest[0])}`, DeploymentDetailSchema, { token: r.token });
        const { events } = await requestJson(
          `${base}/${d.id}/events`,
          z.object({ events: z.array(DeploymentEventSchema) }),
          { token: r.token },
        );
        if (values.json) out(JSON.stringify({ ...d, events }));
        else {
          out(line(d));
          out(
            `  devices ${d.progress.devices}; desired ${JSON.stringify(d.progress.desired)}; reported ${JSON.stringify(d.progress.reported)}`,
          );
          for (const e of events)
            out(`  ${e.at}  ${e.action.padEnd(12)} by ${e.actor}${e.reason ? ` — ${e.reason}` : ''}`);
        }
        return EXIT.ok;
      }
      case 'promote':
      case 'pause':
      case 'rollback': {
        const d = await requestJson(`${base}/${id(rest[0])}/${sub}`, DeploymentSchema, {
          token: r.token,
          method: 'POST',
          body: { reason: values.reason },
        });
        out(values.json ? JSON.stringify(d) : line(d));
        return EXIT.ok;
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is needed');
    }
  },
});
