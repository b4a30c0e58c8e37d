// Browser tests: real Chromium (Debian's, never a downloaded one), TypeScript through esbuild.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

/**
 * Tests import node:test and node:assert/strict in Node and in the browser alike; here those two
 * resolve to small stand-ins on mocha (testing/browser/), so one file can run in both.
 */
const NODE_MODULES_IN_BROWSER = {
  'node:test': '/testing/browser/node-test.ts',
  'node:assert/strict': '/testing/browser/assert.ts',
};
const nodeTestInBrowser = {
  name: 'node-test-in-browser',
  resolveImport: ({ source }) => NODE_MODULES_IN_BROWSER[source],
};

export default {
  files: [
    'edge-app/**/*.browser.test.ts',
    'admin/**/*.browser.test.ts',
    'shared/**/*.browser.test.ts',
    '!**/node_modules/**',
  ],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  concurrency: 1,
  testFramework: { config: { timeout: 20000 } },
  browserStartTimeout: 60000,
  testsFinishTimeout: 180000,
  plugins: [
    nodeTestInBrowser,
    // The base config, not tsconfig.json: the plugin hands esbuild the file's text, and esbuild does not follow
    // `extends`, so from tsconfig.json it would miss useDefineForClassFields: false, and a Lit element's class
    // fields would shadow its reactive properties (an assignment then renders nothing).
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.base.json' }),
  ],
  middleware: [
    // As TinySphere serves the apps: cross-origin isolated, so workers get SharedArrayBuffer and threads.
    async (ctx, next) => {
      ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
      ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
      ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
      await next();
    },
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: [
          '--headless=new',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-dev-shm-usage',
        ],
      },
    }),
  ],
};
