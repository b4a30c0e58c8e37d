/** What the page and the service worker say to each other (shared by sw.ts and sw-bridge.ts). */
export const SYNC_TAG = 'tinylcm-upload';
export const SYNC_MESSAGE = 'TINYLCM_SYNC_NOW';
export const SKIP_WAITING = 'SKIP_WAITING';
