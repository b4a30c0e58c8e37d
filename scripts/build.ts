/**
 * Builds the two web apps (Vite) and the PWA's service worker (esbuild + Workbox's injectManifest)
 * into dist/. Skips the work when nothing that goes into them changed since the last build
 * (a hash of the inputs is kept in dist/.build-hash); `--force` rebuilds anyway.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as vite, type InlineConfig } from 'vite';
import { injectManifest } from 'workbox-build';
import { writeIconsAndManifest } from './icons.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const HASH_FILE = path.join(DIST, '.build-hash');
const INPUTS = ['edge-app', 'admin', 'shared', 'public', 'scripts/build.ts', 'scripts/icons.ts', 'package-lock.json'];
const PKG_VERSION = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

async function* files(p: string): AsyncGenerator<string> {
  const full = path.join(ROOT, p);
  let entries;
  try {
    entries = await readdir(full, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return yield p;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name === 'node_modules' || e.name.endsWith('.test.ts') || e.name === 'test') continue;
    yield* files(path.join(p, e.name));
  }
}

export async function inputHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for await (const file of files(input)) {
      hash
        .update(file)
        .update('\0')
        .update(await readFile(path.join(ROOT, file)))
        .update('\0');
    }
  }
  return hash.digest('hex');
}

function appConfig(app: 'edge-app' | 'admin', base: string, version: string): InlineConfig {
  return {
    configFile: false,
    root: path.join(ROOT, app),
    base,
    publicDir: path.join(ROOT, 'public'),
    logLevel: 'warn',
    build: {
      outDir: path.join(DIST, app),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      chunkSizeWarningLimit: 4096,
    },
    // Both apps use Automerge (shared/documents; the PWA's sync engine, the console's event edits):
    // its browser entry imports its wasm as an ES module, which Vite cannot bundle; the slim build
    // takes the URL explicitly (edge-app/src/app/sync-loader.ts, admin/src/docs/device-doc.ts).
    resolve: { alias: [{ find: /^@automerge\/automerge$/, replacement: '@automerge/automerge/slim' }] },
    // The runtime worker is a module worker importing onnxruntime-web and shared code.
    worker: { format: 'es' },
    define: { 'import.meta.env.VITE_APP_VERSION': JSON.stringify(version) },
  };
}

async function buildServiceWorker(): Promise<{ count: number; size: number }> {
  const out = path.join(DIST, 'edge-app', 'sw.js');
  await esbuild({
    entryPoints: [path.join(ROOT, 'edge-app/src/sw.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    outfile: out,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const { count, size, warnings } = await injectManifest({
    swSrc: out,
    swDest: out,
    globDirectory: path.join(DIST, 'edge-app'),
    globPatterns: ['**/*.{html,js,mjs,css,wasm,webmanifest,svg,png,ico,json}'],
    globIgnores: ['sw.js', '**/*.map'],
    // The onnxruntime wasm is ~14 MB; Workbox would silently leave it out under its 2 MB default.
    maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
    // Vite names assets by content hash, so their URL is their revision.
    dontCacheBustURLsMatching: /\/assets\//,
  });
  for (const w of warnings) console.warn(`[build] workbox: ${w}`);
  return { count, size };
}

export async function build(force = false): Promise<boolean> {
  const hash = await inputHash();
  const previous = await readFile(HASH_FILE, 'utf8').catch(() => '');
  if (!force && previous === hash) return false;
  const started = performance.now();
  await rm(HASH_FILE, { force: true });
  const version = `${PKG_VERSION}+${hash.slice(0, 8)}`;
  await vite(appConfig('edge-app', '/', version));
  await writeIconsAndManifest(path.join(DIST, 'edge-app'), version);
  await vite(appConfig('admin', '/admin/', version));
  const sw = await buildServiceWorker();
  await mkdir(DIST, { recursive: true });
  await writeFile(HASH_FILE, hash);
  console.log(
    `[build] web apps built in ${((performance.now() - started) / 1000).toFixed(1)} s; service worker precaches ${sw.count} files (${(sw.size / 1e6).toFixed(1)} MB)`,
  );
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const force = process.argv.includes('--force');
  build(force).then(
    (built) => {
      if (!built) console.log('[build] web apps are up to date');
    },
    (err: unknown) => {
      console.error('[build] failed:', err);
      process.exit(1);
    },
  );
}
