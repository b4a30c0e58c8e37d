/**
 * Prometheus text exposition format 0.0.4, written by hand: a handful of families does not justify
 * a client library. https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels?: Labels;
  value: number;
}

export interface HistogramSeries {
  labels?: Labels;
  /** Upper bounds, ascending, without +Inf. */
  bounds: readonly number[];
  /** Observations per bucket, not cumulative: counts[i] fell in (bounds[i-1], bounds[i]]; one more entry for above the last bound. */
  counts: readonly number[];
  sum: number;
}

/** Label values escape backslash, double quote and newline; anything else is taken as is. */
export const escapeLabelValue = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

// HELP text escapes only backslash and newline.
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}` : '';
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const header = (name: string, type: string, help: string) =>
  `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
const line = (name: string, labels: Labels | undefined, value: number) =>
  `${name}${formatLabels(labels)} ${formatValue(value)}\n`;

const simpleFamily =
  (type: 'counter' | 'gauge') =>
  (name: string, help: string, samples: readonly Sample[]): string =>
    header(name, type, help) + samples.map((s) => line(name, s.labels, s.value)).join('');

export const counterFamily = simpleFamily('counter');
export const gaugeFamily = simpleFamily('gauge');

/** A histogram family: cumulative `_bucket` lines ending in `le="+Inf"`, then `_sum` and `_count`. */
export function histogramFamily(name: string, help: string, series: readonly HistogramSeries[]): string {
  let out = header(name, 'histogram', help);
  for (const s of series) {
    let cumulative = 0;
    const les = [...s.bounds.map(formatValue), '+Inf'];
    les.forEach((le, i) => {
      cumulative += s.counts[i] ?? 0;
      out += line(`${name}_bucket`, { ...s.labels, le }, cumulative);
    });
    out += line(`${name}_sum`, s.labels, s.sum);
    out += line(`${name}_count`, s.labels, cumulative);
  }
  return out;
}
