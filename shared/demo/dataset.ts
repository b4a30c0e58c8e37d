// The demo model's dataset: one file of the vega-datasets npm package. Node code reads it from
// new URL(seattleWeatherCsvUrl(import.meta.resolve)); the PWA bundles it through Vite
// (edge-app/src/ui/sources/demo-data.ts, whose import specifier must be a literal) and the browser
// tests fetch it from the node_modules the test server serves.

/** The file, as a path inside node_modules. */
export const SEATTLE_WEATHER_FILE = 'vega-datasets/data/seattle-weather.csv';

/**
 * The file's URL (href) in the installed package, found with the caller's module resolver (Node's
 * `import.meta.resolve`; shared/ itself sees no Node API). vega-datasets' exports map hides data/,
 * so the file is found beside the package's resolved entry point, wherever npm put the package,
 * instead of by climbing relative paths.
 */
export function seattleWeatherCsvUrl(resolve: (specifier: string) => string): string {
  const pkg = SEATTLE_WEATHER_FILE.slice(0, SEATTLE_WEATHER_FILE.indexOf('/'));
  const entry = resolve(pkg);
  const dir = `/node_modules/${pkg}/`;
  const at = entry.lastIndexOf(dir);
  if (at < 0) throw new Error(`${pkg} resolved outside node_modules: ${entry}`);
  return entry.slice(0, at) + dir + SEATTLE_WEATHER_FILE.slice(pkg.length + 1);
}
