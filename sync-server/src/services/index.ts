import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { BlobStore } from '../store/blobs/index.ts';
import type { Db } from '../store/db/index.ts';
import { AnalyticsService } from './analytics/index.ts';
import { AuthService } from './auth.ts';
import { ConfigService } from './config/index.ts';
import { DeploymentsService } from './deployments/index.ts';
import { DevicesService } from './devices/index.ts';
import { DeviceHealthService } from './device-health/index.ts';
import { DocumentsService } from './documents/index.ts';
import { DriftEventsService } from './drift-events/index.ts';
import { DriftWebhook } from './drift-events/webhook.ts';
import { FleetService } from './fleet/index.ts';
import { HealthService } from './health/index.ts';
import { HttpMetrics } from '../metrics/registry.ts';
import { IngestService } from './ingest/index.ts';
import { ModelImportService } from './model-import/index.ts';
import { RegistryService } from './registry/registry.ts';
import { ScrapeService } from './scrape/index.ts';
import { TrackingService } from './tracking/index.ts';
import { UploadsService } from './uploads/index.ts';

/**
 * Everything a route handler may call: services only. The stores and the configuration stay behind
 * them, so a route cannot reach the database, the blob store or a setting on its own.
 */
export interface RouteServices {
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
  /** The device page and record-level reads of the fleet. */
  analytics: AnalyticsService;
  health: HealthService;
  /** /metrics: fleet gauges and request metrics. */
  scrape: ScrapeService;
  /** Size limit and staging folder of the uploads routes read themselves. */
  uploads: UploadsService;
  /** MLflow's registration of a run's ONNX artifact. */
  modelImport: ModelImportService;
}

/** Built once per process from the stores: the route services, and what the app and server wire with. */
export interface Services extends RouteServices {
  config: Config;
  logger: Logger;
  db: Db;
  blobs: BlobStore;
  /** This process's request counters, exposed at /metrics. */
  httpMetrics: HttpMetrics;
}

export function createServices(base: { config: Config; logger: Logger; db: Db; blobs: BlobStore }): Services {
  const registry = new RegistryService(base.db, base.blobs, base.logger);
  const devices = new DevicesService(base.db);
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
  const tracking = new TrackingService(base.db, base.blobs);
  const ingest = new IngestService(base.db, base.blobs, base.config.ingest);
  const fleet = new FleetService(base.db);
  const httpMetrics = new HttpMetrics();
  const uploads = new UploadsService(base.config, ingest);
  return {
    ...base,
    auth: new AuthService(base.db, base.logger),
    registry,
    tracking,
    devices,
    documents,
    deployments,
    deviceHealth,
    deviceConfig: new ConfigService(base.db, documents),
    driftEvents,
    ingest,
    fleet,
    analytics: new AnalyticsService(base.db, devices, documents),
    health: new HealthService(base.db, base.blobs),
    scrape: new ScrapeService(base.config.metricsToken, fleet, httpMetrics),
    uploads,
    modelImport: new ModelImportService({
      registry,
      blobs: base.blobs,
      tracking,
      maxBytes: uploads.maxBytes,
      stagingDir: uploads.stagingDir,
    }),
    httpMetrics,
  };
}
