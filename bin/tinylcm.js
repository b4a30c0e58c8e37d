#!/usr/bin/env node
// The CLIs are TypeScript run through tsx, so the package needs no compile step.
import { register } from 'tsx/esm/api';

register();
await import('../edge-app/src/cli/tinylcm.ts');
