/**
 * Imported first by both web apps, before any schema is made: zod compiles fast object parsers
 * with `new Function`, which the apps' Content-Security-Policy forbids
 * (sync-server/src/http/security-headers.ts), and its probe for eval would be refused and reported
 * as a violation at every start. The apps parse small answers, so interpreted parsers are fast
 * enough; the server keeps the compiled ones.
 */
import { z } from 'zod';

z.config({ jitless: true });
