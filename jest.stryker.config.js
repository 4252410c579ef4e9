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
  // The pass's test files, set by stryker.config.cjs (one list per pass, kept there only);
  // MUTATE_TESTS=test/a.test.ts,test/b.test.ts narrows an ad-hoc run.
  testMatch: (process.env.MUTATE_TESTS ?? '').split(',').filter(Boolean).map((f) => `<rootDir>/${f.trim()}`),
};
if (module.exports.testMatch.length === 0) throw new Error('jest.stryker.config.js: MUTATE_TESTS is not set; run Stryker through stryker.config.cjs (MUTATE_PASS=config|render)');
