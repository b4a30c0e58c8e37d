import { postgresServer } from '../../../testing/server-process.ts';
import { runDeviceTests } from './devices.ts';

runDeviceTests('PostgreSQL', () => postgresServer());
