import { ApiError } from '../../../shared/protocol/index.ts';

/** Where a CLI talks to TinySphere: flags first, then TINYSPHERE_URL / TINYSPHERE_TOKEN. */
export interface Remote {
  url: string;
  token: string | undefined;
}

export function remote(flags: { server?: string | undefined; token?: string | undefined }, env = process.env): Remote {
  const url = (flags.server ?? env.TINYSPHERE_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  return { url, token: flags.token ?? env.TINYSPHERE_TOKEN };
}

/** Exit codes scripts can rely on (README, CLI section). */
export const EXIT = { ok: 0, apiError: 1, usage: 2, unreachable: 3, unauthorized: 4, notFound: 5 } as const;

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof ApiError)) return EXIT.apiError;
  if (err.status === 0) return EXIT.unreachable;
  if (err.status === 401 || err.status === 403) return EXIT.unauthorized;
  if (err.status === 404) return EXIT.notFound;
  return EXIT.apiError;
}

export class UsageError extends Error {}
