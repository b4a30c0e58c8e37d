import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { shutdown } from '../../src/http/shutdown.ts';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, path, host: '127.0.0.1', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function slowServer(ms: number) {
  const server = createServer((req, res) => {
    const timer = setTimeout(() => res.end(`done ${req.url}`), req.url === '/slow' ? ms : 0);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('graceful shutdown', () => {
  it('finishes the request in flight, refuses new connections, then closes the stores', async () => {
    const { server, port } = await slowServer(400);
    const inflight = get(port, '/slow');
    await new Promise((r) => setTimeout(r, 50));
    let storesClosedAt = 0;
    const stopped = shutdown(server, 5000, async () => {
      storesClosedAt = Date.now();
    });
    await assert.rejects(get(port, '/new'), /ECONNREFUSED/);
    const answer = await inflight;
    assert.deepEqual(answer, { status: 200, body: 'done /slow' });
    await stopped;
    assert.ok(storesClosedAt > 0, 'stores closed after the server');
  });

  it('cuts requests still running at the deadline', async () => {
    const { server, port } = await slowServer(60_000);
    const inflight = get(port, '/slow').then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await shutdown(server, 300, async () => {});
    assert.ok(Date.now() - started < 5000);
    assert.equal(await inflight, 'cut');
  });
});
