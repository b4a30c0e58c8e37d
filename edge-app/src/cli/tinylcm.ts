/** `tinylcm <command>`: the device-side CLI, running the edge library's own code in Node. */
import { dispatch } from '../../../shared/cli/command.ts';
import type { Command } from '../../../shared/cli/command.ts';

const commands: Record<string, () => Promise<Command>> = {
  infer: async () => (await import('./infer.ts')).infer,
  simulate: async () => (await import('./simulate.ts')).simulate,
};

process.exitCode = await dispatch('tinylcm', commands, process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
