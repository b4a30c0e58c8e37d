/**
 * Many CLI calls in one child process. A `tinysphere` or `tinylcm` process per call costs a Node
 * start plus tsx's compile of the CLI (1–3 s here, more on a loaded CI machine); a test file with
 * twenty calls spent most of its time starting processes. The host runs each call as the real
 * entry would (same dispatcher, arguments, environment, working directory, exit code), one after
 * another. What it cannot show is a process that would not exit: keep one real-process call per
 * CLI test file (runToExit) for that.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CliCall {
  args: string[];
  /** Added to the host's environment for this call only. */
  env?: Record<string, string>;
  cwd?: string;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHost {
  run(args: string[], env?: Record<string, string>, cwd?: string): Promise<CliRun>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./cli-host-child.ts', import.meta.url));

export async function startCliHost(
  program: 'tinysphere' | 'tinylcm',
  env: Record<string, string> = {},
): Promise<CliHost> {
  const child: ChildProcess = fork(CHILD, [program], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    // Not inherited: a test file's stdout carries the test runner's protocol.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stray = '';
  child.stdout?.on('data', (c: Buffer) => (stray += c));
  child.stderr?.on('data', (c: Buffer) => (stray += c));
  const pending = new Map<number, (r: CliRun) => void>();
  let next = 0;
  let exited: string | undefined;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`CLI host exited (${code}) before it was ready:\n${stray}`)));
    child.on('message', (msg: { ready?: true; id?: number; result?: CliRun }) => {
      if (msg.ready) resolve();
      else if (msg.id !== undefined && msg.result) pending.get(msg.id)?.(msg.result);
    });
  });
  child.on('exit', (code) => {
    exited = `CLI host exited (${code}):\n${stray}`;
    for (const settle of pending.values()) settle({ code: 1, stdout: '', stderr: exited });
  });
  return {
    run(args, callEnv = {}, cwd) {
      if (exited) return Promise.resolve({ code: 1, stdout: '', stderr: exited });
      const id = next++;
      return new Promise((resolve) => {
        pending.set(id, (r) => {
          pending.delete(id);
          resolve(r);
        });
        child.send({ id, call: { args, env: callEnv, ...(cwd ? { cwd } : {}) } satisfies CliCall });
      });
    },
    async close() {
      if (child.exitCode !== null || exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill();
      await gone;
    },
  };
}
