/**
 * The server-side CLI's commands. Each lives in its own module and is loaded only when called, so
 * `tinysphere drift-report` does not pay for the server's dependencies. tinysphere.ts is the process
 * entry; tests run many calls in one process through testing/cli-host.ts.
 */
import { type Command, dispatch } from '../../../shared/cli/command.ts';

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
