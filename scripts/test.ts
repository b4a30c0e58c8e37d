/**
 * `npm test`: every test, in three suites, with the prerequisites handled here in one place.
 *   1. unit        node's test runner on every *.test.ts (stores run against PGlite, PostgreSQL, a folder, s3rver)
 *   2. browser     @web/test-runner in Debian's Chromium on every *.browser.test.ts
 *   3. integration node's test runner on every *.int.test.ts: the real server as a process, the built apps in Chromium
 *   0. static      Biome (lint + format), the import rules (dependency-cruiser) and the type check of every part
 * Options: `--only static,unit,browser,integration` runs a subset; further arguments filter test files by substring.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { build } from './build.ts';
import { PROJECTS, typecheck } from './typecheck.ts';
import { makePgliteTemplate, TEMPLATE_ENV } from '../testing/pglite-template.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
/** What the import rules cover: every folder of code. */
const PARTS = ['shared', 'edge-app', 'sync-server', 'admin', 'testing', 'bench', 'scripts', 'bin'];
const SEARCH = ['shared', 'sync-server', 'edge-app', 'admin', 'scripts', 'testing', 'bench'];

const say = (line: string) => process.stdout.write(`[test] ${line}\n`);

function findTests(kind: 'unit' | 'browser' | 'integration', filters: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.test.ts')) {
        const k = e.name.endsWith('.int.test.ts')
          ? 'integration'
          : e.name.endsWith('.browser.test.ts')
            ? 'browser'
            : 'unit';
        if (k === kind) out.push(path.relative(ROOT, full));
      }
    }
  };
  for (const d of SEARCH) walk(path.join(ROOT, d));
  return out.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Finds Chromium, installing Debian's package when it is missing and this machine can (root + apt). */
function ensureChromium(): string | undefined {
  const candidate = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (existsSync(candidate)) return candidate;
  const fix = 'apt-get update && apt-get install -y chromium   (as root), or set CHROME_PATH';
  if (isRoot() && existsSync('/usr/bin/apt-get')) {
    say(`Chromium not found at ${candidate}; installing Debian's chromium package…`);
    const opts = { stdio: 'inherit' as const, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    const update = spawnSync('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=900'], opts);
    const install =
      update.status === 0 &&
      spawnSync(
        'apt-get',
        ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=900', 'chromium'],
        opts,
      );
    if (install && install.status === 0 && existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
    say(`installing Chromium failed; run: ${fix}`);
  } else {
    say(`Chromium not found at ${candidate}; run: ${fix}`);
  }
  return undefined;
}

async function postgresProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return (err as Error).message || String((err as { code?: string }).code);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Makes sure the PostgreSQL server of TEST_DATABASE_URL answers, starting a stopped local cluster. */
async function ensurePostgres(): Promise<boolean> {
  let problem = await postgresProblem();
  if (!problem) return true;
  const local = /@(127\.0\.0\.1|localhost)(:5432)?\//.test(TEST_DATABASE_URL);
  if (local && existsSync('/etc/postgresql') && spawnSync('which', ['pg_ctlcluster']).status === 0) {
    for (const version of readdirSync('/etc/postgresql')) {
      say(`PostgreSQL does not answer (${problem}); starting cluster ${version}/main…`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    }
    for (let i = 0; i < 20 && (problem = await postgresProblem()); i++) await new Promise((r) => setTimeout(r, 500));
  }
  if (problem)
    say(
      `PostgreSQL at ${TEST_DATABASE_URL} is not available (${problem}); start it with \`pg_ctlcluster 15 main start\` or set TEST_DATABASE_URL`,
    );
  return !problem;
}

interface SuiteResult {
  name: string;
  code: number;
  summary: string[];
  /** Wall time, for the summary: CI's budget is 15 minutes. */
  seconds?: number;
}

function run(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string>,
  summaryLine: RegExp,
): Promise<SuiteResult> {
  say(`── ${name}: ${cmd} ${args.length > 6 ? `${args.slice(0, 6).join(' ')} …` : args.join(' ')}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => {
      text += c;
      process.stdout.write(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      text += c;
      process.stderr.write(c);
    });
    child.on('exit', (code, signal) => {
      const clean = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
      const lines = clean
        .split('\n')
        .filter((l) => summaryLine.test(l))
        .map((l) => l.trim());
      // web-test-runner repeats its progress line; its last one is the summary.
      const summary = name === 'browser' ? lines.slice(-1) : lines;
      resolve({ name, code: code ?? (signal ? 1 : 0), summary, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Lint, format, import rules and types: the checks that need no test to fail. */
async function staticChecks(): Promise<SuiteResult[]> {
  const bin = (p: string) => path.join(ROOT, 'node_modules', p);
  const biome = await run(
    'lint+format',
    bin('@biomejs/biome/bin/biome'),
    ['ci', '--error-on-warnings', '.'],
    {},
    /^Found \d+|^Checked/,
  );
  const rules = await run(
    'import rules',
    bin('dependency-cruiser/bin/dependency-cruise.mjs'),
    ['--config', '.dependency-cruiser.cjs', ...PARTS],
    {},
    /dependency violations|no dependency violations/,
  );
  say('── typecheck: every part under its own tsconfig');
  const started = Date.now();
  const failed = await typecheck();
  const tc = {
    name: 'typecheck',
    code: failed ? 1 : 0,
    seconds: (Date.now() - started) / 1000,
    summary: [failed ? `${failed} projects with type errors` : `${PROJECTS.length} projects, no type errors`],
  };
  return [biome, rules, tc];
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let only: Set<string> | undefined;
  const filters: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--only') only = new Set(args[++i]?.split(','));
    else filters.push(args[i]!);
  }
  const wants = (s: string) => !only || only.has(s);
  const started = Date.now();

  const needsChrome = wants('browser') || wants('integration');
  const chrome = needsChrome ? ensureChromium() : undefined;
  const postgres = await ensurePostgres();
  const missing = [needsChrome && !chrome && 'Chromium', !postgres && 'PostgreSQL'].filter(Boolean);
  if (CI && missing.length) {
    say(`CI=true and ${missing.join(' and ')} missing: failing instead of skipping.`);
    return 1;
  }
  const env: Record<string, string> = { TEST_DATABASE_URL, ...(chrome ? { CHROME_PATH: chrome } : {}) };
  const nodeTest = ['--import', 'tsx', '--test', '--test-reporter=spec'];
  const nodeSummary = /^ℹ (tests|pass|fail|skipped|cancelled) \d+/;
  const results: SuiteResult[] = [];
  // One migrated PGlite database, copied by every test that needs an empty one (unit services and
  // integration servers) instead of each running initdb and the migrations.
  const template = wants('unit') || wants('integration') ? await makePgliteTemplate() : undefined;
  if (template) env[TEMPLATE_ENV] = template.dir;

  if (wants('static')) results.push(...(await staticChecks()));
  if (wants('unit')) {
    const files = findTests('unit', filters);
    // Two files at a time: one process per file, and many wait on PGlite or a child process.
    results.push(
      await run('unit', process.execPath, [...nodeTest, '--test-concurrency=2', ...files], env, nodeSummary),
    );
  }
  if (wants('browser')) {
    const files = findTests('browser', filters);
    if (!chrome) {
      process.stdout.write(`\n### SKIPPED: browser suite (${files.length} files): Chromium is missing\n`);
      results.push({ name: 'browser', code: 0, summary: ['SKIPPED: Chromium is missing'] });
    } else {
      results.push(
        await run(
          'browser',
          process.execPath,
          [
            path.join(ROOT, 'node_modules/@web/test-runner/dist/bin.js'),
            '--config',
            'web-test-runner.config.mjs',
            ...(filters.length ? ['--files', ...files] : []),
          ],
          env,
          /\d+ passed, \d+ failed/,
        ),
      );
    }
  }
  if (wants('integration')) {
    say('── building the web apps for the integration suite');
    await build();
    const files = findTests('integration', filters);
    // Two files at a time: most of their time is spent waiting on server processes and Chromium,
    // and one at a time the suite alone would take most of CI's 15 minutes.
    results.push(
      await run('integration', process.execPath, [...nodeTest, '--test-concurrency=2', ...files], env, nodeSummary),
    );
  }
  await template?.remove();

  process.stdout.write(`\n════ npm test summary (${((Date.now() - started) / 1000).toFixed(0)} s) ════\n`);
  for (const r of results)
    process.stdout.write(
      `${r.code === 0 ? 'PASS' : 'FAIL'} ${r.name.padEnd(12)} ${r.seconds === undefined ? '' : `${r.seconds.toFixed(0).padStart(4)} s  `}${r.summary.slice(-6).join(' | ') || '(no summary line)'}\n`,
    );
  return results.every((r) => r.code === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('[test] failed to run:', err);
    process.exit(1);
  },
);
