/**
 * Calls a user callback from the inference path. A throwing callback is reported the way the
 * platform reports an uncaught listener error (reportError / a rethrow on a microtask) instead of
 * failing the inference that triggered it.
 */
export function callSafely<T>(fn: ((arg: T) => void) | undefined, arg: T): void {
  if (!fn) return;
  try {
    fn(arg);
  } catch (err) {
    const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
    if (report) report(err);
    else
      queueMicrotask(() => {
        throw err;
      });
  }
}
