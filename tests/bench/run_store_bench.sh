#!/usr/bin/env bash
# run_store_bench.sh [BUILD_DIR] — put/get throughput of the object store per
# codec, next to this machine's `openssl speed` SHA-256 and `zstd -b` figures
# measured in the same run, as ratios. Builds nothing: build store_bench first
#   ninja -C build store_bench
# See tests/bench/README.md.
#
# Environment (all optional):
#   SIZE_MB=512        MiB stored and read back per codec by store_bench
#   SAMPLE_MB=256      MiB of the same data given to `zstd -b`
#   THREADS="1 2"      store_bench runs (put threads = get threads)
#   CODECS=none,zstd:1,zstd:3,zstd:9,lz4,lz4hc:9,snappy
#   SLOW_MB=0          if > 0, zstd:9 and lz4hc:9 are measured on the first SLOW_MB MiB only
#   SCRATCH=$TMPDIR    where the scratch directory is made (pick the disk a store would live on)
#   OBJECT_MB=1        object size
#   AIM=0.70           the aim the ratios are held against
#
# Exit status: 0 when everything ran (a MISS is a result, not a failure),
# non-zero when a tool or the benchmark failed or its output could not be read.
set -euo pipefail

BUILD=${1:-./build}
BENCH=$BUILD/tests/bench/store_bench
SIZE_MB=${SIZE_MB:-512}
SAMPLE_MB=${SAMPLE_MB:-256}
THREADS=${THREADS:-"1 2"}
CODECS=${CODECS:-none,zstd:1,zstd:3,zstd:9,lz4,lz4hc:9,snappy}
SLOW_MB=${SLOW_MB:-0}
OBJECT_MB=${OBJECT_MB:-1}
AIM=${AIM:-0.70}
SCRATCH=${SCRATCH:-${TMPDIR:-/tmp}}

die() { echo "run_store_bench.sh: $*" >&2; exit 1; }
[ -x "$BENCH" ] || die "no $BENCH (build it: ninja -C $BUILD store_bench)"
for tool in zstd openssl awk; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[ "$SIZE_MB" -ge 500 ] || echo "note: SIZE_MB=$SIZE_MB is below the 500 MB the issue asks for"

START=$(date +%s)
TMP=$(mktemp -d "$SCRATCH/store_bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "== machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
     "$(zstd --version | sed 's/.*\(v[0-9.]*\).*/zstd \1/'), $(openssl version | awk '{print $1, $2}')"
echo "== scratch: $TMP ($(df -P "$TMP" | awk 'NR==2 {print $1}')); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck source=tests/bench/cpu_accounting.sh
. "$(dirname "$0")/cpu_accounting.sh"
warn_if_busy
CPU_START=$(cpu_jiffies)
echo "   (other CPU load during the run skews every figure: run it on an otherwise idle machine)"

# --- reference data: the same generator, first SAMPLE_MB MiB
SAMPLE=$TMP/sample.bin
"$BENCH" --dump-sample "$SAMPLE" --size-mb "$SAMPLE_MB" >/dev/null

# --- openssl speed: SHA-256, 16384-byte blocks ("1000s of bytes per second")
echo "== openssl speed -seconds 3 -evp sha256"
SSL_OUT=$(openssl speed -seconds 3 -evp sha256 2>/dev/null)
SHA_MBPS=$(printf '%s\n' "$SSL_OUT" | awk '$1 == "sha256" { v = $NF; sub(/k$/, "", v); printf "%.1f", v / 1000 }')
[ -n "$SHA_MBPS" ] || die "could not read the 16384-byte figure from openssl speed"
echo "   sha256 16384-byte blocks: $SHA_MBPS MB/s"

# --- zstd -b, single thread, levels 1 3 9 on the sample. Measured before and
# after the store runs: on a shared VM the CPU speed drifts, so the ratios use
# the mean of the two and the spread is printed as a noise figure.
declare -A ZC ZD ZR ZC0 ZD0 ZC1 ZD1
zstd_bench() {  # zstd_bench ROUND(0|1)
  local L line c d
  for L in 1 3 9; do
    line=$(zstd -b"$L" -T1 "$SAMPLE" 2>&1 | tr '\r' '\n' | grep -E '[0-9.]+ MB/s, *[0-9.]+ MB/s' | tail -1 || true)
    [ -n "$line" ] || die "could not read zstd -b$L output"
    echo "== zstd -b$L -T1 sample ($SAMPLE_MB MiB):$line"
    c=$(printf '%s\n' "$line" | sed -E 's/.*[ ,]([0-9.]+) MB\/s, *([0-9.]+) MB\/s.*/\1/')
    d=$(printf '%s\n' "$line" | sed -E 's/.*[ ,]([0-9.]+) MB\/s, *([0-9.]+) MB\/s.*/\2/')
    ZR[$L]=$(printf '%s\n' "$line" | sed -E 's/.*\(x([0-9.]+)\).*/\1/')
    if [ "$1" = 0 ]; then ZC0[$L]=$c; ZD0[$L]=$d; else ZC1[$L]=$c; ZD1[$L]=$d; fi
  done
}
zstd_bench 0

# --- store_bench
SLOW_ARGS=()
if [ "$SLOW_MB" -gt 0 ]; then SLOW_ARGS=(--slow-codecs zstd:9,lz4hc:9 --slow-mb "$SLOW_MB"); fi
for T in $THREADS; do
  echo "== $BENCH --dir $TMP/stores --size-mb $SIZE_MB --threads $T --object-mb $OBJECT_MB --codecs $CODECS --breakdown zstd:3 ${SLOW_ARGS[*]}"
  "$BENCH" --dir "$TMP/stores" --size-mb "$SIZE_MB" --threads "$T" --object-mb "$OBJECT_MB" \
    --codecs "$CODECS" --breakdown zstd:3 "${SLOW_ARGS[@]}" | tee "$TMP/bench.$T.log"
done

zstd_bench 1
for L in 1 3 9; do
  ZC[$L]=$(awk -v a="${ZC0[$L]}" -v b="${ZC1[$L]}" 'BEGIN { printf "%.1f", (a + b) / 2 }')
  ZD[$L]=$(awk -v a="${ZD0[$L]}" -v b="${ZD1[$L]}" 'BEGIN { printf "%.1f", (a + b) / 2 }')
done

# --- summary
field() {  # field LOG CODEC KEY
  awk -v c="$2" -v k="$3" '$1 == "RESULT" {
      v = ""; cod = "";
      for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "codec") cod = kv[2]; if (kv[1] == k) v = kv[2] }
      if (cod == c) print v }' "$1"
}
echo
echo "================ summary (MB = 10^6 bytes of raw data per second) ================"
echo "reference, same machine, same run:"
echo "  openssl speed sha256 (16 KiB blocks): $SHA_MBPS MB/s;" \
     "store_bench in-process SHA-256: $(awk '$1 == "SHA256" {split($2, kv, "="); print kv[2]; exit}' "$TMP/bench.$(echo $THREADS | awk '{print $1}').log") MB/s"
for L in 1 3 9; do
  printf '  zstd -b%s -T1 (%s MiB sample): x%s, compress %s MB/s (%s before, %s after), decompress %s MB/s (%s, %s)\n' \
    "$L" "$SAMPLE_MB" "${ZR[$L]}" "${ZC[$L]}" "${ZC0[$L]}" "${ZC1[$L]}" "${ZD[$L]}" "${ZD0[$L]}" "${ZD1[$L]}"
done
if [ "$SLOW_MB" -gt 0 ]; then echo "  note: zstd:9 and lz4hc:9 were measured on the first $SLOW_MB MiB only"; fi
echo
printf '%-8s %3s %8s %7s %9s %9s %10s %10s\n' codec T "raw MB" ratio "put MB/s" "get MB/s" "put/zstd" "get/zstd"
for T in $THREADS; do
  log=$TMP/bench.$T.log
  for c in ${CODECS//,/ }; do
    put=$(field "$log" "$c" put_mbps); get=$(field "$log" "$c" get_mbps)
    raw=$(field "$log" "$c" raw_mb); ratio=$(field "$log" "$c" ratio)
    [ -n "$put" ] && [ -n "$get" ] || die "no RESULT line for $c with $T threads"
    pr="-"; gr="-"
    case "$c" in
      zstd:1|zstd:3|zstd:9)
        L=${c#zstd:}
        pr=$(awk -v a="$put" -v b="${ZC[$L]}" -v t="$T" 'BEGIN { printf "%.2f", a / (t * b) }')
        gr=$(awk -v a="$get" -v b="${ZD[$L]}" -v t="$T" 'BEGIN { printf "%.2f", a / (t * b) }') ;;
    esac
    printf '%-8s %3s %8s %7s %9s %9s %10s %10s\n' "$c" "$T" "$raw" "$ratio" "$put" "$get" "$pr" "$gr"
  done
done
echo "put/zstd = put MB/s / (T x zstd -b single-thread compress MB/s, same level, mean of before/after)"
echo "get/zstd = get MB/s / (T x zstd -b decompress MB/s, same level); get runs T reader threads"
echo
echo "aims (zstd:3): put >= $AIM x zstd -3 per thread, get >= $AIM x zstd -d per thread"
for T in $THREADS; do
  log=$TMP/bench.$T.log
  put=$(field "$log" zstd:3 put_mbps); get=$(field "$log" zstd:3 get_mbps)
  [ -n "$put" ] || { echo "  (zstd:3 not in CODECS: no verdict)"; break; }
  phase() { awk -v k="$1" '$1 == "PHASE" && $4 == "phase=" k { split($6, kv, "="); print kv[2] }' "$log"; }
  awk -v p="$put" -v g="$get" -v zc="${ZC[3]}" -v zd="${ZD[3]}" -v t="$T" -v aim="$AIM" \
      -v ic="$(phase put.compress)" -v id="$(phase get.decompress)" 'BEGIN {
    pr = p / (t * zc); gr = g / (t * zd);
    printf "  T=%d put %.1f MB/s vs %d x %.1f: %.2f %s   get %.1f MB/s vs %d x %.1f: %.2f %s\n",
      t, p, t, zc, pr, (pr >= aim ? "PASS" : "MISS"), g, t, zd, gr, (gr >= aim ? "PASS" : "MISS");
    if (ic > 0 && id > 0)
      printf "       (vs the same codec called in-process right after, %d thread(s): put %.2f of %.1f, get %.2f of %.1f)\n",
        t, p / ic, ic, g / id, id }'
done
echo
echo "phase breakdown of zstd:3 (same objects, same threads; see README):"
for T in $THREADS; do
  awk -v t="$T" '$1 == "PHASE" { ph = ""; mb = "";
      for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "phase") ph = kv[2]; if (kv[1] == "mbps") mb = kv[2] }
      printf "  T=%d %-20s %9s MB/s\n", t, ph, mb }' "$TMP/bench.$T.log"
done
# CPU used by other processes during the run: the machine's busy time minus
# this script's children's (bash `times`, second line).
children_cpu OWN
OTHER=$(other_cpu "$CPU_START" "$(cpu_jiffies)" "$OWN" "$(( $(date +%s) - START ))")
echo "total run time: $(( $(date +%s) - START )) s; CPU used by other processes meanwhile: ${OTHER% *} s" \
     "(${OTHER#* } % of the machine)"
warn_if_disturbed "$OTHER"
