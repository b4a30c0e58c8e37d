import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { api, pgliteServer } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

const METRICS_TOKEN = 'scrape-me-0123456789abcdef';

/** With METRICS_TOKEN set, /metrics answers only a scraper holding it (unset: public, see fleet.ts). */
describe('/metrics with METRICS_TOKEN', () => {
  const suite = backendSuite('PGlite', () => pgliteServer({ METRICS_TOKEN }), stopServer);

  suite.test('no header, a wrong token, another scheme, or an API token: 401 with the JSON error', async (ctx) => {
    const url = `${ctx.server.url}/metrics`;
    for (const token of [undefined, 'scrape-me-0123456789abcdeX', ctx.adminToken]) {
      const res = await api(url, { token });
      assert.equal(res.status, 401, `token ${token}`);
      assert.equal(res.body.error.code, 'unauthorized');
      assert.match(res.body.error.message, /METRICS_TOKEN/);
    }
    const basic = await fetch(url, { headers: { authorization: `Basic ${METRICS_TOKEN}` } });
    assert.equal(basic.status, 401);
  });

  suite.test('the token as a bearer: 200 with the Prometheus text', async (ctx) => {
    const res = await fetch(`${ctx.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(await res.text(), /^tinysphere_devices 0$/m);
  });

  suite.test(
    'the API keeps its own tokens: the admin token still works there, the metrics token does not',
    async (ctx) => {
      assert.equal((await api(`${ctx.server.url}/api/v1/fleet/summary`, { token: ctx.adminToken })).status, 200);
      assert.equal((await api(`${ctx.server.url}/api/v1/fleet/summary`, { token: METRICS_TOKEN })).status, 401);
    },
  );
});
