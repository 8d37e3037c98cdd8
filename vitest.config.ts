import { defineConfig } from 'vitest/config';

// Unit tests live beside the code (src/**/*.test.ts); integration tests that run the real engine,
// CLI and simulator on 127.0.0.1 live in test/.
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['test/browser/**', 'test/faults/**'], testTimeout: 60_000, hookTimeout: 60_000 } },
      // The fault, attack and bad-input catalogue (docs/reliability.md): `npm run test:faults`.
      { extends: true, test: { name: 'faults', include: ['test/faults/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      // The dashboard in Debian's Chromium (playwright-core) against the built web/dist.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
    ],
    pool: 'forks',
    // Memory regression tests force a GC to measure what is really held.
    execArgv: ['--expose-gc'],
    testTimeout: 20_000,
  },
});
