import { buildProfile } from '../drift/profile/build.ts';
import type { ReferenceProfile } from '../drift/profile/schema.ts';
import { predictWeather, RAW_FEATURES, rawFeatures, type WeatherModel, type WeatherRow } from './seattle-weather.ts';

/**
 * The demo model's reference profile: its training rows (2012–2014) with the model's own predictions
 * and confidences on them — what drift on a device is measured against.
 */
export function demoReferenceProfile(model: WeatherModel, train: readonly WeatherRow[]): ReferenceProfile {
  const rows = train.map((row) => {
    const raw = rawFeatures(row);
    const p = predictWeather(model, raw);
    return {
      ...Object.fromEntries(RAW_FEATURES.map((f, i) => [f, raw[i]])),
      prediction: p.label,
      confidence: Math.max(...p.probabilities),
    };
  });
  return buildProfile(rows, {
    features: RAW_FEATURES.map((name) => ({ name, kind: 'numeric' as const })),
    prediction: 'prediction',
    confidence: 'confidence',
  });
}
