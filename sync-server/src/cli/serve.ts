import { build } from '../../../scripts/build.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { main } from '../main.ts';
import type { Command } from './commands.ts';

export const serve: Command = {
  summary:
    'Start TinySphere (configured by environment variables; see the README), building the web apps when missing or stale.',
  usage: 'tinysphere serve',
  async run() {
    // A bad variable is reported before the build, so the one line comes at once.
    try {
      loadConfig();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`tinysphere: ${err.message}\n`);
      return 2;
    }
    try {
      await build();
    } catch (err) {
      process.stderr.write(`tinysphere: building the web apps failed: ${(err as Error).stack ?? String(err)}\n`);
      return 1;
    }
    await main();
    return 0;
  },
};
