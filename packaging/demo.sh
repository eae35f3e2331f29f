#!/usr/bin/env bash
# The main job: installs what is needed, builds talaria-store, creates a store
# from the bundled real sample data (tests/data/) by ingesting it as a
# database, and shows what it holds.
# Run as root on Debian 12. The store goes to $TALARIA_DEMO_STORE
# (default /tmp/talaria-demo); running again reuses it (puts are idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${TALARIA_BUILD_DIR:-build}
STORE=${TALARIA_DEMO_STORE:-/tmp/talaria-demo}

packaging/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD" -j"$(nproc)" --target talaria-store
TS="$BUILD/tools/talaria-store"

if [[ ! -d "$STORE/index" ]]; then
  "$TS" init "$STORE"
fi
echo "== ingest the bundled real sequences as database 'sample', version 1"
"$TS" --store "$STORE" ingest tests/data/*.fa* --db sample --version 1
echo "== db show sample"
"$TS" --store "$STORE" db show sample
echo "== taxonomy stats (top 5)"
"$TS" --store "$STORE" taxonomy stats --top 5
echo "== stats"
"$TS" --store "$STORE" stats
echo "== verify"
"$TS" --store "$STORE" verify
echo
echo "Store ready in $STORE. Try: $TS --store $STORE db export sample --file dictdisc.faa | head"
