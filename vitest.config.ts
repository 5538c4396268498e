import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests import `dbos-edge` by its name from the TypeScript sources (package.json's `dbos-edge-source` condition),
// not from a build in dist/ that may be stale or missing.
const resolve = { conditions: ['dbos-edge-source', ...defaultServerConditions] };

const shared = { testTimeout: 60_000, hookTimeout: 120_000, pool: 'forks' } as const;

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: resolve.conditions, externalConditions: ['dbos-edge-source'] } },
  test: {
    projects: [
      { extends: true, test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { ...shared, name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      // The packed tarball installed in a fresh app and used from Node, Deno, Bun, tsc and wrangler.
      { extends: true, test: { ...shared, name: 'package', include: ['test/package/**/*.test.ts'] } },
      // Against a real DBOS worker process, started once for the project by the global setup.
      {
        extends: true,
        test: {
          ...shared,
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          globalSetup: ['test/interop/global-setup.ts'],
        },
      },
    ],
  },
});
