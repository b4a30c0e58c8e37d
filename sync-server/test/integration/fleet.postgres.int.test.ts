import { postgresServer } from '../../../testing/server-process.ts';
import { runFleetTests } from './fleet.ts';

runFleetTests('PostgreSQL', () => postgresServer());
