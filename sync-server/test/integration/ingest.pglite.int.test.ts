import { pgliteServer } from '../../../testing/server-process.ts';
import { runIngestTests } from './ingest.ts';

runIngestTests('PGlite', () => pgliteServer());
