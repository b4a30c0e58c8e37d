import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedPglite } from './pglite-template.ts';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = path.join(REPO_ROOT, 'sync-server/src/main.ts');

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The admin token printed on first start, if this start printed one. */
  printedToken: string | undefined;
  /** Sends the signal and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

export interface ExitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (used for processes expected to exit, such as a bad configuration). */
export function runToExit(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ExitResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts TinySphere as its own process on a free port, as `npm start` would after building. */
/** SERVER_START_TIMEOUT_MS stretches the wait on a loaded machine (PGlite's first initdb is CPU-bound). */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = Number(process.env.SERVER_START_TIMEOUT_MS) || 60_000,
): Promise<ServerProcess> {
  if (env.DATA_DIR && !env.DATABASE_URL) await seedPglite(env.DATA_DIR);
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (c) => (stdout += c));
  proc.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running: a live child keeps the test file's process (and the suite) from ending.
      proc.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    const check = () => {
      const m = /TinySphere listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${stdout}\n${stderr}`));
    });
  });
  return {
    url,
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    printedToken: /Admin token[^\n]*\n\s*\n\s*(tsk_\S+)/.exec(stdout)?.[1],
    async stop(signal = 'SIGTERM') {
      const started = Date.now();
      if (proc.exitCode === null) proc.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}

export async function tempDataDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tinysphere-data-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** fetch + JSON for tests: returns status, headers and the parsed body. */
export async function api(url: string, opts: { token?: string; method?: string; body?: unknown; raw?: string } = {}) {
  const res = await fetch(url, {
    method: opts.method ?? (opts.body === undefined && opts.raw === undefined ? 'GET' : 'POST'),
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined || opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: body as any };
}

export interface TestServer {
  server: ServerProcess;
  adminToken: string;
  dataDir: string;
  teardown(): Promise<void>;
}

const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** TinySphere on PGlite and a blob folder in a fresh DATA_DIR (no demo model unless env says so). */
export async function pgliteServer(env: Record<string, string> = {}): Promise<TestServer> {
  const data = await tempDataDir();
  const server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: TEST_ADMIN_TOKEN, DEMO: '0', ...env });
  return { server, adminToken: TEST_ADMIN_TOKEN, dataDir: data.dir, teardown: data.remove };
}

/** TinySphere on a fresh database of the test PostgreSQL server; undefined (suite skipped) without one. */
export async function postgresServer(env: Record<string, string> = {}): Promise<TestServer | undefined> {
  const { createTestDatabase } = await import('./postgres.ts');
  const database = await createTestDatabase();
  if (!database) return undefined;
  const data = await tempDataDir();
  const server = await startServerProcess({
    DATABASE_URL: database.url,
    DATA_DIR: data.dir,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    DEMO: '0',
    ...env,
  });
  return {
    server,
    adminToken: TEST_ADMIN_TOKEN,
    dataDir: data.dir,
    async teardown() {
      await database.drop();
      await data.remove();
    },
  };
}
