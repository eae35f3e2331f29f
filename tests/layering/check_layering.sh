#!/usr/bin/env bash
# Fails when an #include points up the order of the parts (docs/ARCHITECTURE.md
# "Parts"), or when fs/ or tools/ reach the index or LMDB directly: they read
# through the store's read view (store/catalog/catalog_view.h).
#
#   tests/layering/check_layering.sh [SOURCE_ROOT [BUILD_DIR]]
#
# With a Ninja BUILD_DIR that has been built, also checks what the compiler
# saw: no object of fs/ or tools/ depended on <lmdb.h>, even through a header.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${2:-}
cd "$root"

# What each folder may include of ours, besides itself: folders, or single
# headers (index/entries.h holds the index's plain values, no LMDB).
declare -A allowed=(
  [store/core]=""
  [index]="store/core"
  [store/pack]="store/core index/entries.h"
  [store/object]="store/core store/pack index"
  [store/fasta]="store/core"
  [store/catalog]="store/core store/pack store/object store/fasta index"
  [store/reduce]="store/core store/pack store/object store/fasta store/catalog index"
  [store/maintenance]="store/core store/pack store/object store/fasta store/catalog store/reduce index"
  [fs]="store/core store/pack store/object store/fasta store/catalog store/reduce store/maintenance"
  [tools]="store/core store/pack store/object store/fasta store/catalog store/reduce store/maintenance"
)

bad=0
for dir in "${!allowed[@]}"; do
  [[ -d $dir ]] || continue
  while IFS= read -r file; do
    while IFS= read -r inc; do
      target=${inc%/*}
      [[ $target == "$dir" ]] && continue
      ok=0
      for a in ${allowed[$dir]}; do [[ $target == "$a" || $inc == "$a" ]] && ok=1; done
      if ((ok == 0)); then
        echo "layering: $file includes \"$inc\" ($dir may include: ${allowed[$dir]:-nothing of ours})"
        bad=1
      fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
    if [[ $dir == fs || $dir == tools ]]; then
      if grep -q '^#include <lmdb.h>' "$file"; then
        echo "layering: $file includes <lmdb.h> (fs/ and tools/ read through the store)"
        bad=1
      fi
      if grep -n '[.>]index()' "$file"; then
        echo "layering: $file reaches the index through ObjectStore::index() (use store/catalog/catalog_view.h)"
        bad=1
      fi
    fi
  done < <(find "$dir" -maxdepth 1 -name '*.h' -o -maxdepth 1 -name '*.cc')
done
# No source file may sit directly in store/: every one belongs to a part.
stray=$(find store -maxdepth 1 -name '*.h' -o -maxdepth 1 -name '*.cc')
if [[ -n $stray ]]; then
  echo "layering: files outside any part of store/: $stray"
  bad=1
fi
if [[ -n $build && -f $build/build.ninja ]] && command -v ninja >/dev/null; then
  leaks=$(ninja -C "$build" -t deps 2>/dev/null |
    awk '/^[^ ].*: #deps/ { obj = $1; next }
         /lmdb\.h$/ && obj ~ /^(fs|tools)\/CMakeFiles\// { print obj }' | sort -u)
  if [[ -n $leaks ]]; then
    echo "layering: these objects of fs/ or tools/ see <lmdb.h> through a header:"
    echo "$leaks"
    bad=1
  fi
fi
if ((bad)); then exit 1; fi
echo "layering: every include follows the order of the parts"
