// @swc/jest strips types only (≈5× faster than ts-jest here); `npm run typecheck` runs tsc --noEmit.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Stryker's sandbox copies of the project (npm run mutate) are not part of this run.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  globalSetup: '<rootDir>/test/support/global-setup.js',
  testTimeout: 30000,
};
