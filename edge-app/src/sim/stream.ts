import { readFile } from 'node:fs/promises';
import { Xoshiro128 } from '../../../shared/random/prng.ts';
import { seattleWeatherCsvUrl } from '../../../shared/demo/dataset.ts';
import { parseSeattleWeather, RAW_FEATURES, type WeatherRow } from '../../../shared/demo/seattle-weather.ts';
import type { TabularRow } from '../lcm/index.ts';

/**
 * The demo model's real data: every Seattle day of 2012–2015. Not 2015 alone: it was a warm year,
 * and a stream of it drifts from the training years enough that the detectors sometimes flag it
 * (2 of 30 seeded streams of 150 records did; 0 of 30 drawn from all four years).
 */
export async function loadWeatherRows(): Promise<WeatherRow[]> {
  return parseSeattleWeather(await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8'));
}

/**
 * The injected drift: a heat wave 15 °C above anything of the season — about two standard
 * deviations of the training temperatures, which the on-device feature detectors (EWMA on the
 * profile-normalised value) flag within about ten records.
 */
export const HEAT_WAVE_C = 15;

/**
 * A device's stream of `total` records: real days drawn at random (seeded) — a stationary
 * stream, where the days in calendar order would make the seasons themselves look like drift — and
 * from record ⌊driftAt·total⌋ on, the same kind of days with the heat wave added. driftAt ≥ 1: no drift.
 */
export class WeatherStream {
  private readonly rng: Xoshiro128;
  private i = 0;
  readonly shiftAt: number;

  constructor(
    private readonly rows: readonly WeatherRow[],
    readonly total: number,
    driftAt: number,
    seed: number,
  ) {
    this.rng = new Xoshiro128(seed);
    this.shiftAt = Math.floor(driftAt * total);
  }

  /** Records handed out so far. */
  get position(): number {
    return this.i;
  }

  get done(): boolean {
    return this.i >= this.total;
  }

  next(): TabularRow {
    const row = this.rows[Math.floor(this.rng.nextFloat() * this.rows.length)]!;
    const shift = this.i++ >= this.shiftAt ? HEAT_WAVE_C : 0;
    const out: Record<string, number> = {};
    for (const f of RAW_FEATURES) out[f] = row[f];
    return { ...out, temp_max: row.temp_max + shift, temp_min: row.temp_min + shift };
  }
}
