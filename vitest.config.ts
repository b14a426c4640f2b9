import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers on 127.0.0.1 ports; two cores are the norm here.
    maxWorkers: 2,
    pool: 'forks',
  },
});
