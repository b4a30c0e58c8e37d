import type { LcmDb } from '../storage/db.ts';
import type { ModelRef } from '../types.ts';
import type { DeviceDriftState } from './device-drift.ts';

export function driftStateKey(model: Pick<ModelRef, 'name' | 'version'>): string {
  return `${model.name}@${model.version}`;
}

/**
 * Saved DeviceDrift states, one per model version. The caller saves periodically and on
 * pagehide; load() returns nothing for a state saved for other bytes under the same version.
 */
export class DriftStateStore {
  constructor(private readonly db: LcmDb) {}

  async save(state: DeviceDriftState): Promise<void> {
    await this.db.put('drift-states', state, driftStateKey(state.model));
  }

  async load(model: ModelRef): Promise<DeviceDriftState | undefined> {
    const s = await this.db.get('drift-states', driftStateKey(model));
    return s && s.model.sha256 === model.sha256 ? s : undefined;
  }

  async delete(model: Pick<ModelRef, 'name' | 'version'>): Promise<void> {
    await this.db.delete('drift-states', driftStateKey(model));
  }
}
