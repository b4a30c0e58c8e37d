#!/usr/bin/env node
// The CLIs are TypeScript run through tsx, so the package needs no compile step.
import { register } from 'tsx/esm/api';

register();
await import('../sync-server/src/cli/tinysphere.ts');
