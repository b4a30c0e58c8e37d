import type { BrowserContext, ConsoleMessage } from 'playwright-core';

/**
 * Collects every Content-Security-Policy violation pages of `context` report: the page's
 * `securitypolicyviolation` events (an init script, so none is missed before the app starts) and
 * Chromium's console reports of blocked loads, evals and worker scripts (workers included), into
 * `violations` (a test's error list, say), which is returned.
 */
export async function watchCspViolations(context: BrowserContext, violations: string[] = []): Promise<string[]> {
  await context.exposeBinding('__reportCspViolation', (_source, text: string) => void violations.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation(t: string): void }).__reportCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  const onConsole = (m: ConsoleMessage) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  };
  context.on('console', onConsole);
  return violations;
}
