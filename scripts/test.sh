#!/usr/bin/env bash
# The whole test suite, as the README's test command and CI run it:
# Debian packages the real-daemon tests need (idempotent), type check, then every jest test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-deps.sh
npx tsc --noEmit -p .
mkdir -p .tmp
status=0
npx jest --json --outputFile=.tmp/jest-results.json "$@" || status=$?
# One plain closing line that any CI reader understands.
node -e '
  const r = require("./.tmp/jest-results.json");
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
'
exit "$status"
