#!/usr/bin/env bash
# The main job: installs what is needed, builds talaria-store and talariafs,
# creates a store from the bundled real sample data (tests/data/): loads the
# bundled NCBI taxonomy subset (tests/data/taxdump/), ingests the sequences as a
# database, reduces it (profile sample90), shows what it holds, and mounts it
# with talariafs, where by-taxon/9606/ holds the human records.
# Run as root on Debian 12. The store goes to $TALARIA_DEMO_STORE
# (default /tmp/talaria-demo); running again reuses it (ingesting the same
# files again changes nothing). A store whose sample/1 holds other content (the
# bundled data, or the store format, changed since it was made) is a leftover
# demo: it is removed and made again.
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

if mountpoint -q "$MNT"; then fusermount3 -u "$MNT"; fi
if [[ ! -d "$STORE/index" ]]; then
  "$TS" init "$STORE"
fi
echo "== load the bundled NCBI taxonomy subset (replaces any tree loaded before)"
"$TS" --store "$STORE" taxonomy load tests/data/taxdump/nodes.dmp tests/data/taxdump/names.dmp
echo "== ingest the bundled real sequences as database 'sample', version 1"
if ! "$TS" --store "$STORE" ingest tests/data/*.fa* --db sample --version 1 2> "$STORE.ingest.err"; then
  cat "$STORE.ingest.err" >&2
  grep -q "versions are immutable" "$STORE.ingest.err" || exit 1
  echo "== $STORE is an older demo's store: making it again"
  rm -rf "$STORE"
  "$TS" init "$STORE"
  "$TS" --store "$STORE" taxonomy load tests/data/taxdump/nodes.dmp tests/data/taxdump/names.dmp
  "$TS" --store "$STORE" ingest tests/data/*.fa* --db sample --version 1
fi
rm -f "$STORE.ingest.err"
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
mkdir -p "$MNT"
"$FS" "$STORE" "$MNT"
echo "== ls -l $MNT/databases/sample/1"
ls -l "$MNT/databases/sample/1"
echo "== ls $MNT/by-taxon | head   ($(ls "$MNT/by-taxon" | wc -l) taxa with records)"
ls "$MNT/by-taxon" | sed -n '1,10p'
echo "== cat $MNT/by-taxon/9606/.name"
cat "$MNT/by-taxon/9606/.name"
echo "== ls -lA $MNT/by-taxon/9606/"
ls -lA "$MNT/by-taxon/9606/"
echo "== grep -c '>' $MNT/by-taxon/9606/sample.fasta   (human records)"
grep -c '>' "$MNT/by-taxon/9606/sample.fasta"
echo "== ls -l $MNT/reductions/sample90"
ls -l "$MNT/reductions/sample90"
echo "== cmp $MNT/databases/sample/1/dictdisc.faa tests/data/dictdisc.faa"
cmp "$MNT/databases/sample/1/dictdisc.faa" tests/data/dictdisc.faa && echo "identical"
echo
echo "Mounted at $MNT (store in $STORE). Try: seqkit stats $MNT/databases/sample/current/*.fa*"
echo "Unmount with: fusermount3 -u $MNT"
