import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetCommand } from '../../edge-app/src/sim/fleet-process.ts';

const WORKER = fileURLToPath(new URL('../../edge-app/src/sim/fleet-process.ts', import.meta.url));

/** A child process running simulated devices (edge-app/src/sim/fleet-process.ts), one command at a time. */
export class Fleet {
  private readonly waiting = new Map<string, (m: { ok: boolean; result?: unknown; error?: string }) => void>();
  private constructor(
    readonly proc: ChildProcess,
    readonly indices: number[],
  ) {
    proc.on('message', (m: { type: string; ok: boolean; result?: unknown; error?: string }) =>
      this.waiting.get(m.type)?.(m),
    );
  }

  /** Forks a fleet process for the devices with these indices. */
  static fork(indices: number[]): Fleet {
    return new Fleet(
      fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      indices,
    );
  }

  ask<T>(cmd: FleetCommand): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiting.set(cmd.type, (m) =>
        m.ok ? resolve(m.result as T) : reject(new Error(`fleet process: ${cmd.type}: ${m.error}`)),
      );
      this.proc.send(cmd);
    });
  }
}
