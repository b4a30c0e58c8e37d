import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `tinysphere serve`: configuration errors end the process with one line naming the variable. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    return fail(err);
  }
  const logger = pino({ level: config.logLevel });
  let server;
  try {
    server = await startServer(config, { webRoot: env.WEB_ROOT ?? path.join(REPO_ROOT, 'dist'), logger });
  } catch (err) {
    return fail(err);
  }
  if (server.bootstrapToken) {
    // Printed once, on the first start; only its hash is stored.
    process.stdout.write(
      `\nAdmin token (shown once, store it now; set ADMIN_TOKEN to use your own):\n\n  ${server.bootstrapToken}\n\n`,
    );
  }
  logger.info(
    { url: server.url, port: server.port, db: server.services.db.kind, blobs: server.services.blobs.kind },
    'listening',
  );
  process.stdout.write(`TinySphere listening on ${server.url} (PWA /, console /admin/, API /api/v1)\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function fail(err: unknown): void {
  const line =
    err instanceof ConfigError ? err.message : `startup failed: ${err instanceof Error ? err.stack : String(err)}`;
  process.stderr.write(`tinysphere: ${line}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  void main();
}
