import { DeviceHealthSchema, type CpuPressure, type DeviceHealth } from '../../../../shared/documents/health.ts';
import { defaultResourceProbe, type ResourceProbe } from './resources.ts';

/**
 * The device's health for `reported.health` (shared/documents/health.ts): what the resource probe
 * measures, plus CPU pressure, uptime, app version and browser. Called once per sync exchange by
 * the SyncEngine, so the probe's slow calls (storage estimate, battery) never touch inference.
 */
export type HealthProvider = () => Promise<DeviceHealth | undefined>;

export interface HealthOptions {
  /** Default: the platform's probe, without the expensive measureUserAgentSpecificMemory. */
  probe?: ResourceProbe;
  appVersion?: string;
  /** Epoch ms the app started; default: the page's time origin (browser) or the process start (Node). */
  startedAt?: number;
  /** Latest CPU pressure; default: a PressureObserver where the platform has one. */
  cpuPressure?: () => CpuPressure | undefined;
  /** Short browser name and version; default: read from the user agent (or `node <version>`). */
  browser?: string;
  now?: () => number;
}

interface PressureRecordLike {
  state: string;
}
type PressureObserverCtor = new (
  cb: (records: PressureRecordLike[]) => void,
) => { observe(source: 'cpu'): Promise<void> };

/**
 * Keeps the latest CPU pressure state (Compute Pressure API, Chromium 125+ in windows and
 * workers). Undefined where the API is missing or refuses (a permissions policy may block it).
 */
export function watchCpuPressure(): () => CpuPressure | undefined {
  const Ctor = (globalThis as { PressureObserver?: PressureObserverCtor }).PressureObserver;
  let latest: CpuPressure | undefined;
  if (!Ctor) return () => undefined;
  try {
    const observer = new Ctor((records) => {
      const state = records.at(-1)?.state;
      if (state === 'nominal' || state === 'fair' || state === 'serious' || state === 'critical') latest = state;
    });
    observer.observe('cpu').catch(() => undefined);
  } catch {
    // Not allowed here (permissions policy, insecure context): no pressure, the rest still reports.
  }
  return () => latest;
}

/** 'Chrome 131', 'Firefox 133', 'Safari 18', 'Edg 131' from a user agent; 'node 20.20.0' in Node. */
export function shortBrowser(
  userAgent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent,
): string | undefined {
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (!userAgent || userAgent.startsWith('Node.js')) return node ? `node ${node}` : undefined;
  // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
  for (const [name, re] of [
    ['Edge', /Edg\/(\d+)/],
    ['Opera', /OPR\/(\d+)/],
    ['Firefox', /Firefox\/(\d+)/],
    ['Chrome', /(?:HeadlessChrome|Chrome|Chromium)\/(\d+)/],
    ['Safari', /Version\/(\d+)[\d.]* .*Safari/],
  ] as const) {
    const m = re.exec(userAgent);
    if (m) return `${name} ${m[1]}`;
  }
  return userAgent.slice(0, 60);
}

function defaultStartedAt(): number {
  const proc = (globalThis as { process?: { uptime?: () => number } }).process;
  if (typeof document === 'undefined' && proc?.uptime) return Date.now() - proc.uptime() * 1000;
  return globalThis.performance?.timeOrigin ?? Date.now();
}

/** A probe that hangs (a stuck storage estimate) must not hold the exchange up. */
const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error('health probe timed out')), ms)),
  );
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const whole = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? undefined : Math.max(0, Math.round(n));
const clamp = (n: number | undefined, max: number) =>
  n === undefined || !Number.isFinite(n) ? undefined : Math.min(max, Math.max(0, n));

/**
 * A HealthProvider for this platform. Values are rounded and clamped into the schema's bounds, and
 * absent ones left out (Automerge stores no `undefined`); a probe failure reports what is left.
 */
export function healthProvider(options: HealthOptions = {}): HealthProvider {
  const probe = options.probe ?? defaultResourceProbe({ uaMemoryEveryMs: Number.POSITIVE_INFINITY });
  const pressure = options.cpuPressure ?? watchCpuPressure();
  const startedAt = options.startedAt ?? defaultStartedAt();
  const browser = options.browser ?? shortBrowser();
  const now = options.now ?? Date.now;
  return async () => {
    const r = await withTimeout(probe(), PROBE_TIMEOUT_MS).catch(() => ({}) as Awaited<ReturnType<ResourceProbe>>);
    const t = now();
    const raw: Record<string, unknown> = {
      storageUsedBytes: whole(r.storageUsageBytes),
      storageQuotaBytes: whole(r.storageQuotaBytes),
      heapUsedBytes: whole(r.jsHeapUsedBytes),
      heapLimitBytes: whole(r.jsHeapLimitBytes),
      batteryLevel: clamp(r.batteryLevel, 1),
      charging: r.charging,
      networkType: r.network?.effectiveType?.slice(0, 20),
      rttMs: clamp(r.network?.rttMs, 600_000),
      downlinkMbps: clamp(r.network?.downlinkMbps, 100_000),
      cpuPressure: pressure(),
      uptimeSec: whole(clamp((t - startedAt) / 1000, 10 * 365 * 86_400)),
      appVersion: options.appVersion?.slice(0, 100),
      browser: browser?.slice(0, 60),
      measuredAt: new Date(t).toISOString(),
    };
    const parsed = DeviceHealthSchema.safeParse(
      Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
    );
    return parsed.success ? parsed.data : undefined;
  };
}
