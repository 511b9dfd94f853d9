#!/usr/bin/env bash
# Sets up, builds redqueen and the example suite, and runs the suite on two
# pawns: the README's first command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j 2 --target redqueen example_test
build/release/queen/redqueen run build/release/examples/example_test -j 2
