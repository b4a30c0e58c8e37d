// A worker thread does not inherit tsx's loader (neither `node --import tsx` nor bin/tinysphere.js's
// register() reaches it), so the worker registers tsx itself before loading its TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
