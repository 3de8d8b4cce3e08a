import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    // The CLI's tests run the bundle that ships (dist/cli.mjs): built first when stale.
    globalSetup: ['test/support/built-cli.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    // The run against DynamoDB Local (npm run test:dynamodb-local) keeps its own report: .ci/run sums both.
    outputFile: {
      json:
        process.env.CSV2DDB_TEST_DYNAMODB === 'dynamodb-local'
          ? '.vitest-results.dynamodb-local.json'
          : '.vitest-results.json',
    },
  },
});
