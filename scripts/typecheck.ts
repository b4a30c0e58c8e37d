/**
 * `npm run typecheck`: every part under its own compiler settings, two at a time. A part sees only the
 * runtime it runs in: shared/ the web platform's common subset (shared/web-platform.d.ts), the web
 * apps the DOM, the server Node, the root project (tests, CLIs, scripts, bench) both.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** TypeScript 7 (native, several times faster) checks; 5.x stays installed for tools that need its API. */
export const TYPESCRIPT = 'node_modules/typescript7/bin/tsc';
export const PROJECTS = [
  'tsconfig.json',
  'sync-server/tsconfig.json',
  'edge-app/tsconfig.json',
  'admin/tsconfig.json',
  'shared/tsconfig.json',
  'shared/ui/tsconfig.json',
];

function check(project: string): Promise<{ project: string; code: number; output: string }> {
  return new Promise((resolve) => {
    const tsc = path.join(ROOT, TYPESCRIPT);
    const child = spawn(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', project], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    child.on('exit', (code) => resolve({ project, code: code ?? 1, output }));
  });
}

export async function typecheck(projects = PROJECTS, parallel = 2): Promise<number> {
  const queue = [...projects];
  let failed = 0;
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const r = await check(p);
      const errors = r.output.split('\n').filter((l) => /error TS\d+/.test(l));
      process.stdout.write(
        `${r.code === 0 ? 'ok  ' : 'FAIL'} ${p}${errors.length ? ` (${errors.length} errors)` : ''}\n`,
      );
      if (r.code !== 0) {
        failed++;
        process.stdout.write(r.output);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return failed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  typecheck().then((failed) => process.exit(failed ? 1 : 0));
}
