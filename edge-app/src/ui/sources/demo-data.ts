/**
 * The demo model's dataset bundled into the app (48 KB, a lazily loaded chunk the service worker
 * precaches), so the demo stream runs offline. Vite only (`?raw`); tests pass the text themselves.
 */
import csv from '../../../../node_modules/vega-datasets/data/seattle-weather.csv?raw';

export const SEATTLE_WEATHER_CSV: string = csv;
