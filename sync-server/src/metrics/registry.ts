import { counterFamily, histogramFamily, type Labels } from './exposition.ts';

/** Prometheus' default buckets, in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Counter {
  labels: Labels;
  value: number;
}

interface Histogram {
  labels: Labels;
  counts: number[];
  sum: number;
}

/**
 * Request counts and durations of this process only: each instance behind a load balancer exposes
 * its own and Prometheus sums them. Labels use the route pattern, never the URL, so the number of
 * series stays bounded by the number of routes.
 */
export class HttpMetrics {
  private readonly requests = new Map<string, Counter>();
  private readonly durations = new Map<string, Histogram>();
  private readonly sources: (() => string)[] = [];

  /** More of this process's metrics (e.g. load shedding), appended to render()'s text. */
  addSource(render: () => string): void {
    this.sources.push(render);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = JSON.stringify([method, route, status]);
    let c = this.requests.get(key);
    if (!c) this.requests.set(key, (c = { labels: { method, route, status: String(status) }, value: 0 }));
    c.value += 1;

    const hKey = JSON.stringify([method, route]);
    let h = this.durations.get(hKey);
    if (!h)
      this.durations.set(
        hKey,
        (h = { labels: { method, route }, counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0 }),
      );
    const i = DURATION_BUCKETS.findIndex((b) => seconds <= b);
    const bucket = i === -1 ? DURATION_BUCKETS.length : i;
    h.counts[bucket] = (h.counts[bucket] ?? 0) + 1;
    h.sum += seconds;
  }

  render(): string {
    return (
      counterFamily('tinysphere_http_requests_total', 'HTTP requests answered by this process.', [
        ...this.requests.values(),
      ]) +
      histogramFamily(
        'tinysphere_http_request_duration_seconds',
        'Time to answer HTTP requests in this process.',
        [...this.durations.values()].map((h) => ({ ...h, bounds: DURATION_BUCKETS })),
      ) +
      this.sources.map((render) => render()).join('')
    );
  }
}
