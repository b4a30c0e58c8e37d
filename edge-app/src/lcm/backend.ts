import { LcmSession, type Ort } from './runtime/index.ts';
import type { Feeds, ModelRef, Outputs } from './types.ts';

/**
 * Where inference runs for TinyLCM: the model's session in this thread (Node, or inside the
 * worker), or the runtime worker seen from the page (edge-app/src/worker/client.ts fits as is).
 */
export interface InferenceBackend {
  load(bytes: Uint8Array, model: ModelRef): Promise<unknown>;
  infer(feeds: Feeds): Promise<{ outputs: Outputs; latencyMs: number }>;
  unload?(): Promise<unknown>;
}

/** A backend running the session in this thread, over the given onnxruntime-web module. */
export function sessionBackend(ort: Ort): InferenceBackend {
  let session: LcmSession | undefined;
  return {
    async load(bytes) {
      const next = await LcmSession.create(ort, bytes);
      const previous = session;
      session = next;
      await previous?.release();
      return next.info();
    },
    infer(feeds) {
      if (!session) return Promise.reject(new Error('no model is loaded: activate one first'));
      return session.timedRun(feeds);
    },
    async unload() {
      await session?.release();
      session = undefined;
    },
  };
}
