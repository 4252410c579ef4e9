// Mutation testing of the library's decision-making code: `npm run mutate` (scripts/mutate.mjs) runs
// Stryker once per pass below and prints one summary. Results and equivalent mutants: docs/mutation.md.
//
// Two passes, because a mutant costs every test that executed its code. Every synth runs the config
// checks, so under the whole selection each of the ~2,200 config mutants would rebuild the stack
// ~150 times (18 mutants a minute on 2 cores: three hours). The config checks are therefore mutated
// against the tests written for them, which call them directly; what renders objects (wiring,
// NetworkPolicies, pod security, rules and generated alerts, GitOps output) against the tests that
// build and read those objects.
//
// MUTATE_PASS=config|render selects the pass (scripts/mutate.mjs sets it); MUTATE_TESTS still narrows
// the test files for an ad-hoc run (jest.stryker.config.js).
const PASSES = {
  config: {
    // The PromQL checks of rules and panels read the same strings and selectors as the config's.
    mutate: ['lib/config/*.ts', '!lib/config/types.ts', '!lib/config/basics.ts', '!lib/config/node-agents.ts', 'lib/content/promql.ts', 'lib/content/promql-functions.ts', 'lib/content/promql-modifiers.ts', 'lib/content/promql-literals.ts', 'lib/content/promql-numbers.ts'],
    tests: ['mutation-kills', 'config-limits', 'config-load', 'config-checks', 'syntax-tables', 'memo-table', 'expression-promtool', 'number-lexer-promtool', 'promql-numbers'],
  },
  render: {
    mutate: [
      'lib/wiring/*.ts',
      'lib/components/network-policies.ts',
      'lib/components/pod-security.ts',
      'lib/content/rules.ts',
      'lib/content/api-rules.ts',
      'lib/content/target-rules.ts',
      'lib/content/alert-windows.ts',
      'lib/content/rule-jobs.ts',
      'lib/content/metric-usage.ts',
      'lib/output/gitops.ts',
    ],
    tests: ['mutation-kills', 'alert-generation', 'claims', 'gitops', 'backup', 'network-policy', 'pod-security', 'rules', 'sidecar'],
  },
};

const pass = process.env.MUTATE_PASS ?? 'config';
if (!PASSES[pass]) throw new Error(`MUTATE_PASS=${pass}: expected one of ${Object.keys(PASSES).join(', ')}`);
process.env.MUTATE_TESTS ??= PASSES[pass].tests.map((t) => `test/${t}.test.ts`).join(',');

module.exports = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  mutate: PASSES[pass].mutate,
  ignorePatterns: ['dist', 'build', 'reports', '*.db', '.stryker-tmp'],
  concurrency: 2,
  // A mutant that loops (re2Problem's scans) would otherwise cost a minute; a timeout counts as detected.
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${pass}.html` },
  jsonReporter: { fileName: `reports/mutation/${pass}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Mutants executed only while test files load (module-level constants) would need every test file
  // reloaded per mutant; the report lists them as Ignored and docs/mutation.md counts them.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${pass}.json`,
};
