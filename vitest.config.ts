import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A temporary directory per run, which must be empty at the end (see the file).
    globalSetup: ['test/helpers/temp-guard.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
