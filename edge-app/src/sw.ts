/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { SKIP_WAITING, SYNC_MESSAGE, SYNC_TAG } from './app/sw-protocol.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

// The build injects the list of every built file (with revisions) here: the shell, JS/CSS, the
// onnxruntime and Automerge wasm, the manifest and icons — so the app opens, and infers, offline.
// Nothing else is cached: API answers (model bytes included) never enter the HTTP caches here;
// models live in the app's IndexedDB model store.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Client-side routes of the PWA open its shell; the API and the admin console are never served from here.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/admin(\/|$)/, /^\/healthz/, /^\/metrics/],
  }),
);

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === SKIP_WAITING) void self.skipWaiting();
});

/**
 * Background Sync. The upload queue is in IndexedDB and the code that sends it runs in the page,
 * so the worker asks an open page to sync and waits for its answer; a failure (or no page open)
 * rejects, and the browser retries the tag later with its own backoff.
 */
async function askClientsToSync(): Promise<void> {
  const clients = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (clients.length === 0) throw new Error('no TinyLCM page is open to send the queue');
  const answers = clients.map(
    (client) =>
      new Promise<boolean>((resolve) => {
        const channel = new MessageChannel();
        const timer = setTimeout(() => resolve(false), 120_000);
        channel.port1.onmessage = (e) => {
          clearTimeout(timer);
          resolve((e.data as { ok?: boolean } | null)?.ok === true);
        };
        client.postMessage({ type: SYNC_MESSAGE }, [channel.port2]);
      }),
  );
  if (!(await Promise.all(answers)).some(Boolean)) throw new Error('the upload queue is not drained yet');
}

self.addEventListener('sync', (event: Event) => {
  const e = event as ExtendableEvent & { tag: string };
  if (e.tag === SYNC_TAG) e.waitUntil(askClientsToSync());
});
