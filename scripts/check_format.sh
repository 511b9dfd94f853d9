#!/usr/bin/env bash
# Fails, naming the files, when clang-format (.clang-format at the top) would
# change a tracked C++ file. Fix with: git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
differ=()
while IFS= read -r file; do
  [ -f "$file" ] || continue  # deleted, not yet committed
  clang-format --style=file "$file" | cmp -s - "$file" || differ+=("$file")
done < <(git ls-files '*.cc' '*.h')
if ((${#differ[@]})); then
  echo "format: clang-format would change ${#differ[@]} file(s):" >&2
  printf '  %s\n' "${differ[@]}" >&2
  echo "format: run  git ls-files '*.cc' '*.h' | xargs clang-format -i" >&2
  exit 1
fi
echo "format: every C++ file is as clang-format writes it"
