import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { seattleWeatherCsvUrl } from '../../../../shared/demo/dataset.ts';
import { demoReferenceProfile } from '../../../../shared/demo/profile.ts';
import { buildDemoModel, splitByYear, parseSeattleWeather } from '../../../../shared/demo/seattle-weather.ts';
import type { Db } from '../../store/db/index.ts';
import type { RegistryService } from './registry.ts';
import { stage } from './staging.ts';

export const DEMO_MODEL = 'seattle-weather';

/**
 * Registers the demo classifier (trained here, from the shipped dataset, to the same bytes every
 * time) as `seattle-weather` v1 with alias `champion` — once, on the first start of an empty
 * registry, so a new user sees the whole system work without a model of their own. Claiming the
 * `demo` row is atomic, so of several instances starting together only one registers it.
 */
export async function registerDemoModel(
  db: Db,
  registry: RegistryService,
  logger: Logger,
  stagingDir: string,
): Promise<boolean> {
  const empty = await db.query('SELECT 1 FROM registered_models LIMIT 1');
  if (empty.rowCount) return false;
  const claimed = await db.query(
    `INSERT INTO server_state (key, value) VALUES ('demo', jsonb_build_object('at', now())) ON CONFLICT (key) DO NOTHING RETURNING key`,
  );
  if (!claimed.rowCount) return false;
  const started = performance.now();
  const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
  const { onnx, model, metadata } = buildDemoModel(csv);
  const referenceProfile = demoReferenceProfile(model, splitByYear(parseSeattleWeather(csv)).train);
  const file = await stage(Readable.from([Buffer.from(onnx)]), onnx.length, stagingDir);
  try {
    const { name: _name, ...rest } = metadata;
    const v = await registry.registerVersion({
      name: DEMO_MODEL,
      file,
      metadata: {
        ...rest,
        description: 'Demo: Seattle daily weather class from precipitation, temperatures and wind',
        tags: { demo: 'true' },
        referenceProfile: referenceProfile as unknown as Record<string, unknown>,
      },
      createdBy: 'demo',
    });
    await registry.setAlias(DEMO_MODEL, 'champion', v.version, 'demo');
    await registry.updateModel(DEMO_MODEL, {
      description: 'Demo classifier trained by TinySphere on vega-datasets seattle-weather (NOAA)',
      tags: { demo: 'true' },
    });
    logger.info(
      {
        model: DEMO_MODEL,
        version: v.version,
        sha256: v.sha256,
        holdoutAccuracy: metadata.training.accuracy,
        ms: Math.round(performance.now() - started),
      },
      'demo model registered',
    );
    return true;
  } finally {
    await file.remove();
  }
}
