import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { requirement } from './require.ts';

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Flags that keep headless Chromium quiet on a closed network (see STACK.md). */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Debian's Chromium driven by playwright-core; undefined (suite skipped) when it is not installed. */
export async function launchChromium(): Promise<Browser | undefined> {
  if (
    !requirement(
      existsSync(CHROME_PATH),
      `Chromium at ${CHROME_PATH}`,
      'run `npm test` as root to install it, or `apt-get install -y chromium`, or set CHROME_PATH',
    )
  ) {
    return undefined;
  }
  return chromium.launch({ executablePath: CHROME_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * A persistent Chromium profile (what installability checks need: an incognito-like context
 * reports `in-incognito`); undefined when Chromium is not installed. Close the context to end it.
 */
export async function launchPersistentChromium(
  userDataDir: string,
  options: Parameters<typeof chromium.launchPersistentContext>[1] = {},
): Promise<BrowserContext | undefined> {
  if (
    !requirement(
      existsSync(CHROME_PATH),
      `Chromium at ${CHROME_PATH}`,
      'run `npm test` as root to install it, or `apt-get install -y chromium`, or set CHROME_PATH',
    )
  ) {
    return undefined;
  }
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROME_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    ...options,
  });
}
