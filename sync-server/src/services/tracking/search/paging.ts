import { Invalid } from '../../errors.ts';

export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_MAX_RESULTS_THRESHOLD = 50_000;

/** MLflow's page token: base64 of {"offset": n}. Clients treat it as opaque. */
export function pageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

export function pageOffset(token: string | undefined): number {
  if (!token) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw new Invalid(`Invalid page token '${token}'`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    throw new Invalid(`Invalid page token '${token}'`);
  return offset;
}

export function checkMaxResults(maxResults: number): void {
  if (!Number.isSafeInteger(maxResults) || maxResults < 1) {
    throw new Invalid(
      `Invalid value for request parameter max_results. It must be a positive integer, but got ${maxResults}`,
    );
  }
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw new Invalid(
      `Invalid value for request parameter max_results. It must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}, but got value ${maxResults}`,
    );
  }
}

/** Fetching one row more than the page tells whether another page exists. */
export function page<T>(rows: T[], offset: number, maxResults: number): { items: T[]; next_page_token?: string } {
  if (rows.length <= maxResults) return { items: rows };
  return { items: rows.slice(0, maxResults), next_page_token: pageToken(offset + maxResults) };
}
