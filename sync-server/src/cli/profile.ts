/**
 * `tinysphere profile build TRAIN.csv --features a,b,c [--label-column L] --out profile.json`: the
 * reference profile the server would build from a training CSV, offline (same shared code). The CSV
 * streams from disk, so its size is bounded by the disk, not by memory.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CsvError } from '../../../shared/csv/reader.ts';
import { decodeUtf8, profileFromCsv, ProfileInputError } from '../../../shared/drift/profile/index.ts';
import { UsageError, type Command } from '../../../shared/cli/command.ts';

const USAGE = `tinysphere profile build TRAIN.csv (--features "a,b,c" | --metadata META.json) [--label-column COL] [--out PROFILE.json]
  --features      the model's feature names in input order, comma-separated (or "features" of META.json)
  --label-column  a column of true labels: it makes the class distribution
  --out           where to write the profile (default: standard output)`;

const say = (s: string) => process.stderr.write(`tinysphere profile: ${s}\n`);

async function featuresOf(values: { features?: string | undefined; metadata?: string | undefined }): Promise<string[]> {
  if (values.features !== undefined) {
    const names = values.features
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!names.length) throw new UsageError('--features names no feature');
    return names;
  }
  if (values.metadata !== undefined) {
    let meta: unknown;
    try {
      meta = JSON.parse(await readFile(values.metadata, 'utf8'));
    } catch (err) {
      throw new UsageError(`cannot read ${values.metadata}: ${(err as Error).message}`);
    }
    const features = (meta as { features?: unknown }).features;
    if (!Array.isArray(features) || !features.every((f) => typeof f === 'string'))
      throw new UsageError(`${values.metadata} has no "features" list of names`);
    return features as string[];
  }
  throw new UsageError('name the features: --features "a,b,c" or --metadata META.json');
}

async function build(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      features: { type: 'string' },
      metadata: { type: 'string' },
      'label-column': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const [file, ...extra] = positionals;
  if (!file || extra.length) throw new UsageError('build needs exactly one TRAIN.csv');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`cannot read ${file}: no such file`);
  const features = await featuresOf(values);
  const label = values['label-column'];
  let last = Date.now();
  const profile = await profileFromCsv(() => decodeUtf8(createReadStream(file, { highWaterMark: 256 * 1024 })), {
    features,
    ...(label ? { labelColumn: label } : {}),
    onProgress: ({ pass, rows }) => {
      if (Date.now() - last < 2000) return;
      last = Date.now();
      say(`pass ${pass} of 2: ${rows.toLocaleString('en')} rows`);
    },
  }).catch((err: unknown) => {
    if (err instanceof ProfileInputError || err instanceof CsvError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  });
  const json = JSON.stringify(profile, null, 2);
  if (values.out) {
    await writeFile(values.out, `${json}\n`);
    say(
      `${profile.rows} rows, ${profile.features.length} features${profile.classes ? `, ${profile.classes.labels.length} classes` : ''} → ${values.out}`,
    );
  } else process.stdout.write(`${json}\n`);
  return 0;
}

export const profile: Command = {
  summary: 'Build a reference profile from a training CSV, offline.',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub !== 'build') throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is needed: build');
      return await build(rest);
    } catch (err) {
      if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`tinysphere profile: ${(err as Error).message}\nusage: ${USAGE}\n`);
        return 2;
      }
      throw err;
    }
  },
};
