// Jest configuration of the mutation run (`npm run mutate`, stryker.config.json).
//
// Stryker runs, for each mutant, only the tests that executed its code *inside a test*
// (coverageAnalysis perTest; code that runs only while test files load is "static" and ignored, see
// docs/mutation.md). So the run uses the unit tests that build what they check inside each test; the
// others (module-level builds, source-text checks, spawning jest or promtool on every file, the
// pinned-release facts) would only add minutes per mutant. No global set-up: the npm script fetches
// and checks the pinned binaries once before Stryker starts, not once per mutant.
const base = require('./jest.config.js');
module.exports = {
  ...base,
  globalSetup: undefined,
  // MUTATE_TESTS=test/a.test.ts,test/b.test.ts narrows the run to those files (a quicker, pessimistic run).
  testMatch: process.env.MUTATE_TESTS ? process.env.MUTATE_TESTS.split(',').map((f) => `<rootDir>/${f.trim()}`) : [
    '<rootDir>/test/claims.test.ts',
    '<rootDir>/test/config-limits.test.ts',
    '<rootDir>/test/config-load.test.ts',
    '<rootDir>/test/config-checks.test.ts',
    '<rootDir>/test/syntax-tables.test.ts',
    '<rootDir>/test/gitops.test.ts',
    '<rootDir>/test/bad-config.test.ts',
    '<rootDir>/test/backup.test.ts',
    '<rootDir>/test/network-policy.test.ts',
    '<rootDir>/test/pod-security.test.ts',
    '<rootDir>/test/rules.test.ts',
    '<rootDir>/test/sidecar.test.ts',
    '<rootDir>/test/mutation-kills.test.ts',
    '<rootDir>/test/alert-generation.test.ts',
  ],
};
