/**
 * The demo model's dataset bundled into the app (48 KB, a lazily loaded chunk the service worker
 * precaches), so the demo stream runs offline. Vite only (`?raw`); tests pass the text themselves.
 * The path is shared/demo/dataset.ts's SEATTLE_WEATHER_FILE under node_modules, spelt out because an
 * import specifier must be a literal (and a bare one would meet the package's exports map, which hides data/).
 */
import csv from '../../../../node_modules/vega-datasets/data/seattle-weather.csv?raw';

export const SEATTLE_WEATHER_CSV: string = csv;
