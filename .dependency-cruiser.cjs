/**
 * The import rules of DESIGN's layering, checked by `npm test` (static step) with dependency-cruiser.
 * Paths are from the repository root. Each rule says why it exists; break one and the check names
 * the file and the rule.
 */
const APPS = '^(edge-app|sync-server|admin)/';
/** TinyLCM's entries (edge-app/src/lcm/index.ts says why four: the ORT builds and Automerge load only where needed). */
const LIBRARY_SURFACE = '^edge-app/src/lcm/(index|node|browser|sync)\\.ts$';
module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment: 'shared/ is the code every part runs: it imports no app, no test harness, no tool.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(edge-app|sync-server|admin|testing|bench|scripts)/' },
    },
    {
      name: 'edge-library-has-no-screens',
      comment: 'The TinyLCM library runs without the PWA (CLI, simulator, other apps): it imports no screen.',
      severity: 'error',
      from: { path: '^edge-app/src/lcm/' },
      to: { path: '^edge-app/src/(ui|app|main\\.ts|sw\\.ts|sim|cli)' },
    },
    {
      name: 'edge-and-server-meet-over-http',
      comment: 'Device and server share only shared/ (protocol, statistics) and talk over HTTP; tests too.',
      severity: 'error',
      from: { path: '^(edge-app|sync-server)/' },
      to: { path: '^(edge-app|sync-server|admin)/', pathNot: '^$1/' },
    },
    {
      name: 'console-uses-only-shared',
      comment: 'The console is a client of the HTTP API: it imports shared/ and nothing of the edge or server.',
      severity: 'error',
      from: { path: '^admin/src/' },
      to: { path: '^(edge-app|sync-server|testing|bench|scripts)/' },
    },
    {
      name: 'routes-reach-storage-through-services',
      comment: "Routes parse, call a service and shape the answer; the database and blob store are services' business.",
      severity: 'error',
      from: { path: '^sync-server/src/routes/' },
      to: { path: ['^sync-server/src/store/', '^node_modules/(pg|@electric-sql|minio)/'] },
    },
    {
      name: 'adapters-know-no-business-logic',
      comment:
        'Store adapters (database, blobs) implement narrow interfaces; they import no service, route or HTTP code.',
      severity: 'error',
      from: { path: '^sync-server/src/store/' },
      to: { path: '^sync-server/src/(services|routes|http|auth|cli)/' },
    },
    {
      name: 'services-speak-no-http',
      comment: 'Services throw domain errors; the HTTP layer maps them to status codes (and MLflow error codes).',
      severity: 'error',
      from: { path: '^sync-server/src/services/' },
      to: { path: '^sync-server/src/(routes|http)/' },
    },
    {
      name: 'not-to-test-code',
      comment: 'Shipped code never imports tests or the test harness.',
      severity: 'error',
      from: {
        path: `${APPS}src/|^shared/`,
        pathNot: '\\.test\\.ts$|test-helpers\\.ts$|/fixtures/|/adapter-tests\\.ts$',
      },
      to: { path: '(^testing/|/test/|\\.test\\.ts$)' },
    },
    {
      name: 'apps-use-the-library-surface',
      comment:
        "The PWA's screens and app model, the simulator, the CLI, the test harness and the benchmarks use TinyLCM as any app would: through lcm/index.ts and its node, browser and sync entries.",
      severity: 'error',
      from: { path: '^edge-app/src/(ui|app|sim|cli|main\\.ts)|^testing/|^bench/' },
      to: { path: '^edge-app/src/lcm/', pathNot: LIBRARY_SURFACE },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
