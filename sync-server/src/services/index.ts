import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { BlobStore } from '../store/blobs/index.ts';
import type { Db } from '../store/db/index.ts';
import { AuthService } from './auth.ts';
import { ConfigService } from './config/index.ts';
import { DeploymentsService } from './deployments/index.ts';
import { DevicesService } from './devices/index.ts';
import { DeviceHealthService } from './device-health/index.ts';
import { DocumentsService } from './documents/index.ts';
import { DriftEventsService } from './drift-events/index.ts';
import { DriftWebhook } from './drift-events/webhook.ts';
import { FleetService } from './fleet/index.ts';
import { HttpMetrics } from '../metrics/registry.ts';
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
  /** Device health over time and the devices needing attention. */
  deviceHealth: DeviceHealthService;
  /** Remote configuration of groups and devices (the name `config` is the server's own). */
  deviceConfig: ConfigService;
  driftEvents: DriftEventsService;
  tracking: TrackingService;
  ingest: IngestService;
  fleet: FleetService;
  /** This process's request counters, exposed at /metrics. */
  httpMetrics: HttpMetrics;
}

export function createServices(base: { config: Config; logger: Logger; db: Db; blobs: BlobStore }): Services {
  const registry = new RegistryService(base.db, base.blobs, base.logger);
  const documents = new DocumentsService(base.db, base.config.documents);
  const deployments = new DeploymentsService(base.db, documents, registry);
  documents.onReceive((docId, doc) => deployments.observeDocument(docId, doc));
  const deviceHealth = new DeviceHealthService(base.db, base.logger, base.config.deviceHealth);
  documents.onReceive((docId, doc) => deviceHealth.observeDocument(docId, doc));
  const webhook = base.config.driftWebhook
    ? new DriftWebhook(base.db, base.config.driftWebhook, base.logger)
    : undefined;
  const driftEvents = new DriftEventsService(base.db, documents, base.logger, webhook);
  documents.onReceive((docId, doc) => driftEvents.observeDocument(docId, doc));
  return {
    ...base,
    auth: new AuthService(base.db, base.logger),
    registry,
    tracking: new TrackingService(base.db, base.blobs),
    devices: new DevicesService(base.db),
    documents,
    deployments,
    deviceHealth,
    deviceConfig: new ConfigService(base.db, documents),
    driftEvents,
    ingest: new IngestService(base.db, base.blobs, base.config.ingest),
    fleet: new FleetService(base.db),
    httpMetrics: new HttpMetrics(),
  };
}
