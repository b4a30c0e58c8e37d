import { postgresServer } from '../../../testing/server-process.ts';
import { runAnalyticsTests } from './analytics.ts';

runAnalyticsTests('PostgreSQL', () => postgresServer());
