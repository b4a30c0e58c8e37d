import { pgliteServer } from '../../../testing/server-process.ts';
import { runDeviceConfigTests } from './device-config.ts';

runDeviceConfigTests('PGlite', () => pgliteServer());
