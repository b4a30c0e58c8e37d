import { counterFamily, gaugeFamily } from '../../http/exposition.ts';
import type { FleetSnapshot } from './index.ts';

/** The fleet's numbers as Prometheus families. They are read from the shared database, so every instance reports the same values. */
export function fleetMetrics(s: FleetSnapshot): string {
  return [
    gaugeFamily('tinysphere_devices', 'Enrolled devices, not revoked.', [{ value: s.devices }]),
    gaugeFamily('tinysphere_devices_online', 'Devices seen within the online window.', [{ value: s.online }]),
    // Stored records only grow, hence counters (and the _total names).
    counterFamily('tinysphere_inference_records_total', 'Inference records stored.', [{ value: s.records }]),
    counterFamily('tinysphere_drift_alarms_total', 'Stored inference records with a drift alarm (any drift bit in their flags).', [{ value: s.driftAlarms }]),
    counterFamily('tinysphere_drift_warnings_total', 'Stored inference records with a drift warning (any warning bit in their flags).', [{ value: s.driftWarnings }]),
    gaugeFamily('tinysphere_model_version_records', 'Inference records stored per model version.', s.models.map((m) => ({ labels: { model: m.name, version: String(m.version) }, value: m.records }))),
  ].join('');
}
