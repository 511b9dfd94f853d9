#!/usr/bin/env bash
# The benchmark gate on this machine, side by side in one run:
#  (a) false alarms: TRIALS `redqueen bench ab` of one build against itself
#      (BM_Knob), at the default 5% threshold and at 2%: never "slower";
#  (b) sensitivity: a build whose BM_Knob is 10% slower, at the default 5%
#      threshold (target: slower in >= 19 of 20), and one 5% slower, at
#      --threshold 2 (>= 15 of 20; a change of exactly the threshold
#      cannot lie wholly beyond it half of the time);
#  (c) beside each trial, the same two builds run directly by Google
#      Benchmark (10 repetitions each), those two files judged by
#      `redqueen bench compare` and by Google Benchmark's compare.py (its
#      exit code, and its U test's p < 0.05), when COMPARE_PY names it;
#  (d) noise: the coefficient of variation of 10 repetitions of a 1 ms
#      benchmark of real work (BM_MillisecondWork) under `redqueen bench`
#      and run directly by Google Benchmark, alternately, NOISE_RUNS times
#      each: the median CVs.
# Usage: [COMPARE_PY=.../tools/compare.py] bench/bench_gate.sh [TRIALS] [NOISE_RUNS]
# (TRIALS 0: the noise alone.)
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-20}
noise_runs=${2:-5}
scripts/setup.sh
cmake --preset bench >/dev/null
cmake --build --preset bench -j 2 >/dev/null
build=$PWD/build/bench
redqueen=$build/queen/redqueen
knob=$build/bench/bench_knob
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3
if [[ -n "${COMPARE_PY:-}" ]] && ! $python -c 'import scipy' 2>/dev/null; then
  echo "compare.py needs scipy: apt-get install python3-scipy" >&2
  exit 2
fi

# The verdict of the one benchmark of a comparison's --json file.
verdict() {
  [[ -f "$1" ]] || { echo "failed"; return; }
  $python -c 'import json,sys; b=json.load(open(sys.argv[1]))["benchmarks"][0]; print(b.get("verdict", b.get("missing")))' "$1"
}

# gbench BUILD OUT: BM_Knob by Google Benchmark itself, 10 repetitions of
# 0.1 s (as long as each of ab's processes measures, within a factor 2).
gbench() {
  "$knob"_"$1" --benchmark_filter='^BM_Knob$' --benchmark_repetitions=10 --benchmark_min_time=0.1 \
    --benchmark_out="$2" --benchmark_out_format=json >/dev/null 2>&1
}

# compare.py's p-value of the U test for BM_Knob, and its exit code.
compare_py() {
  local out code=0
  out=$($python "$COMPARE_PY" --no-color benchmarks "$1" "$2" 2>&1) || code=$?
  local p
  p=$(awk '/BM_Knob_pvalue/ { print $2; exit }' <<<"$out")
  echo "${p:-?} $code"
}

# scenario NAME BASE NEW [ab options...]
scenario() {
  local name=$1 base=$2 fresh=$3
  shift 3
  local slower=0 unstable=0 cmp_slower=0 py_low_p=0 py_nonzero=0
  for ((i = 1; i <= trials; i++)); do
    local ab_json=$work/ab.json
    # A trial that fails leaves no verdict: never the last one's.
    rm -f "$ab_json" "$work/cmp.json" "$work/a.json" "$work/b.json"
    "$redqueen" bench ab "$knob"_"$base" "$knob"_"$fresh" --filter BM_Knob --db "$work/ab.db" \
      --no-fail-unstable --json "$ab_json" "$@" >/dev/null 2>&1 || true
    local v
    v=$(verdict "$ab_json")
    [[ "$v" == slower ]] && slower=$((slower + 1))
    [[ "$v" == unstable ]] && unstable=$((unstable + 1))
    gbench "$base" "$work/a.json"
    gbench "$fresh" "$work/b.json"
    "$redqueen" bench compare "$work/a.json" "$work/b.json" --no-fail-unstable \
      --json "$work/cmp.json" "$@" >/dev/null 2>&1 || true
    [[ $(verdict "$work/cmp.json") == slower ]] && cmp_slower=$((cmp_slower + 1))
    if [[ -n "${COMPARE_PY:-}" ]]; then
      read -r p code < <(compare_py "$work/a.json" "$work/b.json")
      [[ "$code" != 0 ]] && py_nonzero=$((py_nonzero + 1))
      awk -v p="$p" 'BEGIN { exit !(p < 0.05) }' && py_low_p=$((py_low_p + 1))
    fi
  done
  local py="(COMPARE_PY not set)"
  [[ -n "${COMPARE_PY:-}" ]] && py="$py_low_p with p < 0.05, exit code non-zero $py_nonzero times"
  printf '| %s | %d of %d (%d unstable) | %d of %d | %s |\n' "$name" "$slower" "$trials" \
    "$unstable" "$cmp_slower" "$trials" "$py"
}

if ((trials > 0)); then
  echo "== (a)-(c): $trials trials each"
  echo "| scenario | bench ab: slower | bench compare on GB's files: slower | compare.py on the same files |"
  echo "|---|---|---|---|"
  scenario "A/A, 5% threshold" 100 100
  scenario "A/A, 2% threshold" 100 100 --threshold 2
  scenario "10% slower, 5% threshold" 100 110
  scenario "5% slower, 2% threshold" 100 105 --threshold 2
fi

echo "== (d) noise: CV of 10 repetitions of BM_MillisecondWork, median of $noise_runs"
cv_of() {  # FILE KIND: the CV of the real times of BM_Millisecond's repetitions
  $python - "$1" "$2" <<'PY'
import json, statistics, sys
data = json.load(open(sys.argv[1]))
if sys.argv[2] == "redqueen":
    times = [s["real_ns"] for b in data["benchmarks"] for s in b["samples"]]
else:
    times = [b["real_time"] for b in data["benchmarks"] if b.get("run_type") == "iteration"]
print(statistics.stdev(times) / statistics.mean(times))
PY
}
rq_cvs=() gb_cvs=()
for ((i = 1; i <= noise_runs; i++)); do
  "$redqueen" bench "$knob"_100 --filter BM_MillisecondWork --repetitions 10 --bench-time 0.5s \
    --db "$work/noise.db" --json "$work/rq.json" >/dev/null 2>&1
  rq_cvs+=("$(cv_of "$work/rq.json" redqueen)")
  "$knob"_100 --benchmark_filter='^BM_MillisecondWork$' --benchmark_repetitions=10 \
    --benchmark_min_time=0.5 --benchmark_out="$work/gb.json" --benchmark_out_format=json \
    >/dev/null 2>&1
  gb_cvs+=("$(cv_of "$work/gb.json" gbench)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "| way | CV (median of $noise_runs) | each |"
echo "|---|---|---|"
echo "| redqueen bench (pinned, one at a time) | $(median "${rq_cvs[@]}") | ${rq_cvs[*]} |"
echo "| Google Benchmark directly | $(median "${gb_cvs[@]}") | ${gb_cvs[*]} |"
