// Jest configuration of the mutation run (`npm run mutate`, stryker.config.cjs).
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
  // Set by stryker.config.cjs to the pass's test files (MUTATE_TESTS=test/a.test.ts,test/b.test.ts
  // narrows an ad-hoc run); without it, every test file either pass uses.
  testMatch: (process.env.MUTATE_TESTS ?? [
    'mutation-kills', 'config-limits', 'config-load', 'config-checks', 'syntax-tables',
    'alert-generation', 'claims', 'gitops', 'backup', 'network-policy', 'pod-security', 'rules', 'sidecar',
  ].map((t) => `test/${t}.test.ts`).join(',')).split(',').map((f) => `<rootDir>/${f.trim()}`),
};
