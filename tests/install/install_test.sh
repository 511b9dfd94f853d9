#!/usr/bin/env bash
# Installs redqueen from BUILD_DIR into a temporary prefix, builds a separate
# project against it with find_package(redqueen CONFIG), and runs that
# project's test binary by hand and under the installed redqueen.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A sanitizer build installs instrumented libraries: build the consumer alike.
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt"; }

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="$(cache_value CMAKE_CXX_FLAGS)" \
  -DCMAKE_EXE_LINKER_FLAGS="$(cache_value CMAKE_EXE_LINKER_FLAGS)" >/dev/null
cmake --build "$work/build" -j 2 >/dev/null
"$work/build/consumer_test" >/dev/null
"$work/prefix/bin/redqueen" run "$work/build/consumer_test" -j 2 --db "$work/rq.db" \
  >"$work/out"
grep -q "tests_passed: 3" "$work/out"
"$work/prefix/bin/redqueen" bench "$work/build/consumer_test" --bench-time 20ms \
  --db "$work/rq.db" >"$work/out" 2>/dev/null
grep -q "Consumer.Sums" "$work/out"
"$work/build/own_main_test" >/dev/null
"$work/prefix/bin/redqueen" run "$work/build/own_main_test" --db "$work/rq.db" >"$work/out"
grep -q "resident pawn" "$work/out"
echo "installed redqueen works from another project"
