import { defineConfig } from 'vitest/config';

// Tests import the package by its own name (as functions/ and the docs do); the `danube-source`
// export condition points those imports at src/, so one copy of each module is loaded.
// (No `module` condition: dependencies load in Node as published, as they do for users.)
const conditions = ['danube-source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/build-once.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers on 127.0.0.1 ports; two cores are the norm here.
    maxWorkers: 2,
    pool: 'forks',
  },
});
