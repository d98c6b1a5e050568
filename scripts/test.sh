#!/usr/bin/env bash
# The whole test suite: installs what is missing (npm packages; the Neo4j server from Maven
# Central; Redis from Debian's packages when a test needs it; Chromium for the console's
# end-to-end tests; the console's build), then lint, typecheck, the printed
# schema check, and every test on a real Neo4j started and stopped by the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure.sh
ensure_node
ensure_node_modules
ensure_console
ensure_chromium
echo "== lint" && npx eslint .
echo "== typecheck" && npx tsc -p .
echo "== console typecheck (operations against schema.graphql)" && npx graphql-codegen --config console/codegen.ts && npx tsc -p console
echo "== schema.graphql is current" && npx tsx scripts/print-schema.ts --check
echo "== tests (real Neo4j)"
# TEST_RESULTS_JSON keeps vitest's JSON report there (scripts/test-repeat.sh reads it).
results=${TEST_RESULTS_JSON:-$(mktemp)}
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
[ -n "${TEST_RESULTS_JSON:-}" ] || rm -f "$results"
exit $status
