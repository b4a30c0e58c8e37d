import './ui/tinylcm-app.ts';

// Only production builds have a service worker: in development it would serve stale modules.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
      console.warn('[tinylcm] service worker registration failed', err);
    });
  });
}
