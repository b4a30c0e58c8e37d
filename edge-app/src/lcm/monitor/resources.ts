import type { ResourceSample } from '../types.ts';

/**
 * Reads what the platform exposes about resources. Every field is optional: a probe fills what
 * its platform offers and leaves out the rest. Called at most every few seconds, never per
 * inference (some of these calls are slow: measureUserAgentSpecificMemory waits for a GC).
 */
export type ResourceProbe = () => Promise<Omit<ResourceSample, 'ts'>>;

interface ChromeMemory {
  usedJSHeapSize: number;
  totalJSHeapSize: number;
  jsHeapSizeLimit: number;
}
interface NetworkInformationLike {
  effectiveType?: string;
  downlink?: number;
  rtt?: number;
  saveData?: boolean;
}
interface BatteryLike {
  level: number;
  charging: boolean;
}
interface NavigatorExtras {
  connection?: NetworkInformationLike;
  getBattery?: () => Promise<BatteryLike>;
  storage?: { estimate?: () => Promise<{ usage?: number; quota?: number }> };
  onLine?: boolean;
}

/**
 * Browser probe (window or worker). `performance.measureUserAgentSpecificMemory()` is used only
 * when the context is cross-origin isolated (the API demands it), and at most every
 * `uaMemoryEveryMs` because it is expensive; `performance.memory` (Chromium's JS heap) otherwise.
 */
export function browserResourceProbe(options: { uaMemoryEveryMs?: number } = {}): ResourceProbe {
  const uaEvery = options.uaMemoryEveryMs ?? 60_000;
  let lastUa = -Infinity;
  return async () => {
    const out: Omit<ResourceSample, 'ts'> = {};
    const perf = globalThis.performance as
      | (Performance & { memory?: ChromeMemory; measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> })
      | undefined;
    const nav = (globalThis as { navigator?: NavigatorExtras }).navigator;
    if (perf?.memory) {
      out.jsHeapUsedBytes = perf.memory.usedJSHeapSize;
      out.jsHeapLimitBytes = perf.memory.jsHeapSizeLimit;
    }
    const tasks: Promise<void>[] = [];
    const now = Date.now();
    if (perf?.measureUserAgentSpecificMemory && globalThis.crossOriginIsolated === true && now - lastUa >= uaEvery) {
      lastUa = now;
      tasks.push(perf.measureUserAgentSpecificMemory().then((m) => void (out.memoryBytes = m.bytes)));
    }
    if (nav?.storage?.estimate) {
      tasks.push(
        nav.storage.estimate().then((e) => {
          if (e.usage !== undefined) out.storageUsageBytes = e.usage;
          if (e.quota !== undefined) out.storageQuotaBytes = e.quota;
        }),
      );
    }
    // Window only: workers have no Battery API.
    if (typeof nav?.getBattery === 'function') {
      tasks.push(
        nav.getBattery().then((b) => {
          out.batteryLevel = b.level;
          out.charging = b.charging;
        }),
      );
    }
    if (nav) {
      const c = nav.connection;
      out.network = {
        ...(typeof nav.onLine === 'boolean' ? { online: nav.onLine } : {}),
        ...(c?.effectiveType !== undefined ? { effectiveType: c.effectiveType } : {}),
        ...(c?.downlink !== undefined ? { downlinkMbps: c.downlink } : {}),
        ...(c?.rtt !== undefined ? { rttMs: c.rtt } : {}),
        ...(c?.saveData !== undefined ? { saveData: c.saveData } : {}),
      };
    }
    // One unavailable source (e.g. a SecurityError) must not hide the others.
    await Promise.allSettled(tasks);
    return out;
  };
}

/** Node probe (CLIs, the fleet simulator): V8 heap and resident set size. */
export function nodeResourceProbe(): ResourceProbe {
  return async () => {
    const proc = (
      globalThis as { process?: { memoryUsage?: () => { heapUsed: number; heapTotal: number; rss: number } } }
    ).process;
    if (!proc?.memoryUsage) return {};
    const m = proc.memoryUsage();
    return { jsHeapUsedBytes: m.heapUsed, jsHeapLimitBytes: m.heapTotal, memoryBytes: m.rss };
  };
}

/** The probe for the current platform: the browser's when there is a navigator with storage, else Node's. */
export function defaultResourceProbe(options: { uaMemoryEveryMs?: number } = {}): ResourceProbe {
  const nav = (globalThis as { navigator?: NavigatorExtras }).navigator;
  const isBrowser =
    typeof (globalThis as { document?: unknown }).document !== 'undefined' || nav?.storage !== undefined;
  return isBrowser ? browserResourceProbe(options) : nodeResourceProbe();
}
