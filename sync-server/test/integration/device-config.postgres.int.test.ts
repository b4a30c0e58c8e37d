import { postgresServer } from '../../../testing/server-process.ts';
import { runDeviceConfigTests } from './device-config.ts';

runDeviceConfigTests('PostgreSQL', () => postgresServer());
