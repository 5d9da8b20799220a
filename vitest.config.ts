import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Loopback servers and timing-sensitive pacer checks share 2 cores: keep file-level parallelism modest.
    maxWorkers: 2,
    server: {
      deps: {
        // The Lambda bundle is loaded by Node itself, as Lambda would, not transformed again per instance.
        external: [/\/dist\/handler\.mjs/],
      },
    },
  },
});
