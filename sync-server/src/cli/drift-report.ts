/**
 * `tinysphere drift-report`: compares two CSV files column by column. The computation lives in
 * shared/drift/report (pure); this module only reads files, writes the HTML and prints.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
// Module by module rather than the index, which also loads the zod schemas the CLI does not need.
import { computeDriftReport, DriftInputError } from '../../../shared/drift/report/compute.ts';
import { CsvError, parseCsv, type CsvTable } from '../../../shared/csv/reader.ts';
import { renderDriftReportHtml } from '../../../shared/drift/report/html.ts';
import { renderDriftReportText } from '../../../shared/drift/report/text.ts';
import { UsageError, type Command } from '../../../shared/cli/command.ts';

const NAME = 'tinysphere drift-report';

/** A problem with the input or the options: one line on stderr, exit code 2. */

const IO_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
};

function ioReason(err: unknown): string {
  const code = (err as { code?: string }).code;
  return (code && IO_REASONS[code]) ?? (err as Error).message ?? String(err);
}

async function readTable(path: string): Promise<CsvTable> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${ioReason(err)}`);
  }
  let text: string;
  try {
    // fatal: a binary or wrongly encoded file is refused instead of read as U+FFFD noise.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${path}: not UTF-8 text`);
  }
  try {
    return parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  }
}

function options(args: string[]): { reference: string; current: string; json: boolean; html: string | undefined } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        reference: { type: 'string' },
        current: { type: 'string' },
        json: { type: 'boolean', default: false },
        html: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const missing = (['reference', 'current'] as const).filter((k) => !values[k]);
  if (missing.length > 0)
    throw new UsageError(
      `missing required option${missing.length === 1 ? '' : 's'} ${missing.map((m) => `--${m}`).join(', ')}`,
    );
  if (values.html === '') throw new UsageError('--html needs a file name');
  return { reference: values.reference!, current: values.current!, json: values.json ?? false, html: values.html };
}

async function run(args: string[]): Promise<number> {
  const opts = options(args);
  const [reference, current] = await Promise.all([readTable(opts.reference), readTable(opts.current)]);
  let report;
  try {
    report = computeDriftReport(reference, current, { referenceName: opts.reference, currentName: opts.current });
  } catch (err) {
    if (err instanceof DriftInputError) throw new UsageError(err.message);
    throw err;
  }
  if (opts.html !== undefined) {
    const html = renderDriftReportHtml(report, {
      referenceName: opts.reference,
      currentName: opts.current,
      generatedAt: new Date().toISOString(),
    });
    try {
      await writeFile(opts.html, html);
    } catch (err) {
      throw new UsageError(`cannot write ${opts.html}: ${ioReason(err)}`);
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(renderDriftReportText(report));
    if (opts.html !== undefined) process.stdout.write(`\nHTML report written to ${opts.html}\n`);
  }
  return 0;
}

/** One line, whatever the message holds (parseArgs messages can span lines). */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

export const driftReport: Command = {
  summary:
    'Compare a current CSV with a reference CSV column by column (KS / chi-square up to 1000 reference values, normed Wasserstein / ' +
    'Jensen-Shannon above, as Evidently) and say whether the data drifted.',
  usage: `${NAME} --reference REF.csv --current CUR.csv [--json] [--html OUT.html]`,
  async run(args) {
    try {
      return await run(args);
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`${NAME}: ${oneLine(err.message)}\n`);
        return 2;
      }
      // A bug, not bad input: still one line, no stack trace, but a different exit code.
      process.stderr.write(`${NAME}: internal error: ${oneLine((err as Error)?.message ?? String(err))}\n`);
      return 1;
    }
  },
};
