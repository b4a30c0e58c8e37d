import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InvalidOnnxError } from '../../../shared/onnx/reader.ts';
import {
  describeInput,
  formatDims,
  InferenceInputError,
  LcmSession,
  ModelLoadError,
  type Feeds,
  type RunResult,
} from '../lcm/index.ts';
import { nodeOrt } from '../lcm/node.ts';
import { oneLine, UsageError } from '../../../shared/cli/command.ts';
import type { Command } from '../../../shared/cli/command.ts';
import { tensorFromJson, tensorToJson } from './tensor-json.ts';

const NAME = 'tinylcm infer';
const USAGE = `tinylcm infer --model FILE.onnx --input FEEDS.json [--json]
  Runs one inference with the same runtime the device uses (onnxruntime-web's wasm, in Node).
  FEEDS.json: {"<input name>": {"type": "float32"|"int64"|…, "dims": [...], "data": [...]}, …}
  (int64 as JSON numbers or decimal strings; data may be nested). --json prints
  {"outputs": {"<name>": {"type", "dims", "data"}}, "latencyMs": x}; without it, a summary.`;

/** How many values of each output the summary shows. */
const SHOWN = 12;

async function readInput(what: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export async function parseFeeds(file: string): Promise<Feeds> {
  let json: unknown;
  try {
    json = JSON.parse((await readInput('feeds', file)).toString('utf8'));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UsageError(`${file} must hold a JSON object of input name → {"type", "dims", "data"}`);
  }
  const feeds: Feeds = {};
  for (const [name, value] of Object.entries(json)) feeds[name] = tensorFromJson(name, value);
  return feeds;
}

async function loadModel(file: string, bytes: Uint8Array): Promise<LcmSession> {
  try {
    return await LcmSession.create(nodeOrt(), bytes);
  } catch (err) {
    if (err instanceof InvalidOnnxError || err instanceof ModelLoadError)
      throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
}

const plainName = (s: string) => (/^[\w.:/-]+$/.test(s) ? s : JSON.stringify(s));

function summary(model: string, session: LcmSession, result: RunResult): string {
  const warm =
    'ms' in session.warmUp ? `warm-up ${session.warmUp.ms.toFixed(2)} ms` : `no warm-up: ${session.warmUp.skipped}`;
  const lines = [
    `${model}: inputs ${session.inputs.map(describeInput).join(', ')}`,
    `run ${result.latencyMs.toFixed(3)} ms (load ${session.loadMs.toFixed(0)} ms, ${warm})`,
  ];
  const rows = Object.entries(result.outputs).map(([name, t]) => {
    const { data } = tensorToJson(t);
    const shown = data
      .slice(0, SHOWN)
      .map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v));
    const more = data.length > SHOWN ? ` … (${data.length - SHOWN} more)` : '';
    return [
      plainName(name),
      `${t.type} ${formatDims(t.dims)}`,
      `${shown.map((v) => JSON.stringify(v)).join(', ')}${more}`,
    ];
  });
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length));
  for (const r of rows) lines.push(`  ${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]}`);
  return lines.join('\n');
}

export const infer: Command = {
  summary: 'Run one inference of an ONNX model on feeds from a JSON file, with the device runtime.',
  usage: USAGE,
  async run(args) {
    try {
      const { values, positionals } = parseArgs({
        args,
        options: { model: { type: 'string' }, input: { type: 'string' }, json: { type: 'boolean', default: false } },
        allowPositionals: true,
      });
      if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
      if (!values.model) throw new UsageError('--model FILE.onnx is required');
      if (!values.input) throw new UsageError('--input FEEDS.json is required');
      const [bytes, feeds] = await Promise.all([readInput('model', values.model), parseFeeds(values.input)]);
      const session = await loadModel(values.model, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const result = await session.timedRun(feeds);
      await session.release();
      if (values.json) {
        const outputs = Object.fromEntries(Object.entries(result.outputs).map(([name, t]) => [name, tensorToJson(t)]));
        process.stdout.write(`${JSON.stringify({ outputs, latencyMs: result.latencyMs })}\n`);
      } else {
        process.stdout.write(`${summary(values.model, session, result)}\n`);
      }
      return 0;
    } catch (err) {
      const bad =
        err instanceof UsageError ||
        err instanceof InferenceInputError ||
        (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      if (bad) {
        process.stderr.write(`${NAME}: ${oneLine((err as Error).message)}\n`);
        return 2;
      }
      // A bug, not bad input: still one line, but a different exit code.
      process.stderr.write(`${NAME}: internal error: ${oneLine((err as Error)?.message ?? String(err))}\n`);
      return 1;
    }
  },
};
