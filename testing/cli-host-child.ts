/**
 * The child side of cli-host.ts: runs the CLI calls it is sent over IPC one after another, each with
 * its own arguments, environment and working directory, its output captured.
 */
import type { CliCall, CliRun } from './cli-host.ts';

const program = process.argv[2];
const { cli } =
  program === 'tinysphere'
    ? await import('../sync-server/src/cli/commands.ts')
    : await import('../edge-app/src/cli/commands.ts');

const baseEnv = { ...process.env };
const baseCwd = process.cwd();
const write = { out: process.stdout.write, err: process.stderr.write };
const text = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());

async function run(call: CliCall): Promise<CliRun> {
  const r = { code: 0, stdout: '', stderr: '' };
  process.env = { ...baseEnv, ...call.env };
  process.chdir(call.cwd ?? baseCwd);
  process.exitCode = undefined;
  process.stdout.write = ((c: unknown) => ((r.stdout += text(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: unknown) => ((r.stderr += text(c)), true)) as typeof process.stderr.write;
  try {
    r.code = await cli(call.args);
  } catch (err) {
    // What an uncaught error does to the real process: the stack on stderr, exit code 1.
    r.stderr += `${(err as Error)?.stack ?? String(err)}\n`;
    r.code = 1;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  if (typeof process.exitCode === 'number' && process.exitCode !== 0) r.code = process.exitCode;
  process.exitCode = undefined;
  return r;
}

let queue = Promise.resolve();
process.on('message', (msg: { id: number; call: CliCall }) => {
  queue = queue.then(async () => {
    process.send?.({ id: msg.id, result: await run(msg.call) });
  });
});
process.send?.({ ready: true });
