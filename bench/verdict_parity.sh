#!/usr/bin/env bash
# Verdict parity on googletest's own test programs, built from the sources
# Debian ships in /usr/src/googletest: for each program, the sets of passed,
# failed and skipped tests under `redqueen run -j 2` must equal those of the
# program run natively: on exec pawns (googletest's own build), and on
# resident pawns for the programs bench/CMakeLists.txt relinks with
# redqueen::gtest_main. Differences are listed per program and pawn kind.
# Known, by design of any runner that splits a binary across processes (see
# ../shared/DESIGN.md): googletest-param-test-test's TestGenerationTest checks
# that its whole suite is in one process's filter, googletest-listener-test
# checks whole-program listener order.
# Then the same for redqueen's own fixture suites.
# Usage: bench/verdict_parity.sh [PROGRAM...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
programs=("$@")
if [[ ${#programs[@]} -eq 0 ]]; then
  programs=(gtest_unittest googletest-param-test-test googletest-death-test-test
            googletest-filepath-test googletest-listener-test gtest-typed-test_test
            googletest-printers-test gmock-matchers-comparisons_test
            gmock-matchers-containers_test)
fi

cmake --preset release >/dev/null
cmake --build --preset release -j 2 --target redqueen >/dev/null
redqueen=$PWD/build/release/queen/redqueen
own=$PWD/build/googletest-own
bench=$PWD/build/bench
cmake --preset bench >/dev/null
cmake -S /usr/src/googletest -B "$own" -DCMAKE_BUILD_TYPE=Release \
  -Dgtest_build_tests=ON -Dgmock_build_tests=ON >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "name STATUS" lines from gtest's JSON report, disabled tests left out.
native_verdicts() {
  python3 - "$1" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for suite in report.get("testsuites", []):
    for test in suite.get("testsuite", []):
        if test.get("status") == "NOTRUN":
            continue
        name = test["classname"] + "." + test["name"]
        if test.get("result") == "SKIPPED":
            verdict = "SKIPPED"
        elif test.get("failures"):
            verdict = "FAILED"
        else:
            verdict = "PASSED"
        print(name, verdict)
PY
}

# The same from redqueen's store; CRASHED and TIMEOUT count as FAILED.
redqueen_verdicts() {
  sqlite3 "$1" "SELECT t.name, CASE e.status WHEN 'CRASHED' THEN 'FAILED'
                WHEN 'TIMEOUT' THEN 'FAILED' ELSE e.status END
                FROM executions e JOIN tests t ON t.id = e.test_id
                WHERE e.run_id = (SELECT max(id) FROM runs)" | tr '|' ' '
}

# Runs $3 under redqueen and compares its verdicts with native.txt.
compare() {
  local program=$1 kind=$2 binary=$3
  rm -f "$work/rq.db"*
  (cd "$work" && "$redqueen" run "$binary" -j 2 --pawn "$kind" --db "$work/rq.db" \
     >/dev/null 2>&1) || true
  redqueen_verdicts "$work/rq.db" | sort >"$work/redqueen.txt"
  local total
  total=$(wc -l <"$work/native.txt")
  if diff -q "$work/native.txt" "$work/redqueen.txt" >/dev/null; then
    printf '%-34s %-8s %5d tests  same verdicts\n' "$program" "$kind" "$total"
  else
    status=1
    printf '%-34s %-8s %5d tests  DIFFERENT (< native, > redqueen):\n' "$program" "$kind" "$total"
    { diff "$work/native.txt" "$work/redqueen.txt" | grep '^[<>]' | head -20 | sed 's/^/    /'; } || true
  fi
}

status=0
for program in "${programs[@]}"; do
  cmake --build "$own" -j 2 --target "$program" >/dev/null
  binary=$(find "$own" -type f -name "$program" -perm -u+x | head -n 1)
  (cd "$work" && "$binary" --gtest_output="json:$work/native.json" >/dev/null 2>&1) || true
  native_verdicts "$work/native.json" | sort >"$work/native.txt"
  compare "$program" exec "$binary"
  if cmake --build "$bench" -j 2 --target "resident_$program" >/dev/null 2>&1; then
    compare "$program" resident "$bench/bench/resident_$program"
  fi
done
# redqueen's own fixture suites (those a native run finishes: not the ones
# that crash, hang or need arguments), on both pawn kinds.
cmake --build --preset release -j 2 --target fixture_passing fixture_failing \
  fixture_skipping fixture_param_typed fixture_death fixture_disabled \
  fixture_printing >/dev/null
for fixture in passing failing skipping param_typed death disabled printing; do
  binary=$PWD/build/release/tests/fixtures/fixture_$fixture
  (cd "$work" && "$binary" --gtest_output="json:$work/native.json" >/dev/null 2>&1) || true
  native_verdicts "$work/native.json" | sort >"$work/native.txt"
  compare "fixture_$fixture" exec "$binary"
  compare "fixture_$fixture" resident "$binary"
done
exit $status
