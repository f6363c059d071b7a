/**
 * The layers of docs/architecture.md, enforced: each layer imports only the layers below it, no
 * two folders import each other, and there are no import loops at all. `npm run check:cycles`.
 */
const surface = '^src/surfaces/([^/]+)/';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import loops make the layers meaningless.', from: {}, to: { circular: true } },
    {
      name: 'domain-is-the-bottom',
      severity: 'error',
      comment: 'src/domain (types, ids, JSON, errors, limits) imports nothing else of the project.',
      from: { path: '^src/domain/' },
      to: { path: '^(src|ui)/', pathNot: '^src/domain/' },
    },
    {
      name: 'store-knows-only-domain',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^(src|ui)/', pathNot: '^src/(store|domain)/' },
    },
    {
      name: 'services-know-no-http',
      severity: 'error',
      comment: 'Services hold the rules and transactions; they know nothing of HTTP, surfaces, the server, the CLI or the client.',
      from: { path: '^src/services/' },
      to: { path: '^(src|ui)/', pathNot: '^src/(services|store|domain)/' },
    },
    {
      name: 'service-rows-import-no-service',
      severity: 'error',
      comment: 'The shared lookups and row mappers under src/services/rows sit below every service.',
      from: { path: '^src/services/rows/' },
      to: { path: '^src/services/', pathNot: '^src/services/rows/' },
    },
    {
      name: 'http-is-shared-plumbing',
      severity: 'error',
      comment: 'src/http serves every surface, so it imports none of them (nor the server or the CLI).',
      from: { path: '^src/http/' },
      to: { path: '^(src|ui)/', pathNot: '^src/(http|services|store|domain)/' },
    },
    {
      name: 'surfaces-are-separate',
      severity: 'error',
      comment: 'A surface is a thin translation over services and src/http; it never imports another surface.',
      from: { path: surface },
      to: { path: '^src/surfaces/', pathNot: '^src/surfaces/$1/' },
    },
    {
      name: 'surfaces-below-the-server',
      severity: 'error',
      from: { path: '^src/surfaces/' },
      to: { path: '^(src/(server|cli|client)|ui/)' },
    },
    {
      name: 'server-below-the-cli',
      severity: 'error',
      from: { path: '^src/server\\.ts$' },
      to: { path: '^(src/(cli|client)|ui/)' },
    },
    {
      name: 'client-stands-alone',
      severity: 'error',
      comment: 'evalstore/client is published on its own: it speaks HTTP to the native API and imports nothing of the server.',
      from: { path: '^src/client/' },
      to: { path: '^(src|ui)/', pathNot: '^src/client/' },
    },
    {
      name: 'cli-uses-the-client-for-data',
      severity: 'error',
      comment: 'The CLI reaches data through the client; only serve, migrate, keys and workspaces open the store.',
      from: { path: '^src/cli/', pathNot: '^src/cli/main\\.ts$' },
      to: { path: '^src/(services|store|surfaces|http)/' },
    },
    {
      name: 'ui-talks-only-to-the-native-api',
      severity: 'error',
      comment: 'The web UI is a client of /api/v1: it imports src/client and nothing else of src.',
      from: { path: '^ui/' },
      to: { path: '^src/', pathNot: '^src/client/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^dist/' },
  },
};
