import { Worker } from 'node:worker_threads';
import type { DocLimits } from '../../../../shared/documents/index.ts';
import type { Request } from './worker.ts';

interface Slot {
  worker: Worker;
  calls: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
}

/**
 * A few worker threads (worker.ts) doing the Automerge work of untrusted syncs. A document always
 * goes to the same worker (by a hash of its id), so its live state has one home and its exchanges
 * queue there in order; one costly document delays only the documents sharing its worker, never the
 * event loop. Workers start on first use and keep the process alive only while they owe answers; one that dies fails
 * its calls in flight and is started again by the next call.
 */
export class DocWorkers {
  private readonly slots: (Slot | undefined)[];
  private nextId = 0;

  constructor(
    size: number,
    private readonly limits: DocLimits,
    private readonly cachedDocuments: number,
  ) {
    this.slots = new Array(Math.max(1, size)).fill(undefined);
  }

  call<R>(docId: string, req: Request): Promise<R> {
    const slot = this.slot(hash(docId) % this.slots.length);
    const id = ++this.nextId;
    return new Promise<R>((resolve, reject) => {
      // Referenced only while it owes answers: an idle pool never keeps the process alive.
      if (slot.calls.size === 0) slot.worker.ref();
      slot.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s?.worker.terminate()));
    this.slots.fill(undefined);
  }

  private slot(i: number): Slot {
    const existing = this.slots[i];
    if (existing) return existing;
    const worker = new Worker(new URL('./worker-entry.js', import.meta.url), {
      workerData: {
        kind: 'tinysphere-documents',
        limits: this.limits,
        cachedDocuments: Math.ceil(this.cachedDocuments / this.slots.length),
      },
    });
    worker.unref();
    const slot: Slot = { worker, calls: new Map() };
    const fail = (err: Error) => {
      if (this.slots[i] === slot) this.slots[i] = undefined;
      for (const c of slot.calls.values()) c.reject(err);
      slot.calls.clear();
    };
    worker.on('message', (m: { id: number; value?: unknown; error?: string }) => {
      const c = slot.calls.get(m.id);
      if (!c) return;
      slot.calls.delete(m.id);
      if (slot.calls.size === 0) worker.unref();
      if (m.error !== undefined) c.reject(new Error(`document worker: ${m.error}`));
      else c.resolve(m.value);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`document worker exited (code ${code})`)));
    this.slots[i] = slot;
    return slot;
  }
}

/** FNV-1a: stable across processes and cheap. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
