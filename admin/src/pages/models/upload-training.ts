/**
 * The training CSV chosen in the upload form, read in the browser with the project's own CSV
 * reader and profile code (shared/csv, shared/drift/profile) — the same code the server runs on
 * the file it receives, so the preview shows what the server will store. The file is streamed,
 * never read whole.
 */
import { CsvError, CsvReader } from '../../../../shared/csv/reader.ts';
import { decodeUtf8, profileFromCsv } from '../../../../shared/drift/profile/csv-profile.ts';
import type { ReferenceProfile } from '../../../../shared/drift/profile/schema.ts';

/** The file's bytes as chunks, from the start, each time it is called. */
async function* chunks(file: Blob): AsyncIterable<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** A header longer than this is not a CSV header anyone would want to pick features from. */
const HEADER_BYTES = 1 << 20;

/** The CSV's column names: its first record, read from the first megabyte at most. */
export async function csvHeader(file: Blob): Promise<string[]> {
  let header: string[] | undefined;
  const reader = new CsvReader(
    () => {},
    (h) => (header = h),
  );
  const text = await file.slice(0, HEADER_BYTES).text();
  // Fed in pieces until the reader has the header; a problem in a later record is not the header's.
  try {
    for (let i = 0; i < text.length && !header; i += 4096) reader.push(text.slice(i, i + 4096));
    if (!header) reader.end();
  } catch (err) {
    if (!header) throw err;
  }
  if (!header) throw new CsvError('the file has no header line');
  return header;
}

/** The reference profile of the training CSV for the declared features (and the label column's classes). */
export function trainingProfile(
  file: Blob,
  features: readonly string[],
  labelColumn: string | undefined,
): Promise<ReferenceProfile> {
  return profileFromCsv(() => decodeUtf8(chunks(file)), { features, ...(labelColumn ? { labelColumn } : {}) });
}
