#!/usr/bin/env bash
# run_scale_bench.sh [BUILD_DIR] — the store at scale (issue 13): ingests a
# generated release of SIZE_MB MB with TAXA taxa and its release 2, mounts the
# store, and reports next to what a user would otherwise pick, in the same run:
#   ingest MB/s and peak RSS (release 1 and 2), against the same ingest of the
#     release's first BASE_MB MB (the "200 MB figure") and against borg;
#   bytes on disk against `zstd -3` of the file and a borg (zstd,3) repository;
#   release-2 cost: what it adds to the store and to borg, and the zstd -3 size
#     of the records that changed;
#   the daemon: RSS after mounting, a cold read of one by-taxon file, `ls -l
#     by-taxon/` against `ls -l` of a native directory of as many entries, a
#     whole cold read of release 2, and the daemon's peak RSS against its
#     cache settings (cache_mb + map_cache_mb).
# Aims (issue 13): ingest peak RSS <= 2 GiB; ingest MB/s within 15 % of the
# BASE_MB figure; daemon RSS bounded by its cache settings; ls -l by-taxon/
# <= 3x native.
#
# Environment (all optional):
#   SIZE_MB=10000  TAXA=200000   the generated data (gen_protein_db.py; 10 GB takes
#                                about an hour and ~15 GB of RAM per release to generate)
#   R1=FILE R2=FILE              use these releases instead of generating them
#   BASE_MB=200                  size of the baseline ingest
#   THREADS=2                    talaria-store --threads
#   CACHE_MB=256                 talariafs -o cache_mb
#   CHANGED=1                    0: skip the zstd -3 size of the changed records
#   EXPORT_CHECK=1               0: skip `db export` = release 1 (a 10 GB cmp)
#   SCRATCH=$TMPDIR              where stores, repositories and mounts go
# Run as root (drops the page cache, mounts). Builds nothing.
set -euo pipefail

BUILD=${1:-./build}
TS=$BUILD/tools/talaria-store
FS=$BUILD/fs/talariafs
SIZE_MB=${SIZE_MB:-10000}
TAXA=${TAXA:-200000}
BASE_MB=${BASE_MB:-200}
THREADS=${THREADS:-2}
CACHE_MB=${CACHE_MB:-256}
MAP_CACHE_MB=64
CHANGED=${CHANGED:-1}
EXPORT_CHECK=${EXPORT_CHECK:-1}
SCRATCH=${SCRATCH:-${TMPDIR:-/tmp}}
GEN=$(cd "$(dirname "$0")" && pwd)/../../../shared/tools/gen_protein_db.py

die() { echo "run_scale_bench.sh: $*" >&2; exit 1; }
[ -x "$TS" ] && [ -x "$FS" ] || die "no $TS or $FS (ninja -C $BUILD)"
for tool in borg zstd python3 awk cmp fusermount3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (packaging/install-deps.sh)"
done
[ "$(id -u)" -eq 0 ] || die "run as root (drops the page cache, mounts)"
TMP=$(mktemp -d "$SCRATCH/scale_bench.XXXXXX")
STORE=$TMP/store
MNT=$TMP/mnt
mkdir -p "$MNT"
cleanup() {
  mountpoint -q "$MNT" && fusermount3 -u "$MNT" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
# shellcheck source=tests/bench/cpu_accounting.sh
. "$(dirname "$0")/cpu_accounting.sh"
export BORG_PASSPHRASE="" BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes
export BORG_BASE_DIR=$TMP/borg-home
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v r="$1" -v aim="$2" -v op="$3" 'BEGIN { ok = (op == "le") ? r <= aim : r >= aim; print ok ? "ok" : "MISS" }'; }
store_bytes() { echo $(( $(du -sb "$STORE/packs" | cut -f1) + $(du -sb "$STORE/index" | cut -f1) )); }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
# timed OUT_PREFIX CMD...: runs CMD; OUT_PREFIX.s gets wall seconds, .rss peak RSS in KiB
timed() {
  local out=$1; shift
  local t0; t0=$(ns)
  /usr/bin/time -f "%M" -o "$out.rss" "$@"
  secs "$t0" "$(ns)" > "$out.s"
}
daemon_pid() { pgrep -f "^$FS $STORE $MNT" | head -1; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
mount_store() {
  "$FS" "$STORE" "$MNT" -o cache_mb="$CACHE_MB" -o map_cache_mb="$MAP_CACHE_MB" || die "talariafs did not mount"
  for _ in $(seq 200); do mountpoint -q "$MNT" && return; sleep 0.05; done
  die "talariafs mount did not appear"
}
umount_store() {
  fusermount3 -u "$MNT"
  for _ in $(seq 200); do [ -z "$(daemon_pid)" ] && return; sleep 0.05; done
}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(borg --version); $(zstd --version | sed 's/.*\(v[0-9.]*\).*/zstd \1/'); talaria-store --threads $THREADS"
echo "== scratch: $TMP ($(df -P "$TMP" | awk 'NR==2 {print $4 / 1e6}') GB free)"
warn_if_busy

if [ -z "${R1:-}" ]; then
  [ -f "$GEN" ] || die "no generator at $GEN"
  echo "== generating releases 1 and 2: --size-mb $SIZE_MB --taxa $TAXA (not timed)"
  python3 "$GEN" --size-mb "$SIZE_MB" --taxa "$TAXA" --release 1 --out "$TMP/r1.fasta" --quiet
  python3 "$GEN" --size-mb "$SIZE_MB" --taxa "$TAXA" --release 2 --out "$TMP/r2.fasta" --quiet
  R1=$TMP/r1.fasta R2=$TMP/r2.fasta
fi
[ -r "$R1" ] && [ -r "$R2" ] || die "cannot read $R1 or $R2"
B1=$(stat -c %s "$R1")
B2=$(stat -c %s "$R2")
echo "   release 1: $R1 ($(mb "$B1") MB); release 2: $R2 ($(mb "$B2") MB)"

# The baseline: the first BASE_MB of release 1, cut at a record boundary.
head -c $((BASE_MB * 1000000)) "$R1" > "$TMP/base.fasta"
{ tail -c +$((BASE_MB * 1000000 + 1)) "$R1" | awk '/^>/ { exit } { print }' >> "$TMP/base.fasta"; } || true
BB=$(stat -c %s "$TMP/base.fasta")
"$TS" init "$TMP/base.store" > /dev/null
cat "$TMP/base.fasta" > /dev/null
timed "$TMP/base" "$TS" --store "$TMP/base.store" --threads "$THREADS" ingest "$TMP/base.fasta" --db gen --version 1 > /dev/null
BASE_RATE=$(mbps "$BB" "$(cat "$TMP/base.s")")
rm -rf "$TMP/base.store" "$TMP/base.fasta"
echo "== baseline: ingest of the first $(mb "$BB") MB: $BASE_RATE MB/s, peak RSS $(( $(cat "$TMP/base.rss") / 1024 )) MB"

echo "== zstd -3 -T$THREADS of release 1"
timed "$TMP/zstd" sh -c "zstd -3 -T$THREADS -qc '$R1' | wc -c > '$TMP/zstd.bytes'"
ZB=$(cat "$TMP/zstd.bytes")

echo "== talaria-store ingest, release 1 and 2"
"$TS" init "$STORE" > /dev/null
timed "$TMP/i1" "$TS" --store "$STORE" --threads "$THREADS" ingest "$R1" --db gen --version 1 > /dev/null
S1=$(store_bytes)
timed "$TMP/i2" "$TS" --store "$STORE" --threads "$THREADS" ingest "$R2" --db gen --version 2 > /dev/null
S2=$(store_bytes)
if [ "$EXPORT_CHECK" = 1 ]; then
  "$TS" --store "$STORE" db export gen/1 | cmp -s - "$R1" || die "db export gen/1 is not release 1"
fi

echo "== borg create --compression zstd,3, release 1 and 2"
borg init -e none "$TMP/borg" > /dev/null
timed "$TMP/b1" borg create --compression zstd,3 "$TMP/borg::1" "$R1"
BO1=$(du -sb "$TMP/borg" | cut -f1)
timed "$TMP/b2" borg create --compression zstd,3 "$TMP/borg::2" "$R2"
BO2=$(du -sb "$TMP/borg" | cut -f1)
rm -rf "$TMP/borg"

CHANGED_Z=""
if [ "$CHANGED" = 1 ]; then
  echo "== the records of release 2 not in release 1 (hashes in memory; not timed)"
  CHANGED_Z=$(python3 "$(dirname "$0")/changed_records.py" "$R1" "$R2" | zstd -3 -qc | wc -c)
fi

echo "== talariafs (cache_mb=$CACHE_MB, map_cache_mb=$MAP_CACHE_MB)"
TAXON=$(head -1 "$R1" | grep -o 'OX=[0-9]*' | cut -d= -f2)
drop_caches
mount_store
PID=$(daemon_pid)
RSS_MOUNT=$(status_kb "$PID" VmRSS)
t0=$(ns); cat "$MNT/by-taxon/$TAXON/gen.fasta" > /dev/null; T_TAXON=$(secs "$t0" "$(ns)")
TAXON_BYTES=$(stat -c %s "$MNT/by-taxon/$TAXON/gen.fasta")
t0=$(ns); N_TAXA=$(( $(ls -l "$MNT/by-taxon" | wc -l) - 1 )); T_LS=$(secs "$t0" "$(ns)")
t0=$(ns); ls -l "$MNT/by-taxon" > /dev/null; T_LS_WARM=$(secs "$t0" "$(ns)")
F2=$(basename "$R2")
t0=$(ns); cat "$MNT/databases/gen/2/$F2" > /dev/null; T_READ=$(secs "$t0" "$(ns)")
RSS_PEAK=$(status_kb "$PID" VmHWM)
# Objects decoded (and re-hashed) for all of the above, against the chunks of
# release 2: far above 1 when the file's order makes the object cache thrash.
RECONSTRUCTED=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["cache"]["objects_reconstructed"])' \
  "$MNT/.talaria/stats.json")
CHUNKS2=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["chunks"])' \
  < <("$TS" --store "$STORE" db show gen/2 --json))
umount_store
mkdir "$TMP/native"
(cd "$TMP/native" && seq 1 "$N_TAXA" | xargs mkdir)
drop_caches
t0=$(ns); ls -l "$TMP/native" > /dev/null; T_LS_NATIVE=$(secs "$t0" "$(ns)")
t0=$(ns); ls -l "$TMP/native" > /dev/null; T_LS_NATIVE_WARM=$(secs "$t0" "$(ns)")

echo
echo "== results ($(mb "$B1") MB release 1, $TAXA taxa asked)"
I1_RATE=$(mbps "$B1" "$(cat "$TMP/i1.s")")
I1_RSS=$(( $(cat "$TMP/i1.rss") / 1024 ))
I2_RSS=$(( $(cat "$TMP/i2.rss") / 1024 ))
BORG_RATE=$(mbps "$B1" "$(cat "$TMP/b1.s")")
RATE_VS_BASE=$(ratio "$I1_RATE" "$BASE_RATE")
printf 'ingest r1      %s MB/s in %s s, peak RSS %s MB (aim <= 2048: %s); %s x the %s MB figure (aim >= 0.85: %s); borg %s MB/s (%s MB): %sx\n' \
  "$I1_RATE" "$(cat "$TMP/i1.s")" "$I1_RSS" "$(verdict "$I1_RSS" 2048 le)" "$RATE_VS_BASE" "$BASE_MB" \
  "$(verdict "$RATE_VS_BASE" 0.85 ge)" "$BORG_RATE" "$(( $(cat "$TMP/b1.rss") / 1024 ))" "$(ratio "$I1_RATE" "$BORG_RATE")"
printf 'ingest r2      %s MB/s in %s s, peak RSS %s MB (aim <= 2048: %s); borg %s MB/s\n' \
  "$(mbps "$B2" "$(cat "$TMP/i2.s")")" "$(cat "$TMP/i2.s")" "$I2_RSS" "$(verdict "$I2_RSS" 2048 le)" \
  "$(mbps "$B2" "$(cat "$TMP/b2.s")")"
printf 'on disk r1     store %s MB | borg %s MB | zstd -3 %s MB (%s s): store/borg %s, store/zstd-3 %s\n' \
  "$(mb "$S1")" "$(mb "$BO1")" "$(mb "$ZB")" "$(cat "$TMP/zstd.s")" "$(ratio "$S1" "$BO1")" "$(ratio "$S1" "$ZB")"
printf 'release 2      adds %s MB to the store, %s MB to borg' "$(mb $((S2 - S1)))" "$(mb $((BO2 - BO1)))"
if [ -n "$CHANGED_Z" ]; then
  printf '; changed records zstd -3 %s MB: store/changed %s (aim <= 1.2: %s)' "$(mb "$CHANGED_Z")" \
    "$(ratio $((S2 - S1)) "$CHANGED_Z")" "$(verdict "$(ratio $((S2 - S1)) "$CHANGED_Z")" 1.2 le)"
fi
echo
printf 'daemon         RSS %s MB after mounting; cold read of by-taxon/%s/gen.fasta (%s MB) %s s; release 2 read whole %s MB/s; peak RSS %s MB against caches of %s MB (aim: bounded by them + 64 MB: %s)\n' \
  "$((RSS_MOUNT / 1024))" "$TAXON" "$(mb "$TAXON_BYTES")" "$T_TAXON" "$(mbps "$B2" "$T_READ")" \
  "$((RSS_PEAK / 1024))" "$((CACHE_MB + MAP_CACHE_MB))" "$(verdict "$((RSS_PEAK / 1024))" "$((CACHE_MB + MAP_CACHE_MB + 64))" le)"
printf 'object cache   %s objects reconstructed for the reads above, %s chunks in release 2: %s per chunk\n' \
  "$RECONSTRUCTED" "$CHUNKS2" "$(ratio "$RECONSTRUCTED" "$CHUNKS2")"
LS_RATIO=$(ratio "$T_LS" "$T_LS_NATIVE")
printf 'ls -l by-taxon %s entries: cold %s s, warm %s s | native %s s, %s s: %sx cold (aim <= 3: %s), %sx warm\n' \
  "$N_TAXA" "$T_LS" "$T_LS_WARM" "$T_LS_NATIVE" "$T_LS_NATIVE_WARM" "$LS_RATIO" "$(verdict "$LS_RATIO" 3 le)" \
  "$(ratio "$T_LS_WARM" "$T_LS_NATIVE_WARM")"
