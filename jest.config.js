// Nest 12 ships ESM only; Jest loads it from our CommonJS-compiled tests through Node 24's
// require(esm), which needs --experimental-vm-modules (set by the npm scripts).
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
  // Integration files each start a redis-server and a Nest app; two cores leave no room for more.
  maxWorkers: 2,
  // End-to-end scenarios wait out real backoffs and timeouts on purpose (a few seconds each).
  testTimeout: 30_000,
};
