/**
 * A CLI made of commands, each in its own module loaded only when called (so `tinylcm infer` does
 * not pay for what other commands import). One dispatcher for `tinylcm` and `tinysphere`: bad input
 * is one line on stderr and exit code 2. The caller hands in its output streams, so this file needs
 * no Node API.
 */
export interface Command {
  summary: string;
  usage: string;
  /** Resolves with the process exit code. */
  run(args: string[]): Promise<number>;
}

/** A problem with the caller's input or options (not a bug): reported as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

function help(program: string, commands: Record<string, unknown>): string {
  const lines = [`usage: ${program} <command> [options]`, '', 'commands:'];
  for (const name of Object.keys(commands)) lines.push(`  ${name}`);
  lines.push('', `${program} <command> --help shows the options of one command.`);
  return lines.join('\n');
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export async function dispatch(
  program: string,
  commands: Record<string, () => Promise<Command>>,
  argv: string[],
  io: Io,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${help(program, commands)}\n`);
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    io.err(`${program}: unknown command ${JSON.stringify(name)}\n${help(program, commands)}\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}
