#!/usr/bin/env bash
# redqueen against the other ways to run a suite, side by side in one run:
#  - the binary run by hand in one process (native),
#  - redqueen run -j 2 on resident pawns: "first" with an empty store (no
#    history: batches by count, registration order), "resident" with the
#    history of earlier runs (longest first, batches by expected time),
#  - redqueen run -j 2 on exec pawns, with history,
#  - GoogleTest's own sharding: two processes with GTEST_TOTAL_SHARDS=2,
#  - ctest -j 2 over gtest_discover_tests (one process per test; run once,
#    it is slow).
# Suites: 10,000 trivial tests, and 200 tests sleeping 10..99 ms (10.9 s in
# total), whose makespan is compared with max(total / 2, longest test).
# Usage: bench/run_bench.sh [RUNS]   (RUNS defaults to 5; medians are printed)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
scripts/setup.sh
cmake --preset bench >/dev/null
cmake --build --preset bench -j 2 >/dev/null
build=build/bench
redqueen=$build/queen/redqueen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

calc() { awk "BEGIN { print $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Wall seconds of a command, its output discarded.
wall() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  calc "$end - $start"
}

sharded() {
  GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=0 "$1" >/dev/null 2>&1 &
  GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=1 "$1" >/dev/null 2>&1 &
  wait
}

# Runs every way of $1 (a suite name) RUNS times, interleaved; prints medians
# and ratios to native.
compare() {
  local suite=$1 binary=$build/bench/bench_$1
  local ways=(native first resident exec shards)
  for way in "${ways[@]}"; do : >"$work/$suite.$way"; done
  # History for the runs that use it.
  "$redqueen" run "$binary" -j 2 --db "$work/rq.db" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    wall "$binary" >>"$work/$suite.native"
    rm -f "$work"/first.db*
    wall "$redqueen" run "$binary" -j 2 --pawn resident --db "$work/first.db" >>"$work/$suite.first"
    wall "$redqueen" run "$binary" -j 2 --pawn resident --db "$work/rq.db" >>"$work/$suite.resident"
    wall "$redqueen" run "$binary" -j 2 --pawn exec --db "$work/rq.db" >>"$work/$suite.exec"
    wall sharded "$binary" >>"$work/$suite.shards"
  done
  wall ctest --test-dir "$build/bench" -j 2 -R "^$suite:" >"$work/$suite.ctest"
  local native
  native=$(median <"$work/$suite.native")
  for way in "${ways[@]}" ctest; do
    local t
    t=$(median <"$work/$suite.$way")
    printf '  %-10s %8.3fs  %6.2fx native\n' "$way" "$t" "$(calc "$t / $native")"
    echo "$t" >"$work/$suite.$way.median"
  done
}

echo "== 10,000 trivial tests (median of $runs; ctest once)"
compare trivial
printf '  exec pawns are %.0fx faster than one process per test (ctest)\n' \
  "$(calc "$(cat "$work/trivial.ctest.median") / $(cat "$work/trivial.exec.median")")"

echo "== 200 sleepy tests (median of $runs; ctest once)"
total=0; longest=0
for i in $(seq 0 199); do
  d=$((10 + (37 * i) % 90)); total=$((total + d)); ((d > longest)) && longest=$d
done
bound=$(calc "($total / 2000 > $longest / 1000) ? $total / 2000 : $longest / 1000")
printf '  total %.3fs, longest %.3fs, lower bound with 2 workers %.3fs\n' \
  "$(calc "$total / 1000")" "$(calc "$longest / 1000")" "$bound"
compare sleepy
for way in first resident exec shards ctest; do
  printf '  %-10s %5.1f%% over the bound\n' "$way" \
    "$(calc "($(cat "$work/sleepy.$way.median") / $bound - 1) * 100")"
done

echo "== the store's write throughput (one run of 200,000 results)"
printf '  '
"$build/bench/bench_store_throughput"
