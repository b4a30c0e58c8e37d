import type { FleetService } from '../fleet/index.ts';
import { fleetMetrics } from '../fleet/metrics.ts';

/** GET /metrics: the fleet's gauges and this process's request metrics, in Prometheus text format. */
export class ScrapeService {
  constructor(
    /** METRICS_TOKEN: when set, a scrape must present it (checked by the route). */
    readonly token: string | undefined,
    private readonly fleet: Pick<FleetService, 'snapshot'>,
    /** This process's request metrics (HttpMetrics). */
    private readonly http: { render(): string },
  ) {}

  async render(): Promise<string> {
    const fleet = fleetMetrics(await this.fleet.snapshot());
    return fleet + this.http.render();
  }
}
