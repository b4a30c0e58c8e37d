import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('read-time limits: defaults, overrides, and bad values named', () => {
  assert.deepEqual(loadConfig({}).timeouts, { headersMs: 10_000, requestMs: 300_000, bodyReadMs: 60_000 });
  assert.deepEqual(
    loadConfig({ BODY_READ_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' }).timeouts,
    { headersMs: 1000, requestMs: 2000, bodyReadMs: 1500 },
  );
  for (const [name, value] of [
    ['BODY_READ_TIMEOUT_MS', '0'],
    ['BODY_READ_TIMEOUT_MS', '1.5'],
    ['HEADERS_TIMEOUT_MS', 'soon'],
    ['REQUEST_TIMEOUT_MS', '-1'],
  ] as const) {
    assert.throws(
      () => loadConfig({ [name]: value }),
      (e: unknown) => e instanceof ConfigError && e.variable === name,
      `${name}=${value}`,
    );
  }
  assert.throws(
    () => loadConfig({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '4000' }),
    (e: unknown) =>
      e instanceof ConfigError && e.variable === 'HEADERS_TIMEOUT_MS' && /REQUEST_TIMEOUT_MS/.test(e.message),
  );
});
