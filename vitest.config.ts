import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The console is built once, before any file runs (browser tests load it).
    globalSetup: ['./test/support/build-ui.global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own SQLite file or PostgreSQL schema, so files can run in parallel.
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
