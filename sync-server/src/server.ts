import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { createApp } from './app.ts';
import { shutdown } from './http/shutdown.ts';
import { ConfigError, type Config } from './config.ts';
import { createServices, type Services } from './services/index.ts';
import { registerDemoModel } from './services/registry/demo.ts';
import { stagingDir } from './services/registry/staging.ts';
import { openBlobStore, type BlobStore } from './store/blobs/index.ts';
import { migrate, openDb, type Db } from './store/db/index.ts';

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  /** The admin token issued on this start (first start without ADMIN_TOKEN), else undefined. */
  bootstrapToken: string | undefined;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), closes the stores. */
  close(): Promise<void>;
}

const reason = (err: unknown) =>
  err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);

/** Opens the stores, migrates, and listens. Failures caused by configuration become ConfigError. */
export async function startServer(config: Config, opts: { webRoot: string; logger?: Logger }): Promise<RunningServer> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  let db: Db;
  try {
    db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  } catch (err) {
    if (config.databaseUrl) throw new ConfigError('DATABASE_URL', `cannot connect to the database: ${reason(err)}`);
    throw new ConfigError('DATA_DIR', `cannot open the embedded database under ${config.dataDir}: ${reason(err)}`);
  }
  let blobs: BlobStore | undefined;
  try {
    const applied = await migrate(db);
    if (applied.length) logger.info({ applied }, 'database migrated');
    try {
      blobs = await openBlobStore({ s3: config.s3, dataDir: config.dataDir });
    } catch (err) {
      if (config.s3)
        throw new ConfigError(
          'S3_ENDPOINT',
          `cannot use bucket ${config.s3.bucket} at ${config.s3.endpoint.origin}: ${reason(err)}`,
        );
      throw new ConfigError('DATA_DIR', `cannot open the blob folder under ${config.dataDir}: ${reason(err)}`);
    }
    const services = createServices({ config, logger, db, blobs });
    const bootstrapToken = await services.auth.bootstrap(config.adminToken);
    if (config.demo) await registerDemoModel(db, services.registry, logger, stagingDir(config));
    const app = createApp(services, { webRoot: opts.webRoot });
    services.driftEvents.webhook?.start();
    const { headersMs, requestMs } = config.timeouts;
    // Node checks these timeouts only every connectionsCheckingInterval (30 s by default): 1 s keeps them close to what they say.
    const server = createServer(
      { headersTimeout: headersMs, requestTimeout: requestMs, connectionsCheckingInterval: 1_000 },
      app.callback(),
    );
    const http = await listen(server, config);
    const port = (http.address() as AddressInfo).port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    return {
      url: `http://${host}:${port}`,
      port,
      services,
      bootstrapToken,
      close: () =>
        shutdown(http, config.shutdownTimeoutMs, async () => {
          await services.driftEvents.webhook?.stop();
          await blobs!.close();
          await db.close();
        }),
    };
  } catch (err) {
    await blobs?.close().catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }
}

const LISTEN_BACKLOG = 4096;

async function listen(server: Server, config: Config): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new ConfigError('PORT', `cannot listen on ${config.host}:${config.port}: ${err.code}`)
          : err,
      ),
    );
    // A fleet reconnecting after an outage opens ~1,000 connections at once; Node's default accept
    // backlog (511) would drop SYNs and stall clients in TCP retransmits. The kernel caps it (somaxconn).
    server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, resolve);
  });
  return server;
}
