import {
  API_PREFIX,
  DeviceConfigAnswerSchema,
  requestJson,
  StoredConfigSchema,
  type DeviceConfig,
  type StoredConfig,
} from '../../../shared/protocol/index.ts';
import { EXIT, remoteCommand, UsageError, type Remote } from './client.ts';
import { groupId } from './deploy.ts';

const USAGE = `tinysphere config get GROUP [--device ID] [--json]
       tinysphere config set GROUP key=value … [--device ID] [--json]
GROUP is a device group's name or id; --device reads or writes that device's own config (it overrides the group's key by key).
keys are dotted paths (detectors.features.params.lambda=0.05); a value is JSON when it parses as JSON, else a string; key=null removes the key.
common options: --server URL (or TINYSPHERE_URL, default http://localhost:8080), --token TOKEN (or TINYSPHERE_TOKEN), --json
exit codes: 0 ok, 1 API error (e.g. 400: the server refused the config, with its reason), 2 usage, 3 server unreachable, 4 unauthorized/forbidden, 5 not found`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** `a.b.c=value` → path and value; the value is JSON when it parses (30, true, {"x":1}, "quoted"), else the text. */
export function parseAssignment(arg: string): { path: string[]; value: unknown } {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`"${arg}" is not key=value`);
  const path = arg.slice(0, eq).split('.');
  if (path.some((p) => p === '' || FORBIDDEN_KEYS.has(p)))
    throw new UsageError(`"${arg.slice(0, eq)}" is not a dotted key (like sampling.everyNth)`);
  const text = arg.slice(eq + 1);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // not JSON: the text itself
  }
  return { path, value };
}

/** The config with each assignment applied (a copy); `null` removes a key. */
export function applyAssignments(config: DeviceConfig, args: string[]): DeviceConfig {
  if (args.length === 0) throw new UsageError('set needs at least one key=value');
  const next = structuredClone(config) as Record<string, unknown>;
  for (const arg of args) {
    const { path, value } = parseAssignment(arg);
    let at = next;
    for (const [i, key] of path.slice(0, -1).entries()) {
      const child = at[key];
      if (child === undefined) at[key] = {};
      else if (typeof child !== 'object' || child === null || Array.isArray(child)) {
        throw new UsageError(
          `${path.slice(0, i + 1).join('.')} is ${JSON.stringify(child)}, not an object: cannot set ${path.join('.')}`,
        );
      }
      at = at[key] as Record<string, unknown>;
    }
    const last = path.at(-1)!;
    if (value === null) delete at[last];
    else at[last] = value;
  }
  return next as DeviceConfig;
}

function deviceId(id: string | undefined): string | undefined {
  if (id !== undefined && !/^[0-9a-f-]{36}$/i.test(id))
    throw new UsageError(`--device needs a device id (a UUID), got ${JSON.stringify(id)}`);
  return id;
}

const describe = (label: string, s: StoredConfig) =>
  `${label}: version ${s.version}${s.updatedAt ? ` (by ${s.updatedBy ?? '?'} at ${s.updatedAt})` : ''}\n${JSON.stringify(s.config, null, 2)}`;

/** The device's config, after checking it belongs to the group named on the command line. */
async function readDevice(r: Remote, group: string, device: string) {
  const answer = await requestJson(`${r.url}${API_PREFIX}/devices/${device}/config`, DeviceConfigAnswerSchema, {
    token: r.token,
  });
  if (answer.group.groupId !== group) throw new UsageError(`device ${device} is not in group ${group}`);
  return answer;
}

export const config = remoteCommand({
  name: 'config',
  summary:
    'Read and change the remote configuration of a device group or one device (sync interval, sampling, retention, detectors, alerts).',
  usage: USAGE,
  options: { device: { type: 'string' } },
  async run(r, sub, rest, values) {
    if (sub !== 'get' && sub !== 'set')
      throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is needed (get or set)');
    const [groupArg, ...assignments] = rest;
    const device = deviceId(values.device as string | undefined);
    // Wrong input is found before anything is asked of the server.
    if (sub === 'get' && assignments.length)
      throw new UsageError(`get takes only GROUP; unexpected ${JSON.stringify(assignments[0])}`);
    if (sub === 'set') applyAssignments({}, assignments);
    const group = await groupId(r, groupArg);
    const groupUrl = `${r.url}${API_PREFIX}/device-groups/${group}/config`;
    const deviceUrl = `${r.url}${API_PREFIX}/devices/${device}/config`;
    if (sub === 'get') {
      if (device) {
        const a = await readDevice(r, group, device);
        if (values.json) out(JSON.stringify(a));
        else
          out(
            [
              describe('device', a),
              describe('group', a.group),
              `effective (configVersion ${a.effective.configVersion}):\n${JSON.stringify(a.effective.config, null, 2)}`,
            ].join('\n'),
          );
      } else {
        const s = await requestJson(groupUrl, StoredConfigSchema, { token: r.token });
        out(values.json ? JSON.stringify(s) : describe('group', s));
      }
      return EXIT.ok;
    }
    // Read, change, write the whole config: a PUT replaces it.
    const current = device
      ? (await readDevice(r, group, device)).config
      : (await requestJson(groupUrl, StoredConfigSchema, { token: r.token })).config;
    const body = applyAssignments(current, assignments);
    // Writing into every device's document takes a while for a large group.
    const opts = { token: r.token, method: 'PUT', body, timeoutMs: 300_000 };
    const saved = device
      ? await requestJson(deviceUrl, DeviceConfigAnswerSchema, opts)
      : await requestJson(groupUrl, StoredConfigSchema, opts);
    out(values.json ? JSON.stringify(saved) : describe(device ? 'device' : 'group', saved));
    return EXIT.ok;
  },
});
