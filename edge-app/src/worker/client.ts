/**
 * The UI thread's handle on the runtime worker. Every call has a timeout; a worker that raises an
 * uncaught error, traps in wasm, or stops answering is terminated and replaced, the last model is
 * loaded into the new one, and a `failure` event reports what happened (the app forwards it as an
 * alert). Tensors cross the boundary as transferables: moved, not copied.
 */
import * as Comlink from 'comlink';
import { InferenceInputError, ModelLoadError, transferables, type Feeds, type ModelRef } from '../lcm/index.ts';
import type {
  CrashMode,
  RuntimeApi,
  RuntimeCapabilities,
  RuntimeInfo,
  WorkerError,
  WorkerInferResult,
  WorkerResult,
} from './runtime-worker.ts';

export type { RuntimeCapabilities, RuntimeInfo } from './runtime-worker.ts';

export interface RuntimeWorkerOptions {
  /** URL of ort-wasm-simd-threaded.wasm (ort-assets.ts in a Vite build); default: next to ORT's module. */
  wasmUrl?: string;
  maxThreads?: number;
  /** Per call, except load; default 30 s. */
  callTimeoutMs?: number;
  /** Compiling the 14 MB wasm on a slow device takes a while; default 120 s. */
  loadTimeoutMs?: number;
  /** Makes the Worker; default: runtime-worker.ts as a module worker. */
  createWorker?: () => Worker;
  /** Failures in a row (no call answered in between) after which the client stops restarting; default 3. */
  maxConsecutiveFailures?: number;
  /**
   * Start onnxruntime in each new worker at once, before any model is loaded (default true): its wasm
   * compiles while the page is still reading the model from IndexedDB.
   */
  prepare?: boolean;
}

/** How starting onnxruntime ahead of the first load went: its time, or why it failed (the load will say too). */
export type Prepared = { ms: number } | { error: string };

export type FailureReason = 'error' | 'timeout' | 'fatal';

/** Detail of the `failure` event. */
export interface RuntimeFailure {
  reason: FailureReason;
  message: string;
  /** The model that was loaded when the worker failed. */
  model: ModelRef | null;
  /** Whether that model was loaded into the new worker; `reloadError` says why not. */
  reloaded: boolean;
  reloadError?: string;
  /** True when the client stopped restarting (too many failures in a row); every call now fails. */
  gaveUp: boolean;
  restarts: number;
  at: number;
}

type ErrorReason = FailureReason | 'terminated' | 'gave-up';

export class RuntimeWorkerError extends Error {
  override name = 'RuntimeWorkerError';
  readonly reason: ErrorReason;
  constructor(reason: ErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface InferResult extends WorkerInferResult {
  /** Call to answer on the UI thread, worker hop included. */
  roundTripMs: number;
}

export interface CallOptions {
  /** Move the tensors' buffers to the worker (they are detached here afterwards); default true. */
  transfer?: boolean;
  timeoutMs?: number;
}

export interface ModelLoadOptions extends CallOptions {
  /** Where to get the bytes again after a restart; without it the client keeps the bytes it loaded. */
  source?: () => Promise<Uint8Array>;
}

interface Generation {
  worker: Worker;
  api: Comlink.Remote<RuntimeApi>;
  /** Rejects when this worker is found dead, failing every call still waiting on it. */
  dead: Promise<never>;
  kill: (err: RuntimeWorkerError) => void;
  failed: boolean;
  reloading: boolean;
  prepared: Promise<Prepared>;
}

function defaultWorker(): Worker {
  return new Worker(new URL('./runtime-worker.ts', import.meta.url), { type: 'module', name: 'tinylcm-runtime' });
}

const ERRORS: Record<string, new (message: string) => Error> = { ModelLoadError };

function rebuild(e: WorkerError): Error {
  if (e.name === 'InferenceInputError') return new InferenceInputError(e.message, e.input ?? null);
  const err = new (ERRORS[e.name] ?? Error)(e.message);
  err.name = e.name;
  return err;
}

/** A tensor whose buffer an earlier transfer moved away would otherwise fail inside postMessage. */
function checkNotMoved(feeds: Feeds): void {
  for (const name in feeds) {
    const data = feeds[name]?.data;
    if (ArrayBuffer.isView(data) && (data.buffer as { detached?: boolean }).detached === true) {
      throw new InferenceInputError(
        `input ${JSON.stringify(name)}: its buffer was moved to the worker by an earlier call; pass a new array, or infer(feeds, { transfer: false }) to keep it`,
        name,
      );
    }
  }
}

export class RuntimeWorker extends EventTarget {
  restarts = 0;
  private gen: Generation;
  /** Settles when a restart (and its reload) is over; calls wait for it. Never rejects. */
  private ready: Promise<void> = Promise.resolve();
  private lastModel: { ref: ModelRef; bytes?: Uint8Array; source?: () => Promise<Uint8Array> } | null = null;
  private terminated = false;
  /** Set when restarting was given up: the reason every call fails with. */
  private brokenBy: string | null = null;
  private failuresInARow = 0;
  private readonly callTimeoutMs: number;
  private readonly loadTimeoutMs: number;

  constructor(private readonly options: RuntimeWorkerOptions = {}) {
    super();
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.loadTimeoutMs = options.loadTimeoutMs ?? 120_000;
    this.gen = this.spawn();
  }

  /** The raw Comlink proxy of the current worker: no timeout, no restart. Prefer the methods. */
  get api(): Comlink.Remote<RuntimeApi> {
    return this.gen.api;
  }

  /** Settles when the current worker has started onnxruntime ahead of any load (or failed to). */
  get prepared(): Promise<Prepared> {
    return this.gen.prepared;
  }

  capabilities(): Promise<RuntimeCapabilities> {
    return this.call('capabilities', this.callTimeoutMs, (api) => api.capabilities());
  }

  async load(bytes: Uint8Array, model: ModelRef, options: ModelLoadOptions = {}): Promise<RuntimeInfo> {
    const value = await this.loadOn(await this.current(), bytes, model, options);
    this.lastModel = { ref: model, ...(options.source ? { source: options.source } : { bytes: value.bytes }) };
    return value.info;
  }

  async infer(feeds: Feeds, options: CallOptions = {}): Promise<InferResult> {
    const started = performance.now();
    checkNotMoved(feeds);
    const send = options.transfer === false ? feeds : Comlink.transfer(feeds, transferables(Object.values(feeds)));
    const gen = await this.current();
    const result = await this.callOn<WorkerResult<WorkerInferResult>>(
      gen,
      'infer',
      options.timeoutMs ?? this.callTimeoutMs,
      (api) => api.infer(send),
    );
    const value = this.unwrap(gen, result);
    return { ...value, roundTripMs: performance.now() - started };
  }

  async unload(): Promise<void> {
    this.lastModel = null;
    await this.call('unload', this.callTimeoutMs, (api) => api.unload());
  }

  info(): Promise<RuntimeInfo | null> {
    return this.call('info', this.callTimeoutMs, (api) => api.info());
  }

  /** Test hook: makes the worker fail in the given way (see runtime-worker.ts). */
  crash(mode: CrashMode, timeoutMs = this.callTimeoutMs): Promise<void> {
    return this.call('crash', timeoutMs, (api) => api.crash(mode));
  }

  terminate(): void {
    this.terminated = true;
    this.gen.failed = true;
    this.gen.kill(new RuntimeWorkerError('terminated', 'the runtime worker was terminated'));
    this.gen.worker.terminate();
  }

  private spawn(): Generation {
    const worker = (this.options.createWorker ?? defaultWorker)();
    let kill!: (err: RuntimeWorkerError) => void;
    const dead = new Promise<never>((_, reject) => (kill = reject));
    dead.catch(() => undefined); // nobody may be waiting when the worker dies
    const api = Comlink.wrap<RuntimeApi>(worker);
    const prepared: Promise<Prepared> =
      this.options.prepare === false
        ? Promise.resolve({ error: 'not prepared (prepare: false)' })
        : Promise.race([api.prepare(this.ortOptions), dead]).then(
            (r) => (r.ok ? r.value : { error: r.error.message }),
            (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
          );
    const gen: Generation = { worker, api, dead, kill, failed: false, reloading: false, prepared };
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      this.fail(gen, 'error', ev.message || 'uncaught error in the runtime worker');
    });
    return gen;
  }

  /** The worker to call, once any restart (including one that begins while waiting) is over. */
  private async current(): Promise<Generation> {
    let seen: Promise<void>;
    do {
      seen = this.ready;
      await seen;
    } while (seen !== this.ready);
    if (this.terminated) throw new RuntimeWorkerError('terminated', 'the runtime worker was terminated');
    if (this.brokenBy)
      throw new RuntimeWorkerError(
        'gave-up',
        `the runtime worker failed ${this.failuresInARow} times in a row and is not restarted again (last: ${this.brokenBy})`,
      );
    return this.gen;
  }

  private async call<T>(
    what: string,
    timeoutMs: number,
    invoke: (api: Comlink.Remote<RuntimeApi>) => Promise<T>,
  ): Promise<T> {
    return this.callOn(await this.current(), what, timeoutMs, invoke);
  }

  private async callOn<T>(
    gen: Generation,
    what: string,
    timeoutMs: number,
    invoke: (api: Comlink.Remote<RuntimeApi>) => Promise<T>,
  ): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new RuntimeWorkerError(
            'timeout',
            `the runtime worker did not answer ${what} within ${timeoutMs} ms; it is being restarted`,
          ),
        );
        this.fail(gen, 'timeout', `${what} did not answer within ${timeoutMs} ms`);
      }, timeoutMs);
    });
    try {
      const answer = await Promise.race([invoke(gen.api), gen.dead, timeout]);
      this.failuresInARow = 0;
      return answer;
    } finally {
      clearTimeout(timer);
    }
  }

  private get ortOptions(): { wasmUrl?: string; maxThreads?: number } {
    const { wasmUrl, maxThreads } = this.options;
    return { ...(wasmUrl ? { wasmUrl } : {}), ...(maxThreads ? { maxThreads } : {}) };
  }

  private async loadOn(gen: Generation, bytes: Uint8Array, model: ModelRef, options: CallOptions) {
    const send =
      options.transfer === false
        ? bytes
        : Comlink.transfer(bytes, transferables([{ type: 'uint8', dims: [bytes.length], data: bytes }]));
    const result = await this.callOn<WorkerResult<{ info: RuntimeInfo; bytes: Uint8Array }>>(
      gen,
      'load',
      options.timeoutMs ?? this.loadTimeoutMs,
      (api) => api.load(send, model, this.ortOptions),
    );
    return this.unwrap(gen, result);
  }

  private unwrap<T>(gen: Generation, result: WorkerResult<T>): T {
    if (result.ok) return result.value;
    if (result.error.fatal) {
      this.fail(gen, 'fatal', result.error.message);
      throw new RuntimeWorkerError(
        'fatal',
        `the model crashed the runtime (${result.error.message}); the worker is being restarted`,
      );
    }
    throw rebuild(result.error);
  }

  private fail(gen: Generation, reason: FailureReason, message: string): void {
    if (gen.failed || this.terminated) return;
    gen.failed = true;
    gen.kill(
      new RuntimeWorkerError(reason, `the runtime worker failed (${reason}: ${message}); it is being restarted`),
    );
    gen.worker.terminate();
    if (++this.failuresInARow >= (this.options.maxConsecutiveFailures ?? 3)) {
      // A worker that cannot start (a script that fails to load, a browser without module workers)
      // would otherwise be restarted forever.
      this.brokenBy = `${reason}: ${message}`;
      const detail: RuntimeFailure = {
        reason,
        message,
        model: this.lastModel?.ref ?? null,
        reloaded: false,
        gaveUp: true,
        restarts: this.restarts,
        at: Date.now(),
      };
      this.dispatchEvent(new CustomEvent<RuntimeFailure>('failure', { detail }));
      return;
    }
    this.restarts++;
    // A worker that dies while reloading the model is replaced once more, without the model, so a
    // model that kills every worker cannot restart them forever.
    this.ready = this.restart(reason, message, !gen.reloading);
  }

  private async restart(reason: FailureReason, message: string, reload: boolean): Promise<void> {
    const gen = this.spawn();
    this.gen = gen;
    const last = this.lastModel;
    const detail: RuntimeFailure = {
      reason,
      message,
      model: last?.ref ?? null,
      reloaded: false,
      gaveUp: false,
      restarts: this.restarts,
      at: Date.now(),
    };
    if (last && reload) {
      gen.reloading = true;
      try {
        // A copy: the kept bytes must survive this worker too.
        const bytes = last.source ? await last.source() : last.bytes!.slice();
        await this.loadOn(gen, bytes, last.ref, {});
        detail.reloaded = true;
      } catch (err) {
        detail.reloadError = err instanceof Error ? err.message : String(err);
      }
      gen.reloading = false;
    } else if (last) {
      detail.reloadError = 'the worker failed while reloading the model';
    }
    this.dispatchEvent(new CustomEvent<RuntimeFailure>('failure', { detail }));
  }
}

/** Starts the runtime worker (a module worker, so it can import onnxruntime-web and shared code). */
export function startRuntimeWorker(options: RuntimeWorkerOptions = {}): RuntimeWorker {
  return new RuntimeWorker(options);
}
