/**
 * `tinysphere <command>`: the server-side CLI. Each command lives in its own module and is loaded
 * only when called, so `tinysphere drift-report` does not pay for the server's dependencies.
 */
import { dispatch, type Command } from '../../../shared/cli/command.ts';

export type { Command };

const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.ts')).serve,
  models: async () => (await import('./models.ts')).models,
  deploy: async () => (await import('./deploy.ts')).deploy,
  config: async () => (await import('./config.ts')).config,
  profile: async () => (await import('./profile.ts')).profile,
  tokens: async () => (await import('./tokens.ts')).tokens,
  'drift-stream': async () => (await import('./drift-stream.ts')).driftStream,
  'drift-report': async () => (await import('./drift-report.ts')).driftReport,
};

export function cli(argv: string[]): Promise<number> {
  return dispatch('tinysphere', commands, argv, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}

const code = await cli(process.argv.slice(2));
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
