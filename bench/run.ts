/**
 * `npm run bench -- <name> [args]`: runs bench/<name>.ts, which prints one JSON object on stdout.
 * Timings live here and never in tests: machines are shared and noisy, so a benchmark reports
 * ratios measured in the same run next to its absolute numbers.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [args]\n`);
  process.exit(2);
}
process.argv = [process.argv[0]!, process.argv[1]!, ...args];
await import(`./${name}.ts`);
