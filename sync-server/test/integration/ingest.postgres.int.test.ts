import { postgresServer } from '../../../testing/server-process.ts';
import { runIngestTests } from './ingest.ts';

runIngestTests('PostgreSQL', () => postgresServer());
