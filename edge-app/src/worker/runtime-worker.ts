import * as Comlink from 'comlink';

/** What the device's browser offers the inference runtime; shown in the PWA and reported to the server. */
export interface RuntimeCapabilities {
  crossOriginIsolated: boolean;
  /** Threads onnxruntime-web may use: >1 only when SharedArrayBuffer is available. */
  threads: number;
  sharedArrayBuffer: boolean;
  webAssembly: boolean;
  userAgent: string;
}

/** The worker's API, called from the UI thread through Comlink. Inference joins it with the runtime. */
export const runtimeApi = {
  capabilities(): RuntimeCapabilities {
    const sab = typeof SharedArrayBuffer !== 'undefined';
    return {
      crossOriginIsolated: self.crossOriginIsolated === true,
      threads: sab && self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1,
      sharedArrayBuffer: sab,
      webAssembly: typeof WebAssembly === 'object',
      userAgent: navigator.userAgent,
    };
  },
};

export type RuntimeApi = typeof runtimeApi;

Comlink.expose(runtimeApi);
