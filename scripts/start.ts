/** `npm start`: build the web apps when missing or stale, then run TinySphere. */
import { build } from './build.ts';
import { loadConfig, ConfigError } from '../sync-server/src/config.ts';
import { main } from '../sync-server/src/main.ts';

// Check the configuration first: a bad PORT should not wait for a build to be reported.
try {
  loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`tinysphere: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
try {
  await build();
} catch (err) {
  process.stderr.write(`tinysphere: building the web apps failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
await main();
