import * as Comlink from 'comlink';
// Imported statically, not on first load: when a bundler inlines ORT into this worker, ORT's wasm
// threads run this same script, and ORT's thread start-up code must run at its top level there.
import { availableThreads, browserOrt, InferenceInputError, LcmSession, transferables } from '../lcm/browser.ts';
import type { Feeds, ModelRef, Outputs, SessionInfo } from '../lcm/index.ts';
import { warmUpModel } from './warm-up-model.ts';

/** What the device's browser offers the inference runtime; shown in the PWA and reported to the server. */
export interface RuntimeCapabilities {
  crossOriginIsolated: boolean;
  /** Threads onnxruntime-web may use: >1 only when SharedArrayBuffer is available. */
  threads: number;
  sharedArrayBuffer: boolean;
  webAssembly: boolean;
  userAgent: string;
}

export interface WorkerLoadOptions {
  /** URL of ort-wasm-simd-threaded.wasm; only the first load of a worker configures ORT. */
  wasmUrl?: string;
  maxThreads?: number;
  warmUp?: boolean;
}

export interface RuntimeInfo extends SessionInfo {
  model: ModelRef;
  /** Threads ORT runs with in this worker. */
  threads: number;
}

export interface WorkerInferResult {
  outputs: Outputs;
  /** Time inside onnxruntime's run, in the worker. */
  latencyMs: number;
}

/**
 * Errors travel as data: Comlink rebuilds a thrown error as a plain Error with message and name
 * only, which would lose which input was at fault and whether the wasm instance is still usable.
 */
export interface WorkerError {
  name: string;
  message: string;
  input?: string | null;
  /** The wasm instance trapped (abort, out-of-bounds): the worker must be replaced. */
  fatal: boolean;
}
export type WorkerResult<T> = { ok: true; value: T } | { ok: false; error: WorkerError };

export type CrashMode = 'throw' | 'close' | 'hang';

let current: { session: LcmSession; model: ModelRef; threads: number } | null = null;

function failure(err: unknown): { ok: false; error: WorkerError } {
  const e = err instanceof Error ? err : new Error(String(err));
  const error: WorkerError = { name: e.name, message: e.message, fatal: err instanceof WebAssembly.RuntimeError };
  if (err instanceof InferenceInputError) error.input = err.input;
  return { ok: false, error };
}

function infoOf(c: NonNullable<typeof current>): RuntimeInfo {
  return { ...c.session.info(), model: c.model, threads: c.threads };
}

/** The worker's API, called from the UI thread through Comlink (client.ts wraps it). */
export const runtimeApi = {
  capabilities(): RuntimeCapabilities {
    return {
      crossOriginIsolated: self.crossOriginIsolated === true,
      threads: availableThreads(),
      sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
      webAssembly: typeof WebAssembly === 'object',
      userAgent: navigator.userAgent,
    };
  },

  /**
   * Starts onnxruntime before any model is known — fetches and compiles its wasm and creates and runs
   * a session of a one-node model — so a load that follows only builds its own session. Leaves no
   * model loaded; a load made meanwhile shares the same initialisation.
   */
  async prepare(
    options: Pick<WorkerLoadOptions, 'wasmUrl' | 'maxThreads'> = {},
  ): Promise<WorkerResult<{ ms: number }>> {
    const started = performance.now();
    try {
      const { ort } = browserOrt(options);
      const session = await LcmSession.create(ort, warmUpModel());
      await session.release();
      return { ok: true, value: { ms: performance.now() - started } };
    } catch (err) {
      return failure(err);
    }
  },

  /**
   * Loads a model, replacing the current one only once the new one is ready (a model that fails to
   * load leaves the previous one serving). The bytes come back, transferred, so the caller can keep
   * them for a reload without having copied them.
   */
  async load(
    bytes: Uint8Array,
    model: ModelRef,
    options: WorkerLoadOptions = {},
  ): Promise<WorkerResult<{ info: RuntimeInfo; bytes: Uint8Array }>> {
    try {
      const { ort, threads } = browserOrt(options);
      const session = await LcmSession.create(ort, bytes, { warmUp: options.warmUp ?? true });
      const previous = current;
      // ORT drops to one thread (with a console warning) when it finds no SharedArrayBuffer; report what it settled on.
      current = { session, model, threads: ort.env.wasm.numThreads ?? threads };
      await previous?.session.release();
      const value = { info: infoOf(current), bytes };
      return Comlink.transfer(
        { ok: true, value },
        transferables([{ type: 'uint8', dims: [bytes.length], data: bytes }]),
      );
    } catch (err) {
      return failure(err);
    }
  },

  /** Runs the current model; the output buffers are transferred to the caller, not copied. */
  async infer(feeds: Feeds): Promise<WorkerResult<WorkerInferResult>> {
    if (!current) return failure(new Error('no model is loaded in the runtime worker'));
    try {
      const value = await current.session.timedRun(feeds);
      return Comlink.transfer({ ok: true, value }, transferables(Object.values(value.outputs)));
    } catch (err) {
      return failure(err);
    }
  },

  async unload(): Promise<void> {
    const previous = current;
    current = null;
    await previous?.session.release();
  },

  info(): RuntimeInfo | null {
    return current ? infoOf(current) : null;
  },

  /**
   * For tests of the client's recovery: 'throw' raises an uncaught error (the page sees an error
   * event), 'close' ends the worker silently (calls go unanswered), 'hang' blocks it forever.
   */
  crash(mode: CrashMode): void {
    if (mode === 'throw') {
      setTimeout(() => {
        throw new Error('runtime worker: crash requested');
      });
    } else if (mode === 'close') self.close();
    else for (;;);
  },
};

export type RuntimeApi = typeof runtimeApi;

// When a bundler inlines ORT into this file, ORT starts its wasm threads from this same script
// (named em-pthread…); those must not answer Comlink calls.
if (!self.name.startsWith('em-pthread')) Comlink.expose(runtimeApi);
