#!/usr/bin/env bash
# run_reduce_bench.sh [BUILD_DIR] — `talaria-store reduce` against
# `mmseqs easy-linclust` and `cd-hit` at the same identity, on the same
# gen_protein_db.py release, in the same run: wall time, peak memory (RSS),
# how many references (representatives) each keeps, and the stored bytes of
# the reduction (references + deltas, as stored) against `zstd -19` of the
# source FASTA. Aims (issue 6): time within 2x of linclust; reference count
# within 10 % of linclust's; references + deltas below zstd -19 of the source.
# A second reduce with windows of WINDOW_MB shows what windows do to peak
# memory (the bound on databases larger than memory) and to the reduction.
# Builds nothing (cmake --build build first). See tests/bench/README.md.
#
# Environment (all optional):
#   SIZE_MB=20        MB of FASTA generated (release 1)
#   IDENTITY=0.9      the identity threshold given to all three
#   WINDOW_MB=SIZE_MB/8  --window-size of the windowed run
#   SCRATCH=$TMPDIR   where the work goes
set -euo pipefail

BUILD=${1:-build}
TS=$(realpath "$BUILD/tools/talaria-store" 2>/dev/null || echo "$BUILD/tools/talaria-store")
SIZE_MB=${SIZE_MB:-20}
IDENTITY=${IDENTITY:-0.9}
WINDOW_MB=${WINDOW_MB:-$(( (SIZE_MB + 7) / 8 ))}
SCRATCH=${SCRATCH:-${TMPDIR:-/tmp}}
GEN=$(cd "$(dirname "$0")" && pwd)/../../../shared/tools/gen_protein_db.py

die() { echo "run_reduce_bench.sh: $*" >&2; exit 1; }
[ -x "$TS" ] || die "build first: no $TS"
[ -f "$GEN" ] || die "no generator at $GEN"
for tool in python3 mmseqs cd-hit zstd /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is not installed (packaging/install-deps.sh)"
done

TMP=$(mktemp -d "$SCRATCH/reduce_bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=tests/bench/cpu_accounting.sh
. "$(dirname "$0")/cpu_accounting.sh"
jget() { python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$1" "$2"; }
# Runs a command under /usr/bin/time: "<seconds> <peak KB>".
timed() { /usr/bin/time -f "%e %M" -o "$TMP/time" "$@" > "$TMP/out" 2> "$TMP/err" || {
  cat "$TMP/err" >&2; die "failed: $*"; }; cat "$TMP/time"; }

echo "== machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
warn_if_busy
echo "== data (not timed): gen_protein_db.py --size-mb $SIZE_MB --release 1; identity $IDENTITY"
python3 "$GEN" --size-mb "$SIZE_MB" --release 1 --out "$TMP/db.fasta" --quiet
SEQS=$(grep -c '>' "$TMP/db.fasta")
"$TS" init "$TMP/s" > /dev/null
"$TS" --store "$TMP/s" ingest "$TMP/db.fasta" --db bench --version 1 > /dev/null
sync

read -r T_TAL M_TAL < <(timed "$TS" --store "$TMP/s" reduce --db bench --profile bench \
  --identity "$IDENTITY" --json)
cp "$TMP/out" "$TMP/reduce.json"
REFS_TAL=$(jget "$TMP/reduce.json" statistics.reference_sequences)
BYTES_TAL=$(jget "$TMP/reduce.json" statistics.reference_bytes)
read -r T_WIN M_WIN < <(timed "$TS" --store "$TMP/s" reduce --db bench --profile windowed \
  --identity "$IDENTITY" --window-size "${WINDOW_MB}M" --json)
REFS_WIN=$(jget "$TMP/out" statistics.reference_sequences)
BYTES_WIN=$(jget "$TMP/out" statistics.reference_bytes)
WINDOWS=$(jget "$TMP/out" windows)

read -r T_LC M_LC < <(timed mmseqs easy-linclust "$TMP/db.fasta" "$TMP/lc" "$TMP/lctmp" \
  --min-seq-id "$IDENTITY" --threads "$(nproc)" -v 1)
REFS_LC=$(grep -c '>' "$TMP/lc_rep_seq.fasta")
BYTES_LC=$(stat -c %s "$TMP/lc_rep_seq.fasta")

# cd-hit's word size for the identity (its manual: 5 for 0.7-1.0, 4 for 0.6-0.7, ...).
N=5
awk -v t="$IDENTITY" 'BEGIN { exit !(t < 0.7) }' && N=4
read -r T_CD M_CD < <(timed cd-hit -i "$TMP/db.fasta" -o "$TMP/cd" -c "$IDENTITY" -n "$N" \
  -T "$(nproc)" -M 0 -d 0)
REFS_CD=$(grep -c '>' "$TMP/cd")
BYTES_CD=$(stat -c %s "$TMP/cd")

# Sizes: the reduction's own objects as stored (reference chunks, record
# indexes, delta chunks, manifest), from `ls --json`; zstd -19 of the source.
"$TS" --store "$TMP/s" reduction show bench --json > "$TMP/show.json"
"$TS" --store "$TMP/s" ls --json > "$TMP/ls.json"
MANIFEST=$(jget "$TMP/show.json" manifest)
"$TS" --store "$TMP/s" get "$MANIFEST" > "$TMP/manifest.json"
STORED=$(python3 - "$TMP/ls.json" "$TMP/manifest.json" "$MANIFEST" <<'PY'
import json, sys
objs = {o["id"]: o for o in json.load(open(sys.argv[1]))}
m = json.load(open(sys.argv[2]))
ids = {sys.argv[3]}
for c in m["reference_chunks"]:
    ids.update([c[0], c[1]])
for d in m["delta_chunks"]:
    ids.add(d[0])
print(sum(objs[i]["stored_bytes"] for i in ids))
PY
)
ZSTD19=$(zstd -19 -T0 -c -q "$TMP/db.fasta" | wc -c)
SRC=$(stat -c %s "$TMP/db.fasta")

echo
echo "================ summary ($SEQS sequences, $SRC bytes, identity $IDENTITY) ================"
# "reduced FASTA": the representatives' FASTA each leaves for an aligner to
# index (talaria: references.fasta).
printf '%-22s %9s %10s %12s %14s\n' tool seconds "peak MiB" references "reduced FASTA"
printf '%-22s %9s %10s %12s %14s\n' "talaria-store reduce" "$T_TAL" "$((M_TAL / 1024))" \
  "$REFS_TAL" "$BYTES_TAL"
printf '%-22s %9s %10s %12s %14s\n' "  windows of ${WINDOW_MB} MiB" "$T_WIN" "$((M_WIN / 1024))" \
  "$REFS_WIN" "$BYTES_WIN"
printf '%-22s %9s %10s %12s %14s\n' "mmseqs easy-linclust" "$T_LC" "$((M_LC / 1024))" "$REFS_LC" \
  "$BYTES_LC"
printf '%-22s %9s %10s %12s %14s\n' "cd-hit" "$T_CD" "$((M_CD / 1024))" "$REFS_CD" "$BYTES_CD"
python3 - "$T_TAL" "$T_LC" "$REFS_TAL" "$REFS_LC" "$STORED" "$ZSTD19" "$M_TAL" "$M_WIN" \
  "$WINDOWS" "$REFS_WIN" <<'PY'
import sys
t_tal, t_lc, r_tal, r_lc, stored, z19, m_tal, m_win, windows, r_win = map(float, sys.argv[1:])
print(f"peak memory: {int(windows)} windows / one window = {m_win / m_tal:.2f}x "
      f"(references {r_win / r_tal:.3f}x)")
print(f"time: talaria / linclust = {t_tal / t_lc:.2f}x (aim <= 2x)")
print(f"references: talaria / linclust = {r_tal / r_lc:.3f} (aim within 10 %: 0.90-1.10)")
print(f"stored references + deltas: {int(stored)} B; zstd -19 of the source: {int(z19)} B; "
      f"ratio {stored / z19:.3f} (aim < 1)")
PY
