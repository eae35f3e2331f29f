#!/usr/bin/env bash
# run_maintenance_bench.sh [BUILD_DIR] — how fast maintenance runs:
#   * verify throughput (raw MB re-read, decompressed and re-hashed per second)
#     against `sha256sum` of the same raw bytes, in the same run (aim >= 1.5x:
#     verify hashes on every core);
#   * gc time as the store grows: 1x, 4x and 16x BASE_OBJECTS objects, half
#     of them garbage, with repacking — how it scales.
# Builds nothing (cmake --build build first). See tests/bench/README.md.
#
# Environment (all optional):
#   SIZE_MB=128         MB of FASTA (gen_protein_db.py) ingested for the verify part
#   BASE_OBJECTS=2000   objects in the smallest gc store
#   SCRATCH=$TMPDIR     where the stores go
set -euo pipefail

BUILD=${1:-build}
TS=$(realpath "$BUILD/tools/talaria-store" 2>/dev/null || echo "$BUILD/tools/talaria-store")
SIZE_MB=${SIZE_MB:-128}
BASE_OBJECTS=${BASE_OBJECTS:-2000}
SCRATCH=${SCRATCH:-${TMPDIR:-/tmp}}
GEN=$(cd "$(dirname "$0")" && pwd)/../../../shared/tools/gen_protein_db.py

die() { echo "run_maintenance_bench.sh: $*" >&2; exit 1; }
[ -x "$TS" ] || die "build first: no $TS"
[ -f "$GEN" ] || die "no generator at $GEN"
for tool in python3 sha256sum awk; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

START=$(date +%s)
TMP=$(mktemp -d "$SCRATCH/maintenance_bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=tests/bench/cpu_accounting.sh
. "$(dirname "$0")/cpu_accounting.sh"
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

echo "== machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
warn_if_busy

echo "== verify: $SIZE_MB MB of gen_protein_db.py FASTA ingested (not timed)"
python3 "$GEN" --size-mb "$SIZE_MB" --release 1 --out "$TMP/r1.fasta" --quiet
"$TS" init "$TMP/v" > /dev/null
"$TS" --store "$TMP/v" ingest "$TMP/r1.fasta" --db bench --version 1 > /dev/null
sync
cat "$TMP/v"/packs/*/*.pack "$TMP/r1.fasta" > /dev/null  # both warm in the page cache
t0=$(ns); "$TS" --store "$TMP/v" verify --json > "$TMP/verify.json" || die "verify failed"
VERIFY_S=$(secs "$t0" "$(ns)")
RAW=$(jget "$TMP/verify.json" raw_bytes_checked)
t0=$(ns); sha256sum "$TMP/r1.fasta" > /dev/null; SHA_S=$(secs "$t0" "$(ns)")
SHA_BYTES=$(stat -c %s "$TMP/r1.fasta")
VERIFY_MBPS=$(mbps "$RAW" "$VERIFY_S"); SHA_MBPS=$(mbps "$SHA_BYTES" "$SHA_S")
echo "   verify: $RAW raw bytes in $VERIFY_S s = $VERIFY_MBPS MB/s; sha256sum: $SHA_MBPS MB/s"

echo "== gc as the store grows (objects of 2-6 KB, half unreferenced, max_pack_size_mb = 4)"
declare -A GC_S GC_REMOVED
for scale in 1 4 16; do
  n=$((BASE_OBJECTS * scale))
  store=$TMP/gc$scale
  "$TS" init "$store" > /dev/null
  printf '[storage]\nmax_pack_size_mb = 4\n' > "$store/storage.toml"
  mkdir -p "$TMP/objs$scale"
  python3 - "$TMP/objs$scale" "$n" <<'PY'
import os, random, sys
d, n = sys.argv[1], int(sys.argv[2])
r = random.Random(n)
for i in range(n):
    with open(os.path.join(d, f"o{i}"), "w") as f:
        f.write(">o%d\n%s\n" % (i, "".join(r.choice("ACDEFGHIKLMNPQRSTVWY") for _ in range(r.randrange(2000, 6000)))))
PY
  (cd "$TMP/objs$scale" && ls | xargs "$TS" --store "$store" put) > "$TMP/ids$scale"
  awk 'NR % 2 == 0 { print $1 }' "$TMP/ids$scale" > "$TMP/keep$scale"
  t0=$(ns); "$TS" --store "$store" gc --keep-file "$TMP/keep$scale" --json > "$TMP/gc$scale.json"
  GC_S[$scale]=$(secs "$t0" "$(ns)")
  GC_REMOVED[$scale]=$(jget "$TMP/gc$scale.json" objects_removed)
  "$TS" --store "$store" verify > /dev/null || die "verify failed after gc at ${scale}x"
  echo "   ${scale}x: $n objects, gc removed ${GC_REMOVED[$scale]} in ${GC_S[$scale]} s"
  rm -rf "$TMP/objs$scale"
done

echo
echo "================ summary ================"
echo "verify: $VERIFY_MBPS MB/s of raw bytes; sha256sum of the same bytes: $SHA_MBPS MB/s;" \
     "verify / sha256sum = $(awk -v a="$VERIFY_MBPS" -v b="$SHA_MBPS" 'BEGIN { printf "%.2f", a / b }') (aim >= 1.5)"
echo "gc:     1x ${GC_S[1]} s, 4x ${GC_S[4]} s, 16x ${GC_S[16]} s;" \
     "16x / 1x = $(awk -v a="${GC_S[16]}" -v b="${GC_S[1]}" 'BEGIN { printf "%.1f", a / b }')" \
     "(linear would be 16)"
echo "total run time: $(( $(date +%s) - START )) s"
