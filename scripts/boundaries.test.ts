// The checks of npm test's static step catch what they are for: each import rule fires on a file
// that breaks it (and only on such files), and shared/'s own compiler settings refuse DOM and Node
// APIs while allowing the web platform's common subset.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cruise, type IFlattenedRuleSet } from 'dependency-cruiser';
import { TYPESCRIPT } from './typecheck.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = path.join(ROOT, TYPESCRIPT);
const rules: IFlattenedRuleSet & { forbidden: { name: string }[] } = createRequire(import.meta.url)(
  path.join(ROOT, '.dependency-cruiser.cjs'),
);

/** For every rule: a file that breaks it, importing a file that exists. */
const BREAKS: Record<string, [from: string, to: string]> = {
  'shared-is-pure': ['shared/drift/x.ts', 'edge-app/src/lcm/tinylcm.ts'],
  'edge-library-has-no-screens': ['edge-app/src/lcm/x.ts', 'edge-app/src/ui/screens/live-screen.ts'],
  'edge-and-server-meet-over-http': ['edge-app/test/x.test.ts', 'sync-server/src/store/db/pglite.ts'],
  'console-uses-only-shared': ['admin/src/pages/x.ts', 'edge-app/src/lcm/tinylcm.ts'],
  'routes-reach-storage-through-services': ['sync-server/src/routes/x.ts', 'sync-server/src/store/db/index.ts'],
  'adapters-know-no-business-logic': ['sync-server/src/store/db/x.ts', 'sync-server/src/services/auth.ts'],
  'services-speak-no-http': ['sync-server/src/services/x.ts', 'sync-server/src/http/errors.ts'],
  'not-to-test-code': ['sync-server/src/services/y.ts', 'testing/server-process.ts'],
  'apps-use-the-library-surface': ['edge-app/src/sim/x.ts', 'edge-app/src/lcm/logger/logger.ts'],
};
/** Further breaking cases of rules that cover more than one direction. */
const ALSO_BREAKS: Record<string, [from: string, to: string]> = {
  'edge-and-server-meet-over-http': ['sync-server/test/x.test.ts', 'edge-app/src/lcm/sync/uploader.ts'],
  'apps-use-the-library-surface': ['edge-app/src/ui/x.ts', 'edge-app/src/lcm/logger/logger.ts'],
};
/** Imports every rule allows. */
const ALLOWED: [from: string, to: string][] = [
  ['shared/drift/y.ts', 'shared/protocol/index.ts'],
  ['edge-app/src/ui/y.ts', 'edge-app/src/lcm/index.ts'],
  ['admin/src/pages/y.ts', 'shared/protocol/index.ts'],
  ['sync-server/src/routes/y.ts', 'sync-server/src/services/index.ts'],
  ['sync-server/test/y.test.ts', 'testing/server-process.ts'],
];

async function violations(pairs: [string, string][]): Promise<{ rule: string; from: string }[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'boundaries-'));
  try {
    for (const [from, to] of pairs) {
      for (const f of [from, to]) await mkdir(path.join(dir, path.dirname(f)), { recursive: true });
      const rel = path.relative(path.dirname(from), to);
      await writeFile(
        path.join(dir, from),
        `import { a } from '${rel.startsWith('.') ? rel : `./${rel}`}';\nexport const b = a;\n`,
      );
      await writeFile(path.join(dir, to), 'export const a = 1;\n');
    }
    const result = await cruise(['.'], { ruleSet: rules, baseDir: dir, tsPreCompilationDeps: true, validate: true });
    if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text');
    return result.output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('import rules (.dependency-cruiser.cjs)', () => {
  it('every rule has a breaking case here, and each case breaks exactly its rule', async () => {
    assert.deepEqual(rules.forbidden.map((r) => r.name).sort(), Object.keys(BREAKS).sort());
    const cases = [...Object.entries(BREAKS), ...Object.entries(ALSO_BREAKS)];
    const found = await violations(cases.map(([, pair]) => pair));
    for (const [rule, [from]] of cases)
      assert.deepEqual(
        found.filter((v) => v.from === from).map((v) => v.rule),
        [rule],
        `${from} should break ${rule}`,
      );
  });

  it('allows what the layering allows', async () => {
    assert.deepEqual(await violations(ALLOWED), []);
  });
});

describe("shared/'s compiler settings (shared/tsconfig.json)", () => {
  /**
   * The type errors of each source, compiled together by the type check's own compiler under a
   * tsconfig that only extends shared/'s (so they see exactly what shared/ sees).
   */
  const errorsOf = async (sources: string[]): Promise<string[][]> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shared-probe-'));
    try {
      const files = sources.map((_, i) => `probe${i}.ts`);
      for (const [i, f] of files.entries()) await writeFile(path.join(dir, f), sources[i] as string);
      const config = {
        extends: path.join(ROOT, 'shared/tsconfig.json'),
        compilerOptions: { typeRoots: [path.join(ROOT, 'node_modules/@types')] },
        files: [path.join(ROOT, 'shared/web-platform.d.ts'), ...files],
        include: [],
      };
      await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
      const tsc = spawnSync(process.execPath, [TSC, '--noEmit', '--pretty', 'false', '-p', dir], { encoding: 'utf8' });
      const lines = `${tsc.stdout}${tsc.stderr}`.split('\n');
      return files.map((f) => lines.filter((l) => l.includes(`${f}(`) && /error TS\d+/.test(l)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it("refuse DOM and Node APIs, allow the web platform's common subset", async () => {
    const refused = [
      'document.title = "x";',
      'export const w = window.innerWidth;',
      'export const b = Buffer.from("x");',
      'export const e = process.env.HOME;',
      'import { readFileSync } from "node:fs"; export const r = readFileSync;',
      'export const c = new OffscreenCanvas(1, 1);',
      'export const d = indexedDB;',
    ];
    const allowed = [
      'export const t = new TextEncoder().encode("x");',
      'export const f = () => fetch("http://x", { signal: AbortSignal.timeout(5) });',
      'export const u = crypto.randomUUID();',
    ];
    const errors = await errorsOf([...refused, ...allowed]);
    refused.forEach((source, i) => assert.ok(errors[i]!.length > 0, `shared/ must not compile: ${source}`));
    assert.deepEqual(
      errors.slice(refused.length),
      allowed.map(() => []),
    );
  });
});
