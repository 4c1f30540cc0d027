// @ts-check
/**
 * The dependency rules of the house, checked by `npm run lint` (dependency-cruiser: it resolves
 * TypeScript's own way, `.js` specifiers onto `.ts` files, type-only imports included).
 *
 * - the platform is reusable: it knows no integration, no admin, no application file;
 * - outside the platform, a platform module is used through its public surface, its index.ts;
 * - an integration knows no other integration;
 * - a pipeline knows its own folder, its integration's kernel and config, and the platform;
 * - a kernel knows itself, its integration's config, and the platform;
 * - admin knows the platform only.
 * Inside the platform, modules may import one another's files: the indexes would tie them in
 * cycles (the bus classifies outages with reliability, whose alerts observe the bus).
 */
const APPLICATION = '^src/[^/]+[.]ts$|^src/config/';
const PLATFORM_SURFACE = '^src/platform/[^/]+/index[.]ts$|^src/platform/platform-config[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-knows-no-integration',
      comment:
        'The platform is reusable: it never imports an integration, admin, the application or migrations/.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: `^src/integrations/|^src/admin/|${APPLICATION}|^migrations/` },
    },
    {
      name: 'platform-through-its-index',
      comment:
        'Outside the platform, a platform module is used through its index.ts, its public surface.',
      severity: 'error',
      from: { path: '^(src|migrations)/', pathNot: '^src/platform/' },
      to: { path: '^src/platform/', pathNot: PLATFORM_SURFACE },
    },
    {
      name: 'platform-config-for-the-application',
      comment: "The platform's fragment list is composed by the application only.",
      severity: 'error',
      from: { path: '^(src|migrations)/', pathNot: `^src/platform/|${APPLICATION}` },
      to: { path: '^src/platform/platform-config[.]ts$' },
    },
    {
      name: 'integration-knows-no-other',
      comment: 'An integration never imports another integration.',
      severity: 'error',
      from: { path: '^src/integrations/([^/]+)/' },
      to: { path: '^src/integrations/', pathNot: '^src/integrations/$1/' },
    },
    {
      name: 'integration-knows-no-application',
      comment:
        'An integration imports the platform and itself: not admin, the application or migrations/.',
      severity: 'error',
      from: { path: '^src/integrations/' },
      to: { path: `^src/admin/|${APPLICATION}|^migrations/` },
    },
    {
      name: 'pipeline-imports-its-kernel',
      comment:
        "A pipeline imports its own folder, its integration's kernel and config files, and the platform: never another pipeline, nor its integration's definition.",
      severity: 'error',
      from: { path: '^src/integrations/([^/]+)/pipelines/([^/]+)/' },
      to: {
        path: '^src/integrations/',
        pathNot: '^src/integrations/$1/(kernel/|pipelines/$2/|[^/]+[.]config[.]ts$)',
      },
    },
    {
      name: 'kernel-imports-itself',
      comment:
        "A kernel imports itself, its integration's config files and the platform: never a pipeline.",
      severity: 'error',
      from: { path: '^src/integrations/([^/]+)/kernel/' },
      to: {
        path: '^src/integrations/',
        pathNot: '^src/integrations/$1/(kernel/|[^/]+[.]config[.]ts$)',
      },
    },
    {
      name: 'integration-config-imports-its-kernel',
      comment:
        "An integration's config files import its kernel and the platform: never a pipeline.",
      severity: 'error',
      from: { path: '^src/integrations/([^/]+)/[^/]+[.]config[.]ts$' },
      to: {
        path: '^src/integrations/',
        pathNot: '^src/integrations/$1/(kernel/|[^/]+[.]config[.]ts$)',
      },
    },
    {
      name: 'admin-knows-the-platform',
      comment:
        "Admin imports the platform's public surface only: no integration, no application file.",
      severity: 'error',
      from: { path: '^src/admin/' },
      to: { path: `^src/integrations/|${APPLICATION}|^migrations/` },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import that resolves to nothing is a typo or a file moved without its importers.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
