/**
 * The device-side CLI's commands, running the edge library's own code in Node. tinylcm.ts is the
 * process entry; tests run many calls in one process through testing/cli-host.ts.
 */
import { type Command, dispatch } from '../../../shared/cli/command.ts';

const commands: Record<string, () => Promise<Command>> = {
  infer: async () => (await import('./infer.ts')).infer,
  simulate: async () => (await import('./simulate.ts')).simulate,
};

export function cli(argv: string[]): Promise<number> {
  return dispatch('tinylcm', commands, argv, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}
