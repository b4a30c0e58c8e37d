// The pages build downloads with the shared writer, reached through this module with `download`.
export { toCsv } from '../../../shared/csv/writer.ts';

/** Saves text as a file through a temporary link. */
export function download(filename: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
