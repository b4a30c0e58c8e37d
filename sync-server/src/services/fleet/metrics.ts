import { counterFamily, gaugeFamily } from '../../metrics/exposition.ts';
import type { FleetSnapshot } from './index.ts';

/** The fleet's numbers as Prometheus families. They are read from the shared database, so every instance reports the same values. */
export function fleetMetrics(s: FleetSnapshot): string {
  return [
    gaugeFamily('tinysphere_devices', 'Enrolled devices, not revoked.', [{ value: s.devices }]),
    gaugeFamily('tinysphere_devices_online', 'Devices seen within the online window.', [{ value: s.online }]),
    // Stored records only grow, hence counters (and the _total names).
    counterFamily('tinysphere_inference_records_total', 'Inference records stored.', [{ value: s.records }]),
    counterFamily(
      'tinysphere_drift_alarms_total',
      'Stored inference records with a drift alarm (any drift bit in their flags).',
      [{ value: s.driftAlarms }],
    ),
    counterFamily(
      'tinysphere_drift_warnings_total',
      'Stored inference records with a drift warning (any warning bit in their flags).',
      [{ value: s.driftWarnings }],
    ),
    gaugeFamily(
      'tinysphere_model_version_records',
      'Inference records stored per registered model version; versions the registry does not hold count under model="other".',
      modelSeries(s),
    ),
  ].join('');
}

/**
 * Devices name the model in every record, so labelling by what they send would let one batch of
 * made-up names create thousands of series; only registry versions get their own labels.
 */
function modelSeries(s: FleetSnapshot): { labels: Record<string, string>; value: number }[] {
  const series = s.models
    .filter((m) => m.registered)
    .map((m) => ({ labels: { model: m.name, version: String(m.version) }, value: m.records }));
  const other = s.models.reduce((n, m) => (m.registered ? n : n + m.records), 0);
  return [...series, { labels: { model: 'other' }, value: other }];
}
