/**
 * `npm run test:stress`: load, faults and kills, minutes rather than seconds,
 * so not part of `npm test`; `.ci/run` runs both. Each file starts what it
 * needs (its own DynamoDB Local when it stops and restarts one).
 * @type {import('jest').Config}
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  testTimeout: 300_000,
  // One at a time: each file loads the 2-core machine on its own.
  maxWorkers: 1,
  projects: [
    {
      displayName: 'stress',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/stress'],
      testMatch: ['**/*.test.ts'],
      transform,
      setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
