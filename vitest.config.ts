import { defineConfig } from 'vitest/config';

// Three tiers, named by file suffix: `*.test.ts` unit tests (no network) next to the code,
// `*.int.test.ts` integration tests against real nats-server processes, and `test/e2e/*.e2e.test.ts`
// scenarios that run the built apps as processes.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['libs/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/docs/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['libs/*/src/**/*.int.test.ts', 'apps/*/src/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        // Real clusters, leaf servers and a load balancer (test/topology): one file at a time, since
        // each starts several nats-servers and app processes on a small machine.
        test: {
          name: 'topology',
          include: ['test/topology/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
