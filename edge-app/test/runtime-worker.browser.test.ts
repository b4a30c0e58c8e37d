import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRuntimeWorker } from '../src/worker/client.ts';

describe('runtime worker (comlink, real Chromium)', () => {
  it('answers a call across the thread boundary with the capabilities of a cross-origin isolated page', async () => {
    const worker = startRuntimeWorker();
    try {
      const caps = await worker.api.capabilities();
      assert.equal(caps.webAssembly, true);
      // The test server sends COOP/COEP like TinySphere does, so threads are available in the worker.
      assert.equal(caps.crossOriginIsolated, true);
      assert.equal(caps.sharedArrayBuffer, true);
      assert.ok(caps.threads > 0);
      assert.match(caps.userAgent, /Chrome/);
    } finally {
      worker.terminate();
    }
  });
});
