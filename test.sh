#!/usr/bin/env bash
# Runs every test of the solution: unit tests, the store conformance suite on real SQLite files and on a
# throwaway PostgreSQL server (started here, removed at the end), the CLI tests that run the real engram
# executable, then the REST and MCP suites again on PostgreSQL. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")"
dotnet build Engram.slnx -c Release -warnaserror || exit 1
. tests/postgres-server.sh
trap postgres_stop EXIT
trap 'exit 130' INT TERM
postgres_start || exit 1
log=$(mktemp)
# A test process that dies takes its running test with it; each one says why in this file (tests/TestProcessCrashReport.cs).
export ENGRAM_TEST_CRASH_LOG=$(mktemp)
crashed() {
  grep -q '\[FATAL ERROR\]' "$1" || return 1
  echo "test.sh: a test process ended before its tests did; what it left:"
  cat "$ENGRAM_TEST_CRASH_LOG" "$ENGRAM_TEST_CRASH_LOG".running.* 2>/dev/null
  dmesg 2>/dev/null | grep -iE 'out of memory|killed process' | tail -n 5
  return 0
}
dotnet test Engram.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if crashed "$log" && ! grep -Eq 'Failed: +[1-9]' "$log"; then
  # Its results are incomplete, so the whole pass runs once more and counts instead (only when no test failed: a
  # failing test is not run again); a crash that repeats fails.
  echo "test.sh: running every test project once more"
  : >"$log"
  : >"$ENGRAM_TEST_CRASH_LOG"
  rm -f "$ENGRAM_TEST_CRASH_LOG".running.*
  dotnet test Engram.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  if crashed "$log"; then status=1; fi
fi
# The REST and MCP suites once more, with their servers on PostgreSQL instead of SQLite.
for project in tests/Engram.Server.Tests tests/Engram.Mcp.Tests; do
  echo "test.sh: $project on PostgreSQL"
  ENGRAM_TEST_SERVER_STORE=postgres dotnet test "$project" -c Release --no-build "$@" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
# dotnet test prints one summary per test project: "Passed!  - Failed: 0, Passed: 38, ...".
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
rm -f "$log" "$ENGRAM_TEST_CRASH_LOG" "$ENGRAM_TEST_CRASH_LOG".running.*
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
