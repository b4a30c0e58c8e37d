import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl } from '../../src/http/request-log.ts';

test('logged URLs keep paths and harmless parameters but no enrolment code or token', () => {
  assert.equal(redactUrl('/?code=secret123'), '/?code=[redacted]');
  assert.equal(redactUrl('/?server=https%3A%2F%2Fhub&code=secret123'), '/?server=https%3A%2F%2Fhub&code=[redacted]');
  assert.equal(redactUrl('/api/v1/x?token=tsk_abc&limit=10'), '/api/v1/x?token=[redacted]&limit=10');
  assert.equal(
    redactUrl('/x?access_token=a&api_key=b&Code=c&%63ode=d&x-amz-signature=e&sig=e'),
    '/x?access_token=[redacted]&api_key=[redacted]&Code=[redacted]&%63ode=[redacted]&x-amz-signature=[redacted]&sig=e',
  );
  // A value holding '=' is replaced whole.
  assert.equal(redactUrl('/?code=a=b&page=2'), '/?code=[redacted]&page=2');
  assert.equal(redactUrl('/api/v1/devices?limit=5'), '/api/v1/devices?limit=5');
  assert.equal(redactUrl('/healthz'), '/healthz');
  // A name that is not valid percent-encoding is compared as it stands.
  assert.equal(redactUrl('/?%E0%A4%A=1&code=z'), '/?%E0%A4%A=1&code=[redacted]');
});
