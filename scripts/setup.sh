#!/usr/bin/env bash
# Installs what redqueen needs to build and test, from Debian packages.
# A no-op (no apt-get at all) when everything is already installed.
set -euo pipefail

packages=(
  g++ cmake make clang-format
  clang libclang-rt-dev  # libFuzzer, for the fuzz preset
  libboost-dev libboost-filesystem-dev
  libcereal-dev libcli11-dev
  googletest libgtest-dev libgmock-dev
  libbenchmark-dev  # the Google Benchmark fixture of `redqueen bench`
  libsqlite3-dev sqlite3 nlohmann-json3-dev
  python3
  chromium  # renders redqueen's HTML report in its end-to-end test
  zsh groff-base  # check the zsh completion script and render the man page
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
