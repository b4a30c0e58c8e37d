import { pgliteServer } from '../../../testing/server-process.ts';
import { runFleetTests } from './fleet.ts';

runFleetTests('PGlite', () => pgliteServer());
