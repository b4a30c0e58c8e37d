/**
 * `tinysphere <command>`: the server-side CLI. Each command lives in its own module and is loaded
 * only when called, so `tinysphere drift-report` does not pay for the server's dependencies.
 */
export interface Command {
  summary: string;
  usage: string;
  /** Resolves with the process exit code. */
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.ts')).serve,
  models: async () => (await import('./models.ts')).models,
  deploy: async () => (await import('./deploy.ts')).deploy,
  'drift-stream': async () => (await import('./drift-stream.ts')).driftStream,
  'drift-report': async () => (await import('./drift-report.ts')).driftReport,
};

function help(): string {
  const lines = ['usage: tinysphere <command> [options]', '', 'commands:'];
  for (const name of Object.keys(commands)) lines.push(`  ${name}`);
  lines.push('', 'tinysphere <command> --help shows the options of one command.');
  return lines.join('\n');
}

export async function cli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`tinysphere: unknown command ${JSON.stringify(name)}\n${help()}\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

const code = await cli(process.argv.slice(2));
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
