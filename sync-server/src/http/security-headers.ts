import type { Middleware } from 'koa';

/**
 * The Content-Security-Policy of both web apps (the PWA at `/`, the console at `/admin/`). Every
 * directive is about what the apps really do:
 * - scripts and workers (the runtime worker, the service worker) come from this origin only;
 *   `'wasm-unsafe-eval'` lets onnxruntime-web and Automerge compile their WebAssembly, and no
 *   other eval is allowed;
 * - `connect-src 'self'`: every request goes to the server that served the app. The PWA's
 *   enrolment may name another server, but TinySphere answers no CORS, so from this page such a
 *   request could never succeed anyway: the enrol screen sends the person to that server's own app
 *   instead (edge-app/src/ui/screens/enrol-screen.ts);
 * - images: this origin, `data:` (icons) and `blob:` (camera frames, exported files);
 * - styles: Lit's constructable stylesheets are not governed by CSP, but templates carry a few
 *   inline `style` attributes and the PWA shell an inline `<style>` block, hence `'unsafe-inline'`
 *   for styles only; Chart.js sizes its canvases through CSSOM, which CSP does not restrict;
 * - no plugins, no `<base>` elsewhere, forms post nowhere else, and no site may frame the apps.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * CSP on every answer (a worker script takes its policy from its own response, and an API answer
 * opened in a tab gets the same limits) and `Referrer-Policy: no-referrer`, so neither app leaks its
 * URL (an enrolment link's code, a console route) to anything it links to.
 */
export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  };
}
