/**
 * The PWA's drift event list shows what people decided about each event (the statuses the
 * SyncEngine reads from the device document): acknowledged, false alarm, or open.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../src/ui/components/drift-panel.ts';
import type { DriftEvent } from '../src/lcm/types.ts';

const event = (id: string, feature: string): DriftEvent => ({
  id,
  ts: 1_700_000_000_000,
  model: { name: 'weather', version: 1, sha256: 'a'.repeat(64) },
  kind: 'feature',
  channel: `feature:${feature}`,
  detector: 'ewma-confidence',
  feature,
  statistic: 4.2,
  window: { size: 0, firstId: '', lastId: '', statistics: [] },
  samples: [],
});

describe('PWA drift event list', () => {
  it('shows each event’s status from the device document, and none before the device is enrolled', async () => {
    const panel = document.createElement('lcm-drift-panel');
    panel.events = [
      event('s-1/feature:wind', 'wind'),
      event('s-2/feature:temp', 'temp'),
      event('s-3/feature:rain', 'rain'),
    ];
    document.body.append(panel);
    await panel.updateComplete;
    assert.equal(panel.shadowRoot!.querySelectorAll('[data-testid=event-status]').length, 0);

    panel.statuses = new Map([
      ['s-1/feature:wind', 'acknowledged'],
      ['s-2/feature:temp', 'false_alarm'],
      ['s-3/feature:rain', 'open'],
    ]);
    await panel.updateComplete;
    const status = (id: string) =>
      panel.shadowRoot!.querySelector(`li[data-event-id="${id}"] [data-testid=event-status]`)?.textContent?.trim();
    assert.equal(status('s-1/feature:wind'), 'acknowledged');
    assert.equal(status('s-2/feature:temp'), 'false alarm (detector reset)');
    assert.equal(status('s-3/feature:rain'), 'open');
    panel.remove();
  });
});
