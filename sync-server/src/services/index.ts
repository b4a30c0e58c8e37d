import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { BlobStore } from '../store/blobs/index.ts';
import type { Db } from '../store/db/index.ts';
import { AuthService } from './auth.ts';
import { DeploymentsService } from './deployments/index.ts';
import { DevicesService } from './devices/index.ts';
import { DocumentsService } from './documents/index.ts';
import { FleetService } from './fleet/index.ts';
import { HttpMetrics } from '../http/metrics.ts';
import { IngestService } from './ingest/index.ts';
import { RegistryService } from './registry/registry.ts';
import { TrackingService } from './tracking/index.ts';

/** Everything a route handler may call; built once per process from the stores. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  blobs: BlobStore;
  auth: AuthService;
  registry: RegistryService;
  devices: DevicesService;
  documents: DocumentsService;
  deployments: DeploymentsService;
  tracking: TrackingService;
  ingest: IngestService;
  fleet: FleetService;
  /** This process's request counters, exposed at /metrics. */
  httpMetrics: HttpMetrics;
}

export function createServices(base: { config: Config; logger: Logger; db: Db; blobs: BlobStore }): Services {
  const registry = new RegistryService(base.db, base.blobs, base.logger);
  const documents = new DocumentsService(base.db);
  const deployments = new DeploymentsService(base.db, documents, registry);
  documents.onReceive((docId, doc) => deployments.observeDocument(docId, doc));
  return {
    ...base,
    auth: new AuthService(base.db, base.logger),
    registry,
    tracking: new TrackingService(base.db, base.blobs),
    devices: new DevicesService(base.db),
    documents,
    deployments,
    ingest: new IngestService(base.db, base.blobs),
    fleet: new FleetService(base.db),
    httpMetrics: new HttpMetrics(),
  };
}
