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
#
# A/B: bench/run_bench.sh --against REV [RUNS] builds REV (a commit) beside
# this tree and runs both, interleaved run by run so that the machine's
# drift falls on both alike: native, first, resident and exec on both
# suites, each side with its own binaries and its own store; it prints each
# side's median and the ratio of this tree's to REV's.
set -euo pipefail
cd "$(dirname "$0")/.."
against=
if [[ ${1:-} == --against ]]; then
  against=${2:?"--against needs a commit"}
  shift 2
fi
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

# The total and longest of the sleepy suite (see sleepy_test.cc), and the
# makespan bound with 2 workers: max(total / 2, longest), in seconds.
sleepy_bound() {
  local total=0 longest=0 d
  for i in $(seq 0 199); do
    d=$((10 + (37 * i) % 90)); total=$((total + d)); ((d > longest)) && longest=$d
  done
  sleepy_total=$(calc "$total / 1000")
  sleepy_longest=$(calc "$longest / 1000")
  bound=$(calc "($total / 2000 > $longest / 1000) ? $total / 2000 : $longest / 1000")
}

# A/B: side "a" is REV's build, side "b" this tree's; every way of every
# suite runs on both, one after the other, RUNS times.
ab_compare() {
  local suite=$1 ways=(native first resident exec) side way t_a t_b
  for side in a b; do
    for way in "${ways[@]}"; do : >"$work/$suite.$side.$way"; done
  done
  local -A rq=([a]="$ab_build/queen/redqueen" [b]="$redqueen")
  local -A bin=([a]="$ab_build/bench/bench_$suite" [b]="$build/bench/bench_$suite")
  for side in a b; do  # History for the runs that use it.
    "${rq[$side]}" run "${bin[$side]}" -j 2 --db "$work/$side.db" >/dev/null 2>&1 || true
  done
  for _ in $(seq "$runs"); do
    for side in a b; do
      wall "${bin[$side]}" >>"$work/$suite.$side.native"
      rm -f "$work"/first.db*
      wall "${rq[$side]}" run "${bin[$side]}" -j 2 --pawn resident --db "$work/first.db" \
        >>"$work/$suite.$side.first"
      wall "${rq[$side]}" run "${bin[$side]}" -j 2 --pawn resident --db "$work/$side.db" \
        >>"$work/$suite.$side.resident"
      wall "${rq[$side]}" run "${bin[$side]}" -j 2 --pawn exec --db "$work/$side.db" \
        >>"$work/$suite.$side.exec"
    done
  done
  printf '  %-10s %9s %9s %8s\n' way "$against" this ratio
  for way in "${ways[@]}"; do
    t_a=$(median <"$work/$suite.a.$way")
    t_b=$(median <"$work/$suite.b.$way")
    printf '  %-10s %8.3fs %8.3fs %7.3fx\n' "$way" "$t_a" "$t_b" "$(calc "$t_b / $t_a")"
  done
}

if [[ -n $against ]]; then
  tree=$PWD/build/ab/$against
  if [[ ! -d $tree ]]; then
    mkdir -p build/ab
    git worktree add --detach "$tree" "$against" >/dev/null
  fi
  (cd "$tree" && cmake --preset bench >/dev/null && cmake --build --preset bench -j 2 >/dev/null)
  ab_build=$tree/build/bench
  echo "== A/B: $against against this tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo +changes)), median of $runs"
  echo "== 10,000 trivial tests"
  ab_compare trivial
  sleepy_bound
  echo "== 200 sleepy tests (bound with 2 workers ${bound}s)"
  ab_compare sleepy
  exit 0
fi

echo "== 10,000 trivial tests (median of $runs; ctest once)"
compare trivial
printf '  exec pawns are %.0fx faster than one process per test (ctest)\n' \
  "$(calc "$(cat "$work/trivial.ctest.median") / $(cat "$work/trivial.exec.median")")"

echo "== 200 sleepy tests (median of $runs; ctest once)"
sleepy_bound
printf '  total %.3fs, longest %.3fs, lower bound with 2 workers %.3fs\n' \
  "$sleepy_total" "$sleepy_longest" "$bound"
compare sleepy
for way in first resident exec shards ctest; do
  printf '  %-10s %5.1f%% over the bound\n' "$way" \
    "$(calc "($(cat "$work/sleepy.$way.median") / $bound - 1) * 100")"
done

echo "== the store's write throughput (one run of 200,000 results)"
printf '  '
"$build/bench/bench_store_throughput"
