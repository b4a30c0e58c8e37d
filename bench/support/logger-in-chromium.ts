import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../testing/chromium.ts';

/**
 * Runs edge-app/test/bench/logger-throughput.ts in Debian's Chromium: bundled by esbuild, served
 * from a loopback origin (IndexedDB needs a real one), driven by playwright-core.
 */
export async function chromiumLoggerThroughput(n: number): Promise<Record<string, number> | null> {
  const browser = await launchChromium();
  if (!browser) return null;
  const bundle = await build({
    stdin: {
      contents: `import { measureLoggerThroughput } from './edge-app/test/bench/logger-throughput.ts'; globalThis.measureLoggerThroughput = measureLoggerThroughput;`,
      resolveDir: fileURLToPath(new URL('../../', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><script type="module" src="/bench.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'measureLoggerThroughput' in globalThis);
    // One short run first: the JIT and IndexedDB's files warm up.
    await page.evaluate(() =>
      (globalThis as unknown as { measureLoggerThroughput(n: number): Promise<unknown> }).measureLoggerThroughput(
        10_000,
      ),
    );
    return await page.evaluate(
      (count) =>
        (
          globalThis as unknown as { measureLoggerThroughput(n: number): Promise<Record<string, number>> }
        ).measureLoggerThroughput(count),
      n,
    );
  } finally {
    await browser.close();
    server.close();
  }
}
