import { parseArgs } from 'node:util';
import type { Progress, SimulationOptions } from '../sim/simulate.ts';
import { oneLine, UsageError } from '../../../shared/cli/command.ts';
import type { Command } from '../../../shared/cli/command.ts';

const NAME = 'tinylcm simulate';
const USAGE = `tinylcm simulate --server URL[,URL...] --token ADMIN_TOKEN --devices N --records R
       [--offline-rate P] [--drift-at F] [--timeout S] [--concurrency C] [--seed X] [--json]
  N simulated devices, each running the TinyLCM core in this process: enrol, sync (pulling the
  deployed model), infer R records of the Seattle weather stream (a heat wave from record F·R on),
  log and upload, each offline a fraction P of the time (default 0); with several URLs each exchange
  picks one at random. The admin (or operator) token makes a group sim-<time>, an enrolment code and
  a deployment of the demo model seattle-weather. Progress goes to stderr; --json prints
  {"devices","recordsLogged","recordsAcknowledged","exchanges","p50Ms","p99Ms"} on stdout.
  Defaults: --drift-at 1 (no drift), --timeout 300 s, --concurrency 50 devices at once.
  Exit 0 when every record is acknowledged, 1 on timeout or a setup failure, 2 on bad arguments.`;

function number(name: string, raw: string | undefined, fallback: number | undefined, check: (x: number) => boolean, what: string): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required (${what})`);
    return fallback;
  }
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`--${name} must be ${what} (got ${JSON.stringify(raw)})`);
  return x;
}

const whole = (x: number) => Number.isInteger(x) && x >= 1;

export function parseSimulateArgs(args: string[]): SimulationOptions & { json: boolean } {
  const { values, positionals } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      devices: { type: 'string' },
      records: { type: 'string' },
      'offline-rate': { type: 'string' },
      'drift-at': { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (!values.server) throw new UsageError('--server URL[,URL...] is required');
  const servers = values.server.split(',').map((s) => s.trim());
  for (const s of servers) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new UsageError(`--server: ${JSON.stringify(s)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server: ${JSON.stringify(s)} is not an http(s) URL`);
  }
  const token = values.token ?? process.env.TINYSPHERE_TOKEN;
  if (!token) throw new UsageError('--token ADMIN_TOKEN is required (or TINYSPHERE_TOKEN)');
  return {
    servers: servers.map((s) => s.replace(/\/+$/, '')),
    token,
    devices: number('devices', values.devices, undefined, (x) => whole(x) && x <= 100_000, 'a whole number from 1 to 100000'),
    records: number('records', values.records, undefined, (x) => whole(x) && x <= 10_000_000, 'a whole number from 1 to 10000000'),
    offlineRate: number('offline-rate', values['offline-rate'], 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)'),
    driftAt: number('drift-at', values['drift-at'], 1, (x) => x >= 0 && x <= 1, 'a fraction in [0, 1]'),
    timeoutMs: number('timeout', values.timeout, 300, (x) => x > 0, 'a positive number of seconds') * 1000,
    concurrency: number('concurrency', values.concurrency, 50, whole, 'a whole number ≥ 1'),
    seed: number('seed', values.seed, 1, Number.isInteger, 'a whole number'),
    json: values.json ?? false,
  };
}

const progressLine = (p: Progress) =>
  `${NAME}: ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.recordsAcknowledged}/${p.recordsLogged} records acknowledged, ${p.exchanges} exchanges (${p.failedExchanges} failed), p50 ${p.p50Ms ?? '-'} ms, p99 ${p.p99Ms ?? '-'} ms` +
  p.errors.map((e) => `\n  ${oneLine(e)}`).join('');

export const simulate: Command = {
  summary: 'Simulate a fleet of TinyLCM devices against TinySphere (enrol, sync, infer with drift, upload).',
  usage: USAGE,
  async run(args) {
    let opts: ReturnType<typeof parseSimulateArgs>;
    try {
      opts = parseSimulateArgs(args);
    } catch (err) {
      if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`${NAME}: ${oneLine((err as Error).message)}\n`);
        return 2;
      }
      throw err;
    }
    // The device stack (ORT, Automerge, IndexedDB in memory) loads only once the arguments are good.
    const [{ runSimulation }, { SetupError }] = await Promise.all([import('../sim/simulate.ts'), import('../sim/admin.ts')]);
    try {
      const result = await runSimulation({ ...opts, onProgress: (p) => process.stderr.write(progressLine(p) + '\n') });
      for (const e of result.deviceErrors.slice(0, 5)) process.stderr.write(`${NAME}: ${oneLine(e)}\n`);
      const s = result.stats;
      if (opts.json) process.stdout.write(JSON.stringify(s) + '\n');
      else {
        process.stdout.write(
          [
            `group ${result.setup.groupName}` + (result.setup.deployment ? `, model ${result.setup.deployment.model.name} v${result.setup.deployment.model.version} (deployment ${result.setup.deployment.id})` : ''),
            `${s.devices} devices: ${s.recordsAcknowledged} of ${s.recordsLogged} records acknowledged (${opts.devices * opts.records} planned)`,
            `${s.exchanges} exchanges (${result.failedExchanges} failed): p50 ${s.p50Ms ?? '-'} ms, p99 ${s.p99Ms ?? '-'} ms`,
            result.complete ? 'done: every record acknowledged' : `timeout after ${opts.timeoutMs / 1000} s: not every record acknowledged`,
          ].join('\n') + '\n',
        );
      }
      return result.complete ? 0 : 1;
    } catch (err) {
      const what = err instanceof SetupError ? 'setup failed' : 'internal error';
      process.stderr.write(`${NAME}: ${what}: ${oneLine((err as Error)?.message ?? String(err))}\n`);
      return 1;
    }
  },
};
