import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('gives the embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, path.resolve('./data'));
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.s3, undefined);
    assert.equal(c.maxUploadBytes, 512 * 1024 * 1024);
    assert.equal(c.shutdownTimeoutMs, 10_000);
  });

  it('treats empty strings as unset', () => {
    assert.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).port, 8080);
  });

  for (const [variable, value] of [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['S3_ENDPOINT', 'ftp://x'],
    ['LOG_LEVEL', 'loud'],
    ['ADMIN_TOKEN', 'short'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_TOKEN', 'has a space in it, 16+'],
    ['MAX_UPLOAD_BYTES', '1e9'],
    ['S3_BUCKET', 'No_Caps'],
  ] as const) {
    it(`refuses ${variable}=${value} naming the variable`, () => {
      assert.throws(
        () => loadConfig({ [variable]: value }),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.variable === variable &&
          err.message.startsWith(`${variable}: `) &&
          err.message.includes(JSON.stringify(value)),
      );
    });
  }

  it('reads METRICS_TOKEN; unset leaves /metrics public', () => {
    assert.equal(loadConfig({}).metricsToken, undefined);
    assert.equal(loadConfig({ METRICS_TOKEN: 'scrape-0123456789abcdef' }).metricsToken, 'scrape-0123456789abcdef');
  });

  it('needs the S3 keys with an S3 endpoint, and an endpoint with keys', () => {
    assert.throws(() => loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000' }), /^ConfigError: S3_ACCESS_KEY: /);
    assert.throws(() => loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_ACCESS_KEY: 'a' }), /S3_SECRET_KEY/);
    assert.throws(() => loadConfig({ S3_ACCESS_KEY: 'a' }), /S3_ENDPOINT/);
    const c = loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' });
    assert.equal(c.s3?.endpoint.port, '9000');
    assert.equal(c.s3?.bucket, 'tinysphere');
  });
});
