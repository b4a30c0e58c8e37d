import { postgresServer } from '../../../testing/server-process.ts';
import { runDriftEventTests } from './drift-events.ts';

runDriftEventTests('PostgreSQL', (env) => postgresServer(env));
