import { pgliteServer } from '../../../testing/server-process.ts';
import { runAnalyticsTests } from './analytics.ts';

runAnalyticsTests('PGlite', () => pgliteServer());
