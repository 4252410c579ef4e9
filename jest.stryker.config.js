// Jest configuration of the mutation run (`npm run mutate`, stryker.config.json): the unit tests
// (everything but `*.e2e.test.ts` and the daemon harness), without the global set-up (the npm script
// fetches and checks the pinned binaries once before Stryker starts, instead of once per mutant).
// Left out too: the two tests that read lib/ as text (file sizes, doc comments of the public API),
// since Stryker instruments that text with every mutant at once; they check no behaviour.
const base = require('./jest.config.js');
module.exports = {
  ...base,
  globalSetup: undefined,
  testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$', '/test/e2e/harness\\.test\\.ts$', '/test/architecture\\.test\\.ts$', '/test/public-api\\.test\\.ts$'],
};
