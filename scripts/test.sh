#!/usr/bin/env bash
# Sets up, checks that every C++ file is as clang-format writes it, builds
# everything and passes the whole test suite, then again under
# ASan+UBSan, then runs each fuzz target briefly (clang, preset fuzz; ctest
# fails if one crashes): the README's second command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/check_format.sh
for preset in release asan fuzz; do
  echo "== $preset: build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j 2
  echo "== $preset: test"
  ctest --preset "$preset"
done
