#!/usr/bin/env bash
# redqueen against the native binary, side by side in one run:
#  1. 10,000 trivial tests: wall time of `redqueen run -j 2` vs the binary run
#     by hand in one process (median of 5 each), as a ratio.
#  2. 200 sleepy tests (~10.9 s in total): redqueen's makespan vs the lower
#     bound max(total / 2, longest test).
# Usage: bench/run_bench.sh [RUNS]   (RUNS defaults to 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
scripts/setup.sh
cmake --preset bench >/dev/null
cmake --build --preset bench -j 2 >/dev/null
bin=build/bench
redqueen=$bin/queen/redqueen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Wall seconds of a command, its output discarded.
wall() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  calc "$end - $start"
}

calc() { awk "BEGIN { print $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "== 10,000 trivial tests, $runs runs each, interleaved"
: >"$work/native"; : >"$work/rq"
for i in $(seq "$runs"); do
  wall "$bin/bench/bench_trivial" >>"$work/native"
  wall "$redqueen" run "$bin/bench/bench_trivial" -j 2 --db "$work/trivial.db" >>"$work/rq"
done
native=$(median <"$work/native")
rq=$(median <"$work/rq")
printf 'native (1 process)     median %.3fs\n' "$native"
printf 'redqueen run -j 2      median %.3fs   ratio %.2fx native\n' "$rq" "$(calc "$rq / $native")"

echo "== 200 sleepy tests"
total=0; longest=0
for i in $(seq 0 199); do
  d=$((10 + (37 * i) % 90)); total=$((total + d)); ((d > longest)) && longest=$d
done
bound=$(calc "($total / 2000 > $longest / 1000) ? $total / 2000 : $longest / 1000")
: >"$work/sleepy"
for i in $(seq "$runs"); do
  wall "$redqueen" run "$bin/bench/bench_sleepy" -j 2 --db "$work/sleepy.db" >>"$work/sleepy"
done
sleepy=$(median <"$work/sleepy")
printf 'total %.3fs, longest %.3fs, lower bound %.3fs\n' "$(calc "$total / 1000")" "$(calc "$longest / 1000")" "$bound"
printf 'redqueen run -j 2      median %.3fs   %.1f%% over the bound\n' "$sleepy" "$(calc "($sleepy / $bound - 1) * 100")"
