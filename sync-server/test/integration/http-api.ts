import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { isErrorBody } from '../../../shared/protocol/index.ts';
import { api, type ServerProcess } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

export interface ApiSetup {
  server: ServerProcess;
  adminToken: string;
  expect: { db: 'pglite' | 'postgres'; blobs: 'fs' | 's3' };
  teardown(): Promise<void>;
}

const assertError = (res: { status: number; body: unknown }, status: number, code: string) => {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.ok(isErrorBody(res.body), `error shape: ${JSON.stringify(res.body)}`);
  assert.equal((res.body as { error: { code: string } }).error.code, code);
};

/** What a running TinySphere answers over real HTTP, whatever its backends. */
export function runHttpApiTests(name: string, setup: () => Promise<ApiSetup | undefined>): void {
  describe(`TinySphere over HTTP: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let base = '';
    let admin = '';
    before(() => {
      if (suite.ctx) ({ url: base } = suite.ctx.server), (admin = suite.ctx.adminToken);
    });

    test('GET /healthz names the backends', async () => {
      const res = await api(`${base}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok', ...suite.ctx!.expect });
    });

    test('unknown API paths answer 404 in the error shape; wrong methods 405', async () => {
      assertError(await api(`${base}/api/v1/nope`), 404, 'not_found');
      assertError(await api(`${base}/api/v1/nope/deeper?x=1`, { method: 'DELETE' }), 404, 'not_found');
      assertError(await api(`${base}/healthz`, { method: 'DELETE' }), 405, 'method_not_allowed');
      assertError(await api(`${base}/assets/missing.js`), 404, 'not_found');
      assertError(await api(`${base}/%E0%A4%A`), 400, 'bad_request');
    });

    test('auth: no token 401, bad token 401, admin token resolves to its principal', async () => {
      assertError(await api(`${base}/api/v1/me`), 401, 'unauthorized');
      assertError(await api(`${base}/api/v1/me`, { token: 'tsk_wrong' }), 401, 'unauthorized');
      const bad = await fetch(`${base}/api/v1/me`, { headers: { authorization: 'Basic abc' } });
      assert.equal(bad.status, 401);
      const me = await api(`${base}/api/v1/me`, { token: admin });
      assert.equal(me.status, 200);
      assert.equal(me.body.role, 'admin');
    });

    test('roles: an admin creates a viewer token; the viewer may read but not create tokens (403)', async () => {
      const created = await api(`${base}/api/v1/tokens`, { token: admin, body: { name: 'dashboard', role: 'viewer' } });
      assert.equal(created.status, 201);
      assert.match(created.body.token, /^tsk_/);
      const me = await api(`${base}/api/v1/me`, { token: created.body.token });
      assert.deepEqual([me.status, me.body.role, me.body.name], [200, 'viewer', 'dashboard']);
      assertError(
        await api(`${base}/api/v1/tokens`, { token: created.body.token, body: { name: 'x', role: 'admin' } }),
        403,
        'forbidden',
      );
    });

    test('bad input: schema violations and broken JSON answer 400 and change nothing', async () => {
      assertError(
        await api(`${base}/api/v1/tokens`, { token: admin, body: { name: '', role: 'king' } }),
        400,
        'validation_failed',
      );
      assertError(await api(`${base}/api/v1/tokens`, { token: admin, raw: '{"name": ' }), 400, 'bad_request');
    });

    test('the OpenAPI document describes the routes the server answers', async () => {
      const res = await api(`${base}/api/v1/openapi.json`);
      assert.equal(res.status, 200);
      assert.equal(res.body.openapi, '3.1.0');
      for (const p of ['/healthz', '/api/v1/me', '/api/v1/tokens', '/api/v1/openapi.json'])
        assert.ok(res.body.paths[p], p);
    });

    test('serves the built PWA at / and the console at /admin/, cross-origin isolated', async () => {
      for (const [path, element] of [
        ['/', 'tinylcm-app'],
        ['/admin/', 'tinysphere-admin'],
        ['/admin/some/client/route', 'tinysphere-admin'],
      ] as const) {
        const res = await fetch(base + path);
        assert.equal(res.status, 200, path);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        assert.match(await res.text(), new RegExp(`<${element}>`), path);
        assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
        assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
        assertSecurityHeaders(res, path);
      }
      // API answers (and refusals) carry them too: a JSON error opened in a tab leaks no referrer.
      for (const path of ['/api/v1/me', '/api/v1/openapi.json', '/sw.js'])
        assertSecurityHeaders(await fetch(base + path), path);
      const sw = await fetch(`${base}/sw.js`);
      assert.equal(sw.status, 200);
      assert.match(await sw.text(), /index\.html/, 'the service worker precaches the app shell');
      assert.equal(
        (await fetch(`${base}/manifest.webmanifest`)).headers.get('content-type'),
        'application/manifest+json',
      );
    });
  });
}

/** The browser hardening of sync-server/src/http/security-headers.ts, on `res`. */
function assertSecurityHeaders(res: Response, path: string): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  for (const directive of [
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
  ]) {
    assert.ok(csp.split('; ').includes(directive), `${path}: ${directive} in ${csp}`);
  }
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
}
