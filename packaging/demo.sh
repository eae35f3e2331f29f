#!/usr/bin/env bash
# The main job: installs what is needed, builds talaria-store and talariafs,
# creates a store from the bundled real sample data (tests/data/) by ingesting
# it as a database, reduces it (profile sample90), shows what it holds, and
# mounts it with talariafs.
# Run as root on Debian 12. The store goes to $TALARIA_DEMO_STORE
# (default /tmp/talaria-demo); running again reuses it (puts are idempotent).
# The mount goes to $TALARIA_DEMO_MNT (default /tmp/talaria-demo-mnt) and is
# left mounted: fusermount3 -u unmounts it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${TALARIA_BUILD_DIR:-build}
STORE=${TALARIA_DEMO_STORE:-/tmp/talaria-demo}
MNT=${TALARIA_DEMO_MNT:-/tmp/talaria-demo-mnt}

packaging/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD" -j"$(nproc)" --target talaria-store talariafs
TS="$BUILD/tools/talaria-store"
FS="$BUILD/fs/talariafs"

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
echo "== reduce it: references at 90 % identity, every other sequence an exact delta"
"$TS" --store "$STORE" reduce --db sample --profile sample90 --identity 0.9
echo "== verify"
"$TS" --store "$STORE" verify
echo "== mount it: $FS $STORE $MNT"
if mountpoint -q "$MNT"; then fusermount3 -u "$MNT"; fi
mkdir -p "$MNT"
"$FS" "$STORE" "$MNT"
echo "== ls -l $MNT/databases/sample/1"
ls -l "$MNT/databases/sample/1"
echo "== ls $MNT/by-taxon"
ls "$MNT/by-taxon"
echo "== ls -l $MNT/reductions/sample90"
ls -l "$MNT/reductions/sample90"
echo "== cmp $MNT/databases/sample/1/dictdisc.faa tests/data/dictdisc.faa"
cmp "$MNT/databases/sample/1/dictdisc.faa" tests/data/dictdisc.faa && echo "identical"
echo
echo "Mounted at $MNT (store in $STORE). Try: seqkit stats $MNT/databases/sample/current/*.fa*"
echo "Unmount with: fusermount3 -u $MNT"
