import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run test files in parallel on both, each file's tests in order.
    pool: 'forks',
    maxWorkers: 2,
  },
});
