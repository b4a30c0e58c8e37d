import { parseArgs } from 'node:util';
import type { Progress, SimulationOptions } from '../sim/simulate.ts';
import { oneLine, UsageError } from '../../../shared/cli/command.ts';
import { DEMO_MODEL } from '../sim/admin.ts';
import { parseModelSpec, readCsvText } from '../sim/csv-feed.ts';
import type { Command } from '../../../shared/cli/command.ts';

const NAME = 'tinylcm simulate';
const USAGE = `tinylcm simulate --server URL[,URL...] --token ADMIN_TOKEN --devices N --records R
       [--model NAME@VERSION|NAME:ALIAS --data FILE.csv]
       [--offline-rate P] [--drift-at F] [--timeout S] [--concurrency C] [--seed X] [--json]
  N simulated devices, each running the TinyLCM core in this process: enrol, sync (pulling the
  deployed model), infer R records of the Seattle weather stream (a heat wave from record F·R on),
  log and upload, each offline a fraction P of the time (default 0); with several URLs each exchange
  picks one at random. The admin (or operator) token makes a group sim-<time>, an enrolment code and
  a deployment of the demo model seattle-weather, or of --model. With --data every device feeds the
  CSV's rows in file order instead (from the top again after the last), columns matched by the
  model's feature names (registry metadata "features", else "inputSchema"; extra columns ignored);
  --model without --data only for the demo model. Progress goes to stderr; --json prints
  {"devices","recordsLogged","recordsAcknowledged","exchanges","p50Ms","p99Ms"} on stdout.
  Defaults: --drift-at 1 (no drift), --timeout 300 s, --concurrency 50 devices at once.
  Exit 0 when every record is acknowledged, 1 on timeout or a setup failure, 2 on bad arguments
  (a model the server does not have, a CSV that is unreadable, lacks a feature column or holds a
  non-number, a model that names no features).`;

function number(
  name: string,
  raw: string | undefined,
  fallback: number | undefined,
  check: (x: number) => boolean,
  what: string,
): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required (${what})`);
    return fallback;
  }
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || !check(x))
    throw new UsageError(`--${name} must be ${what} (got ${JSON.stringify(raw)})`);
  return x;
}

const whole = (x: number) => Number.isInteger(x) && x >= 1;

export function parseSimulateArgs(args: string[]): SimulationOptions & { json: boolean; data?: string } {
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
      model: { type: 'string' },
      data: { type: 'string' },
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
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`--server: ${JSON.stringify(s)} is not an http(s) URL`);
  }
  const token = values.token ?? process.env.TINYSPHERE_TOKEN;
  if (!token) throw new UsageError('--token ADMIN_TOKEN is required (or TINYSPHERE_TOKEN)');
  const model = values.model === undefined ? undefined : parseModelSpec(values.model);
  if (values.data !== undefined && values['drift-at'] !== undefined)
    throw new UsageError('--drift-at shifts the weather stream; with --data the CSV holds whatever drift it has');
  if (model && values.data === undefined && model.name !== DEMO_MODEL) {
    throw new UsageError(
      `--model ${values.model} needs --data FILE.csv (the built-in weather stream fits only the demo model ${DEMO_MODEL})`,
    );
  }
  return {
    ...(model ? { model } : {}),
    ...(values.data !== undefined ? { data: values.data } : {}),
    servers: servers.map((s) => s.replace(/\/+$/, '')),
    token,
    devices: number(
      'devices',
      values.devices,
      undefined,
      (x) => whole(x) && x <= 100_000,
      'a whole number from 1 to 100000',
    ),
    records: number(
      'records',
      values.records,
      undefined,
      (x) => whole(x) && x <= 10_000_000,
      'a whole number from 1 to 10000000',
    ),
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
    const usage = (err: unknown) => {
      if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`${NAME}: ${oneLine((err as Error).message)}\n`);
        return 2;
      }
      return undefined;
    };
    let opts: ReturnType<typeof parseSimulateArgs>;
    let csvText: string | undefined;
    try {
      opts = parseSimulateArgs(args);
      // An unreadable file is found before anything is asked of the server.
      if (opts.data !== undefined) csvText = await readCsvText(opts.data);
    } catch (err) {
      const code = usage(err);
      if (code !== undefined) return code;
      throw err;
    }
    // The device stack (ORT, Automerge, IndexedDB in memory) loads only once the arguments are good.
    const [{ runSimulation }, { SetupError, resolveModel }, { csvFeed }] = await Promise.all([
      import('../sim/simulate.ts'),
      import('../sim/admin.ts'),
      import('../sim/csv-feed.ts'),
    ]);
    try {
      if (opts.data !== undefined) {
        // The model's feature names come from the registry; the file is checked against them before the run creates anything.
        const model = await resolveModel(
          opts.servers[0]!,
          opts.token,
          opts.model ?? { name: DEMO_MODEL, alias: 'champion' },
        );
        opts.feed = csvFeed(model, csvText!, opts.data);
        opts.model = { name: model.name, version: model.version };
      }
      const result = await runSimulation({ ...opts, onProgress: (p) => process.stderr.write(`${progressLine(p)}\n`) });
      for (const e of result.deviceErrors.slice(0, 5)) process.stderr.write(`${NAME}: ${oneLine(e)}\n`);
      const s = result.stats;
      if (opts.json) process.stdout.write(`${JSON.stringify(s)}\n`);
      else {
        process.stdout.write(
          `${[
            `group ${result.setup.groupName}` +
              (result.setup.deployment
                ? `, model ${result.setup.deployment.model.name} v${result.setup.deployment.model.version} (deployment ${result.setup.deployment.id})`
                : ''),
            `${s.devices} devices: ${s.recordsAcknowledged} of ${s.recordsLogged} records acknowledged (${opts.devices * opts.records} planned)`,
            `${s.exchanges} exchanges (${result.failedExchanges} failed): p50 ${s.p50Ms ?? '-'} ms, p99 ${s.p99Ms ?? '-'} ms`,
            result.complete
              ? 'done: every record acknowledged'
              : `timeout after ${opts.timeoutMs / 1000} s: not every record acknowledged`,
          ].join('\n')}\n`,
        );
      }
      return result.complete ? 0 : 1;
    } catch (err) {
      const code = usage(err);
      if (code !== undefined) return code;
      const what = err instanceof SetupError ? 'setup failed' : 'internal error';
      process.stderr.write(`${NAME}: ${what}: ${oneLine((err as Error)?.message ?? String(err))}\n`);
      return 1;
    }
  },
};
