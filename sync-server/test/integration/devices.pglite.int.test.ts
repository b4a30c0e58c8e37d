import { pgliteServer } from '../../../testing/server-process.ts';
import { runDeviceTests } from './devices.ts';

runDeviceTests('PGlite', () => pgliteServer());
