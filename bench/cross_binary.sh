#!/usr/bin/env bash
# redqueen against its peers on suites of several shapes, each way of a
# suite measured side by side, interleaved run by run (so that the machine's
# drift falls on every way alike), median of RUNS; one markdown table per
# suite with seconds and ratios to native serial and to the makespan's lower
# bound with 2 workers where there is one:
#  1. googletest's own test programs (the 20 below, built from
#     /usr/src/googletest into build/googletest-own as verdict_parity.sh
#     does): native serial (one program after another), GoogleTest's own
#     sharding (2 shards of a binary at once, binaries in turn), ctest -j 2
#     (a process per program), redqueen run -j 2 on exec pawns over all of
#     them in one invocation, with history and on an empty store. Bound:
#     max(native serial / 2, longest test of the native JSON reports).
#  2. fmt-like: 20 binaries of 30 tests, about 10 ms of busy CPU each,
#     unmodified (GTest::gtest_main) and, for redqueen, also as resident
#     pawns: native serial, ctest -j 2 (a process per binary), redqueen run
#     -j 2 over all 20 with history and on an empty store.
#  3. leveldb-like: one binary of 200 short tests (1-10 ms) and 4 long ones
#     (1-1.5 s, busy CPU) registered last: native, GoogleTest's sharding,
#     ctest -j 2 (a process per test), redqueen on resident and exec pawns,
#     with history and on an empty store. Bound: max(total / 2, longest).
#  4. run_bench.sh's 10,000 trivial tests and 200 sleepy tests, its ways
#     (native, first, resident, exec, 2 shards) and its sleepy bound.
# "With history" means after one run on that store; the ctest ways run once
# before too (a check of their counts), so ctest orders by the costs it
# recorded then, as it would in a build tree. Every way is checked once
# before it is timed: its exit code and how many tests it ran, printed under
# each table. A way that fails prints "failed" in its row.
# Usage: bench/cross_binary.sh [RUNS]   (RUNS defaults to 5)
# Takes about 7 minutes with RUNS=5 (5 with RUNS=3) on the 2-core
# development machine, once the builds are there; building googletest's
# programs the first time takes about 8 minutes more.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
scripts/setup.sh
cmake --preset bench >/dev/null
cmake --build --preset bench -j 2 >/dev/null
build=$PWD/build/bench
bench=$build/bench
redqueen=$build/queen/redqueen

# googletest's test programs that run by themselves and pass natively and
# under redqueen. Left out: those driven by Python scripts or needing
# arguments; gtest_environment_test and gtest_stress_test (their own main()
# expects RUN_ALL_TESTS to fail, so --gtest_list_tests aborts);
# gtest-unittest-api_test, googletest-param-test-test and
# googletest-listener-test (they check the whole program ran in one process:
# see ../shared/DESIGN.md).
googletest_programs=(
  gtest_unittest googletest-death-test-test googletest-filepath-test
  googletest-message-test googletest-options-test googletest-port-test
  googletest-printers-test googletest-test-part-test gtest-typed-test_test
  gtest_pred_impl_unittest gtest_skip_test
  gmock-actions_test gmock-cardinalities_test gmock-function-mocker_test
  gmock-internal-utils_test gmock-matchers-comparisons_test
  gmock-matchers-containers_test gmock-matchers-misc_test
  gmock-nice-strict_test gmock-spec-builders_test
)
own=$PWD/build/googletest-own
cmake -S /usr/src/googletest -B "$own" -DCMAKE_BUILD_TYPE=Release \
  -Dgtest_build_tests=ON -Dgmock_build_tests=ON >/dev/null
cmake --build "$own" -j 2 --target "${googletest_programs[@]}" >/dev/null
gt_bins=()
for program in "${googletest_programs[@]}"; do
  gt_bins+=("$(find "$own" -type f -name "$program" -perm -u+x | head -n 1)")
done
fmt_bins=("$bench"/bench_fmt_[0-9][0-9])
fmt_resident_bins=("$bench"/bench_fmt_resident_[0-9][0-9])

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every test's temporary files (and redqueen's pawns') go below the work
# directory, away from another run's fixed paths under /tmp.
mkdir -p "$work/tmp/shard0" "$work/tmp/shard1" "$work/check" "$work/cwd"
export TMPDIR=$work/tmp
cd "$work/cwd"

calc() { awk "BEGIN { print $1 }"; }

# The median of the numbers in file $1, or "failed" when a run failed.
median() {
  if [[ ! -s $1 ]] || grep -q failed "$1"; then
    echo failed
  else
    sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
  fi
}

# Wall seconds of a command, its output discarded; "failed" when it fails.
wall() {
  local start end
  start=$(date +%s.%N)
  if "$@" >/dev/null 2>&1; then
    end=$(date +%s.%N)
    calc "$end - $start"
  else
    echo failed
  fi
}

# A way is the function SUITE_WAY, else rb_WAY (run_bench.sh's ways), called
# with the suite's name; measure SUITE WAY... runs them RUNS times,
# interleaved, appending wall times to $work/SUITE.WAY.
measure() {
  local suite=$1 way run
  shift
  for way; do : >"$work/times.$suite.$way"; done
  for _ in $(seq "$runs"); do
    for way; do
      run=${suite}_$way
      declare -F "$run" >/dev/null || run=rb_$way
      wall "$run" "$suite" >>"$work/times.$suite.$way"
    done
  done
}

# table SUITE BOUND WAY... prints the medians of the ways as a markdown
# table, with ratios to the first way (native) and to BOUND ("" for none).
table() {
  local suite=$1 bound=$2 way t native
  shift 2
  native=$(median "$work/times.$suite.$1")
  if [[ -n $bound ]]; then
    printf '| way | seconds | x native | x bound |\n|---|--:|--:|--:|\n'
  else
    printf '| way | seconds | x native |\n|---|--:|--:|\n'
  fi
  for way; do
    t=$(median "$work/times.$suite.$way")
    printf '| %s | ' "${label[$suite.$way]}"
    if [[ $t == failed ]]; then
      printf 'failed | |%s\n' "${bound:+ |}"
      continue
    fi
    printf '%.3f | ' "$t"
    if [[ $native == failed ]]; then printf '|'; else printf '%.2fx |' "$(calc "$t / $native")"; fi
    [[ -n $bound ]] && printf ' %.2fx |' "$(calc "$t / $bound")"
    printf '\n'
  done
}

declare -A label

# Sets $first to a store path not used before, for a first run (so that no
# removal is timed). Not in a subshell: the count must last.
fresh=0
next_first() {
  fresh=$((fresh + 1))
  first=$work/first$fresh.db
}

# Programs in turn; the first failure fails the way.
serial() {
  local bin
  for bin; do "$bin" || return; done
}

# GoogleTest's sharding: both shards of a binary at once, each with a temp
# directory of its own (googletest-filepath-test's fixed paths under it would
# race), binaries one after another.
shards() {
  local bin i rc=0 pids
  for bin; do
    pids=()
    for i in 0 1; do
      TEST_TMPDIR=$work/tmp/shard$i GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=$i "$bin" &
      pids+=($!)
    done
    wait "${pids[0]}" || rc=1
    wait "${pids[1]}" || rc=1
    ((rc == 0)) || return 1
  done
}

# ctest_file DIR NAME COMMAND... adds a test to DIR/CTestTestfile.cmake,
# which is all ctest --test-dir DIR needs.
ctest_file() {
  local dir=$1 name=$2 arg line
  shift 2
  mkdir -p "$dir"
  line="add_test(\"$name\""
  for arg; do line+=" \"$arg\""; done
  echo "$line)" >>"$dir/CTestTestfile.cmake"
}

# The "name" of each test of binary $1, from --gtest_list_tests.
list_tests() {
  "$1" --gtest_list_tests | awk '/^[^ ]/ {suite = $1} /^  / {print suite $1}'
}

# How many tests the gtest runs whose output is in the files ran.
gtest_ran() {
  sed -n 's/^\[==========\] \([0-9]*\) tests\{0,1\} from .* ran\..*/\1/p' "$@" |
    awk '{s += $1} END {print s + 0}'
}

# "COUNT TOTAL LONGEST PROGRAMS" of the tests that ran in gtest JSON reports:
# their number, the sum and the longest of their times, and the sum of the
# reports' own times (tests shorter than gtest's 1 ms resolution count there).
json_stats() {
  python3 - "$@" <<'PY'
import json, sys
count, total, longest, programs = 0, 0.0, 0.0, 0.0
seconds = lambda text: float(text.rstrip("s"))
for path in sys.argv[1:]:
    report = json.load(open(path))
    programs += seconds(report.get("time", "0s"))
    for suite in report.get("testsuites", []):
        for test in suite.get("testsuite", []):
            if test.get("status") == "NOTRUN":
                continue
            time = seconds(test.get("time", "0s"))
            count, total, longest = count + 1, total + time, max(longest, time)
print(count, total, longest, programs)
PY
}

# Checks, each run once before the timed runs; each prints "WHAT: ...".
# check_native SUITE BIN...: exit codes, and JSON reports in $work/SUITE.json/.
check_native() {
  local suite=$1 bin i=0 bad=0 count
  shift
  mkdir -p "$work/$suite.json"
  for bin; do
    i=$((i + 1))
    "$bin" --gtest_output="json:$work/$suite.json/$i.json" >/dev/null 2>&1 || bad=$((bad + 1))
  done
  read -r count _ < <(json_stats "$work/$suite.json"/*.json)
  echo "native: $count tests in $# process(es), $bad exited non-zero"
}
check_shards() {
  local bin i n=0 bad=0
  for bin; do
    n=$((n + 1))
    for i in 0 1; do
      TEST_TMPDIR=$work/tmp/shard$i GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=$i "$bin" \
        >"$work/check/shard.$n.$i" 2>&1 || bad=$((bad + 1))
    done
  done
  echo "gtest shards: $(gtest_ran "$work"/check/shard.*) tests in $((2 * n)) processes," \
    "$bad exited non-zero"
  rm -f "$work"/check/shard.*
}
check_ctest() {
  local rc=0
  ctest --test-dir "$1" -j 2 >"$work/check/ctest" 2>&1 || rc=$?
  echo "ctest: $(grep -E 'tests passed|No tests were found' "$work/check/ctest" || echo 'no summary'), exit $rc"
}
check_redqueen() {
  local rc=0
  "$redqueen" run "$@" >"$work/check/rq" 2>&1 || rc=$?
  echo "redqueen $(grep -o -- '--pawn [a-z]*' <<<"$*"):" \
    "$(awk '/^total_tests:|^tests_passed:|^tests_skipped:/ {printf "%s %s ", $1, $2}' "$work/check/rq")exit $rc"
}
# Prints the check lines as a list under a table.
report_checks() { sed 's/^/- check: /' "$work/$1.checks"; }

# 1. googletest's own test programs.
gt_native() { serial "${gt_bins[@]}"; }
gt_shards() { shards "${gt_bins[@]}"; }
gt_ctest() { ctest --test-dir "$work/gt.ctest" -j 2; }
gt_history() { "$redqueen" run "${gt_bins[@]}" -j 2 --pawn exec --db "$work/gt.db"; }
gt_first() { next_first; "$redqueen" run "${gt_bins[@]}" -j 2 --pawn exec --db "$first"; }
label[gt.native]="native serial"
label[gt.shards]="gtest sharding, 2 shards per binary"
label[gt.ctest]="ctest -j 2, a process per program"
label[gt.history]="redqueen -j 2 exec, with history"
label[gt.first]="redqueen -j 2 exec, first run"
for bin in "${gt_bins[@]}"; do ctest_file "$work/gt.ctest" "$(basename "$bin")" "$bin"; done
{
  check_native gt "${gt_bins[@]}"
  check_shards "${gt_bins[@]}"
  check_ctest "$work/gt.ctest"
  check_redqueen "${gt_bins[@]}" -j 2 --pawn exec --db "$work/gt.db"
} >"$work/gt.checks"
measure gt native shards ctest history first
read -r gt_count _ gt_longest _ < <(json_stats "$work/gt.json"/*.json)
gt_serial=$(median "$work/times.gt.native")
echo "### googletest's own test programs: ${#gt_bins[@]} programs, $gt_count tests (median of $runs)"
echo
if [[ $gt_serial == failed ]]; then
  gt_bound=
  printf 'Bound with 2 workers: unknown (native serial failed)\n\n'
else
  gt_bound=$(calc "($gt_serial / 2 > $gt_longest) ? $gt_serial / 2 : $gt_longest")
  printf 'Bound with 2 workers: max(native serial %.3f s / 2, longest test %.3f s) = %.3f s\n\n' \
    "$gt_serial" "$gt_longest" "$gt_bound"
fi
table gt "$gt_bound" native shards ctest history first
echo
report_checks gt
echo

# 2. fmt-like: 20 small binaries.
fmt_native() { serial "${fmt_bins[@]}"; }
fmt_ctest() { ctest --test-dir "$work/fmt.ctest" -j 2; }
fmt_exec_history() { "$redqueen" run "${fmt_bins[@]}" -j 2 --pawn exec --db "$work/fmt.db"; }
fmt_exec_first() { next_first; "$redqueen" run "${fmt_bins[@]}" -j 2 --pawn exec --db "$first"; }
fmt_resident_history() {
  "$redqueen" run "${fmt_resident_bins[@]}" -j 2 --pawn resident --db "$work/fmt.db"
}
fmt_resident_first() {
  next_first
  "$redqueen" run "${fmt_resident_bins[@]}" -j 2 --pawn resident --db "$first"
}
label[fmt.native]="native serial"
label[fmt.ctest]="ctest -j 2, a process per binary"
label[fmt.exec_history]="redqueen -j 2 exec, with history"
label[fmt.exec_first]="redqueen -j 2 exec, first run"
label[fmt.resident_history]="redqueen -j 2 resident, with history"
label[fmt.resident_first]="redqueen -j 2 resident, first run"
for bin in "${fmt_bins[@]}"; do ctest_file "$work/fmt.ctest" "$(basename "$bin")" "$bin"; done
{
  check_native fmt "${fmt_bins[@]}"
  check_ctest "$work/fmt.ctest"
  check_redqueen "${fmt_bins[@]}" -j 2 --pawn exec --db "$work/fmt.db"
  check_redqueen "${fmt_resident_bins[@]}" -j 2 --pawn resident --db "$work/fmt.db"
} >"$work/fmt.checks"
measure fmt native ctest exec_history exec_first resident_history resident_first
read -r fmt_count _ _ fmt_total < <(json_stats "$work/fmt.json"/*.json)
echo "### fmt-like: ${#fmt_bins[@]} binaries, $fmt_count tests (median of $runs)"
echo
printf 'Tests take %.3f s in total (the native JSON reports of the binaries).\n\n' "$fmt_total"
table fmt "" native ctest exec_history exec_first resident_history resident_first
echo
report_checks fmt
echo

# 3. leveldb-like: one binary, its 4 long tests registered last.
ldb=$bench/bench_leveldb
ldb_exec=$bench/bench_leveldb_exec
ldb_native() { "$ldb_exec"; }
ldb_shards() { shards "$ldb_exec"; }
ldb_ctest() { ctest --test-dir "$work/ldb.ctest" -j 2; }
ldb_resident_history() { "$redqueen" run "$ldb" -j 2 --pawn resident --db "$work/ldb.db"; }
ldb_resident_first() { next_first; "$redqueen" run "$ldb" -j 2 --pawn resident --db "$first"; }
ldb_exec_history() { "$redqueen" run "$ldb_exec" -j 2 --pawn exec --db "$work/ldb.db"; }
ldb_exec_first() { next_first; "$redqueen" run "$ldb_exec" -j 2 --pawn exec --db "$first"; }
label[ldb.native]="native, one process"
label[ldb.shards]="gtest sharding, 2 processes"
label[ldb.ctest]="ctest -j 2, a process per test"
label[ldb.resident_history]="redqueen -j 2 resident, with history"
label[ldb.resident_first]="redqueen -j 2 resident, first run"
label[ldb.exec_history]="redqueen -j 2 exec, with history"
label[ldb.exec_first]="redqueen -j 2 exec, first run"
while read -r test; do
  ctest_file "$work/ldb.ctest" "$test" "$ldb_exec" "--gtest_filter=$test"
done < <(list_tests "$ldb_exec")
{
  check_native ldb "$ldb_exec"
  check_shards "$ldb_exec"
  check_ctest "$work/ldb.ctest"
  check_redqueen "$ldb" -j 2 --pawn resident --db "$work/ldb.db"
  check_redqueen "$ldb_exec" -j 2 --pawn exec --db "$work/ldb.db"
} >"$work/ldb.checks"
ldb_ways=(native shards ctest resident_first exec_first resident_history exec_history)
measure ldb "${ldb_ways[@]}"
read -r ldb_count ldb_total ldb_longest _ < <(json_stats "$work/ldb.json"/*.json)
ldb_bound=$(calc "($ldb_total / 2 > $ldb_longest) ? $ldb_total / 2 : $ldb_longest")
echo "### leveldb-like: one binary, $ldb_count tests, the 4 long ones registered last (median of $runs)"
echo
printf 'Bound with 2 workers: max(total %.3f s / 2, longest %.3f s) = %.3f s\n\n' \
  "$ldb_total" "$ldb_longest" "$ldb_bound"
table ldb "$ldb_bound" "${ldb_ways[@]}"
echo
report_checks ldb
echo

# 4. run_bench.sh's suites and ways (resident and exec share the history).
rb_native() { "$bench/bench_$1"; }
rb_first() { next_first; "$redqueen" run "$bench/bench_$1" -j 2 --pawn resident --db "$first"; }
rb_resident() { "$redqueen" run "$bench/bench_$1" -j 2 --pawn resident --db "$work/$1.db"; }
rb_exec() { "$redqueen" run "$bench/bench_$1" -j 2 --pawn exec --db "$work/$1.db"; }
rb_shards() { shards "$bench/bench_$1"; }
for suite in trivial sleepy; do
  label[$suite.native]="native, one process"
  label[$suite.first]="redqueen -j 2 resident, first run"
  label[$suite.resident]="redqueen -j 2 resident, with history"
  label[$suite.exec]="redqueen -j 2 exec, with history"
  label[$suite.shards]="gtest sharding, 2 processes"
  {
    check_native "$suite" "$bench/bench_$suite"
    check_shards "$bench/bench_$suite"
    check_redqueen "$bench/bench_$suite" -j 2 --pawn resident --db "$work/$suite.db"
  } >"$work/$suite.checks"
  measure "$suite" native first resident exec shards
done

echo "### 10,000 trivial tests (median of $runs)"
echo
table trivial "" native first resident exec shards
echo
report_checks trivial
echo

# As run_bench.sh: test i sleeps 10 + (37 i mod 90) ms (sleepy_test.cc).
sleepy_total=0
sleepy_longest=0
for i in $(seq 0 199); do
  d=$((10 + (37 * i) % 90))
  sleepy_total=$((sleepy_total + d))
  ((d > sleepy_longest)) && sleepy_longest=$d
done
sleepy_bound=$(calc "($sleepy_total / 2000 > $sleepy_longest / 1000) ? $sleepy_total / 2000 : $sleepy_longest / 1000")
echo "### 200 sleepy tests (median of $runs)"
echo
printf 'Bound with 2 workers: max(total %.3f s / 2, longest %.3f s) = %.3f s\n\n' \
  "$(calc "$sleepy_total / 1000")" "$(calc "$sleepy_longest / 1000")" "$sleepy_bound"
table sleepy "$sleepy_bound" native first resident exec shards
echo
report_checks sleepy
