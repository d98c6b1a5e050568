#!/usr/bin/env bash
# Runs the README's test command N times in a row (default 5), each time on a fresh clone of this
# checkout's HEAD, and prints each run's outcome and wall time, then the failures per test.
#
#   bash scripts/test-repeat.sh [N]
#
# Each clone installs what it needs by itself, as CI does. NEO4J_TEST_PORT and friends pass
# through, so a repeat check can run beside another checkout's tests.
set -euo pipefail
runs=${1:-5}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary="$work/summary.txt"
: >"$summary"
for i in $(seq 1 "$runs"); do
  clone="$work/clone-$i"
  git clone --quiet "$source_dir" "$clone"
  report="$work/run-$i.json"
  log="$work/run-$i.log"
  started=$(date +%s)
  status=0
  (cd "$clone" && TEST_RESULTS_JSON="$report" bash scripts/test.sh) >"$log" 2>&1 || status=$?
  seconds=$(( $(date +%s) - started ))
  line=$(grep -E '^tests: ' "$log" | tail -1 || true)
  printf 'run %d of %d: %s in %dm%02ds (exit %d)\n' "$i" "$runs" "${line:-no test report}" $((seconds / 60)) $((seconds % 60)) "$status" | tee -a "$summary"
  if [ "$status" -ne 0 ] && [ ! -s "$report" ]; then
    echo "  the run ended before its tests reported; its last lines:" | tee -a "$summary"
    tail -20 "$log" | sed 's/^/    /' | tee -a "$summary"
  fi
  rm -rf "$clone"
done
echo
echo "failures per test over $runs runs:"
node -e '
  const fs = require("fs");
  const counts = new Map();
  for (const file of process.argv.slice(1)) {
    if (!fs.existsSync(file) || fs.statSync(file).size === 0) continue;
    const report = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const suite of report.testResults) {
      const path = suite.name.replace(/^.*?\/test\//, "test/");
      if (suite.status === "failed" && !suite.assertionResults.some((t) => t.status === "failed")) {
        const name = `${path} (the file failed: ${String(suite.message ?? "").split("\n")[0]})`;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      for (const test of suite.assertionResults) {
        if (test.status !== "failed") continue;
        const name = `${path} > ${test.fullName}`;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
  }
  if (counts.size === 0) console.log("  none");
  for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${n}x ${name}`);
' "$work"/run-*.json
