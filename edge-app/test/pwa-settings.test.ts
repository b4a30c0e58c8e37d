import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { drawIcon, ICONS } from '../../scripts/icons.ts';
import { DEFAULT_SETTINGS, loggerPolicies, mergeSettings } from '../src/app/settings.ts';

describe('PWA device settings', () => {
  it('map to the logger: a sampling rate keeps one in round(1/rate), 0 none; retention in days', () => {
    assert.deepEqual(loggerPolicies(DEFAULT_SETTINGS), {
      sampling: { everyNth: 1 },
      retention: { maxAgeMs: 30 * 86_400_000 },
    });
    assert.equal(loggerPolicies({ ...DEFAULT_SETTINGS, samplingRate: 0.1 }).sampling.everyNth, 10);
    assert.equal(loggerPolicies({ ...DEFAULT_SETTINGS, samplingRate: 0.3 }).sampling.everyNth, 3);
    assert.equal(loggerPolicies({ ...DEFAULT_SETTINGS, samplingRate: 0 }).sampling.everyNth, 0);
  });

  it('refuse out-of-range values, naming the field', () => {
    assert.deepEqual(mergeSettings(DEFAULT_SETTINGS, { syncIntervalSec: 60 }), {
      ...DEFAULT_SETTINGS,
      syncIntervalSec: 60,
    });
    assert.throws(() => mergeSettings(DEFAULT_SETTINGS, { syncIntervalSec: 1 }), /sync interval/);
    assert.throws(() => mergeSettings(DEFAULT_SETTINGS, { samplingRate: 1.5 }), /sampling/);
    assert.throws(() => mergeSettings(DEFAULT_SETTINGS, { retentionDays: Number.NaN }), /retention/);
  });
});

describe('generated PWA icons', () => {
  it('have the declared sizes; maskable ones are opaque to the corners, the others have rounded (transparent) corners', () => {
    for (const spec of ICONS) {
      const png = PNG.sync.read(drawIcon(spec));
      assert.equal(png.width, spec.size);
      assert.equal(png.height, spec.size);
      const alpha = (x: number, y: number) => png.data[(y * spec.size + x) * 4 + 3];
      assert.equal(alpha(0, 0), spec.fullBleed ? 255 : 0, spec.file);
      assert.equal(alpha(spec.size >> 1, spec.size >> 1), 255, spec.file);
    }
  });
});
