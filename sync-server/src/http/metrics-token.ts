import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * METRICS_TOKEN guards /metrics apart from the API's tokens: a scraper gets one static secret and
 * no role. Unset, /metrics stays public. Digests are compared so the check takes the same time
 * whatever the length or prefix of the guess.
 */
export function assertMetricsToken(expected: string | undefined, authorization: string): void {
  if (expected === undefined) return;
  if (!authorization) throw HttpError.of('unauthorized', '/metrics needs `Authorization: Bearer <METRICS_TOKEN>`');
  const match = /^Bearer (\S+)$/.exec(authorization);
  if (!match) throw HttpError.of('unauthorized', 'the Authorization header must be `Bearer <METRICS_TOKEN>`');
  if (!timingSafeEqual(digest(match[1]!), digest(expected)))
    throw HttpError.of('unauthorized', 'the bearer token is not the METRICS_TOKEN');
}
