import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'pwa/dist/**', 'pwa/dist-console/**'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
