import { createRng, shuffleInPlace } from '../../../../shared/random/prng.ts';
import { csvRows } from './csv.ts';

/**
 * The bundled demo stream: the demo model's dataset (Seattle daily weather) replayed row by row.
 * Normal play replays the days of 2015, the year the model never saw, in a fixed shuffled order:
 * day by day in calendar order the seasons themselves are drift against a profile of whole years
 * (January alone alarms the temperature monitors within a few weeks), and the point of the demo is
 * a quiet stream until drift is injected. Injection swaps in data unlike the training years:
 * winter days only, or every day 10 °C warmer — both move the temperatures far from the
 * reference profile, so the drift monitors fire.
 */
export const DEMO_FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'] as const;
export const HOLDOUT_YEAR = '2015';

export type DriftInjection = 'none' | 'winter' | 'heat';
export const DRIFT_INJECTIONS: Record<DriftInjection, string> = {
  none: 'off — 2015 as it was',
  winter: 'winter days only (Dec–Feb)',
  heat: 'heat wave (+10 °C)',
};
const HEAT_OFFSET = 10;

export interface DemoRow {
  date: string;
  /** What the day's weather really was (the label the model never sees). */
  actual: string;
  features: Record<(typeof DEMO_FEATURES)[number], number>;
}

export class DemoStream {
  private readonly holdout: DemoRow[];
  private readonly winter: DemoRow[];
  private i = 0;
  injection: DriftInjection = 'none';

  constructor(csvText: string) {
    const t = csvRows(csvText, DEMO_FEATURES);
    const rows = t.rows.map((r, k) => ({
      date: t.extra[k]!.date ?? '',
      actual: t.extra[k]!.weather ?? '',
      features: r as DemoRow['features'],
    }));
    this.holdout = shuffled(rows.filter((r) => r.date.startsWith(HOLDOUT_YEAR)));
    this.winter = shuffled(rows.filter((r) => /-(12|01|02)-/.test(r.date)));
    if (!this.holdout.length || !this.winter.length) throw new Error('the demo dataset has no 2015 or no winter rows');
  }

  /** Whether a model takes this stream: it needs exactly the demo's features, by name. */
  static fits(features: readonly string[] | undefined): boolean {
    return !!features && features.length === DEMO_FEATURES.length && DEMO_FEATURES.every((f) => features.includes(f));
  }

  /** The next row, looping; the injection applies from the next row on. */
  next(): DemoRow {
    const source = this.injection === 'winter' ? this.winter : this.holdout;
    const row = source[this.i++ % source.length]!;
    if (this.injection !== 'heat') return row;
    const f = row.features;
    return { ...row, features: { ...f, temp_max: f.temp_max + HEAT_OFFSET, temp_min: f.temp_min + HEAT_OFFSET } };
  }
}

/** Shuffled with a fixed seed: the same order on every device and run. */
function shuffled<T>(xs: T[], seed = 2015): T[] {
  return shuffleInPlace([...xs], createRng(seed));
}

/** The bundled CSV text (a lazily loaded chunk). */
export async function bundledDemoCsv(): Promise<string> {
  return (await import('./demo-data.ts')).SEATTLE_WEATHER_CSV;
}
