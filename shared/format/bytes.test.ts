import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from './bytes.ts';

test('formatBytes: whole bytes, then binary units with three significant digits', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1024), '1.00 KiB');
  assert.equal(formatBytes(3072), '3.00 KiB');
  assert.equal(formatBytes(60 * 1024 ** 2), '60.0 MiB');
  assert.equal(formatBytes(5 * 1024 ** 4), '5120.0 GiB');
  assert.equal(formatBytes(Number.NaN), '–');
});
