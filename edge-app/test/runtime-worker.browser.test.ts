import { expect } from '@esm-bundle/chai';
import { startRuntimeWorker } from '../src/worker/client.ts';

describe('runtime worker (comlink, real Chromium)', () => {
  it('answers a call across the thread boundary with the capabilities of a cross-origin isolated page', async () => {
    const worker = startRuntimeWorker();
    try {
      const caps = await worker.api.capabilities();
      expect(caps.webAssembly).to.equal(true);
      // The test server sends COOP/COEP like TinySphere does, so threads are available in the worker.
      expect(caps.crossOriginIsolated).to.equal(true);
      expect(caps.sharedArrayBuffer).to.equal(true);
      expect(caps.threads).to.be.greaterThan(0);
      expect(caps.userAgent).to.contain('Chrome');
    } finally {
      worker.terminate();
    }
  });
});
