import { pgliteServer } from '../../../testing/server-process.ts';
import { runDriftEventTests } from './drift-events.ts';

runDriftEventTests('PGlite', (env) => pgliteServer(env));
