#!/usr/bin/env bash
# One suite over CI shards, each partition side by side in one run:
#  (a) googletest's own test programs (those bench/verdict_parity.sh builds)
#      by their real durations, from the store of one redqueen run of them,
#      over 16 shards;
#  (b) a generated 50,000-test suite with log-normal durations over 16
#      shards, all with history, then with 10% of the tests new (no history:
#      they go by hash but still take their time);
#  (c) the 200 sleepy tests run for real as 4 concurrent redqueen shards,
#      each in its own folder with a copy of the same store, as CI machines
#      restoring one cache: slowest shard / fastest, by time and by count.
# (a) and (b) print max shard / mean, start-ups included (30 ms a binary a
# shard, as the time split charges them).
# Usage: bench/ci_shards.sh [RUNS]   (RUNS of (c), median; default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
scripts/setup.sh
cmake --preset bench >/dev/null
cmake --build --preset bench -j 2 >/dev/null
build=$PWD/build/bench
redqueen=$build/queen/redqueen
balance=$build/bench/bench_partition_balance
own=$PWD/build/googletest-own
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

calc() { awk "BEGIN { print $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "== (a) googletest's own programs, 16 shards"
cmake -S /usr/src/googletest -B "$own" -DCMAKE_BUILD_TYPE=Release \
  -Dgtest_build_tests=ON -Dgmock_build_tests=ON >/dev/null
binaries=()
for program in gtest_unittest googletest-param-test-test googletest-death-test-test \
               googletest-filepath-test googletest-listener-test gtest-typed-test_test \
               googletest-printers-test gmock-matchers-comparisons_test \
               gmock-matchers-containers_test; do
  cmake --build "$own" -j 2 --target "$program" >/dev/null
  binaries+=("$(find "$own" -type f -name "$program" -perm -u+x | head -n 1)")
done
(cd "$work" && "$redqueen" run "${binaries[@]}" -j 2 --db "$work/gt.db" >/dev/null 2>&1) || true
"$balance" --store "$work/gt.db" --shards 16

echo "== (b) 50,000 generated tests, 16 shards"
"$balance" --generated 50000 --shards 16
"$balance" --generated 50000 --shards 16 --new 0.1

echo "== (c) 200 sleepy tests as 4 concurrent shards (-j 1 each), median of $runs"
"$redqueen" run "$build/bench/bench_sleepy" -j 2 --db "$work/sleepy.db" >/dev/null 2>&1
for partition in time count; do
  : >"$work/spread.$partition"
  for _ in $(seq "$runs"); do
    for k in 1 2 3 4; do
      mkdir -p "$work/shard_$k"
      cp "$work/sleepy.db" "$work/shard_$k/redqueen.db"
      (cd "$work/shard_$k" && start=$(date +%s.%N) &&
        "$redqueen" run "$build/bench/bench_sleepy" -j 1 --shard "$k/4" \
          --partition "$partition" --db redqueen.db >/dev/null 2>&1;
        end=$(date +%s.%N); calc "$end - $start" >wall) &
    done
    wait
    cat "$work"/shard_*/wall | sort -g >"$work/walls"
    calc "$(tail -n 1 "$work/walls") / $(head -n 1 "$work/walls")" >>"$work/spread.$partition"
    printf '  %-6s shards took %s s\n' "$partition" "$(tr '\n' ' ' <"$work/walls")"
  done
done
for partition in time count; do
  printf '  %-6s slowest / fastest %.3f\n' "$partition" "$(median <"$work/spread.$partition")"
done
