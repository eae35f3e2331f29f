#!/usr/bin/env bash
# run_storage_bench.sh [TALARIA_STORE] — bytes on disk and ingest speed of a
# talaria store next to what a user would otherwise pick, in the same run: a
# borg repository (zstd,3) of the same file and the file compressed whole by
# `zstd -3`. Then the cost of release 2 (generated data): what it adds to the
# store, to the borg repository, and the zstd -3 size of the records that
# changed. Data sets, each optional:
#   real UniProt sample  $CORPUS/prot/uniprot_mmseqs2_example.with-ox.faa
#                        (from ../shared/tools/bio-corpus.sh; skipped without it)
#   real nucleotides     $CORPUS/nucl/*.fna with $CORPUS/seqid2taxid.tsv as a taxmap
#   generated            gen_protein_db.py --size-mb $SIZE_MB --taxa T, for each T in $TAXA
# Builds nothing: build the CLI first (ninja -C build talaria-store).
#
# Environment (all optional):
#   CORPUS=/tmp/bio-corpus   the bio-corpus directory
#   SIZE_MB=200              MB of each generated release
#   TAXA="300 20000"         taxa of the generated data sets ("" for none)
#   SCRATCH=$TMPDIR          where the scratch directory is made
#   THREADS=2                talaria-store --threads
#
# Output: one line per data set with ratios (store / borg, store / zstd -3,
# ingest speed / borg's); the aims of docs/ and the issue are printed next to
# them. Exit 0 when everything ran (a MISS is a result), non-zero when a tool
# failed or `db export` did not give the input back byte for byte.
set -euo pipefail

STORE_BIN=${1:-./build/tools/talaria-store}
CORPUS=${CORPUS:-/tmp/bio-corpus}
SIZE_MB=${SIZE_MB:-200}
TAXA=${TAXA-"300 20000"}
THREADS=${THREADS:-2}
SCRATCH=${SCRATCH:-${TMPDIR:-/tmp}}
GEN=$(cd "$(dirname "$0")" && pwd)/../../../shared/tools/gen_protein_db.py

die() { echo "run_storage_bench.sh: $*" >&2; exit 1; }
[ -x "$STORE_BIN" ] || die "no executable $STORE_BIN (ninja -C build talaria-store)"
for tool in borg zstd python3 awk cmp; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (packaging/install-deps.sh)"
done
# shellcheck source=tests/bench/cpu_accounting.sh
. "$(dirname "$0")/cpu_accounting.sh"
TMP=$(mktemp -d "$SCRATCH/storage_bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export BORG_PASSPHRASE="" BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes
export BORG_BASE_DIR=$TMP/borg-home
jfield() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v r="$1" -v aim="$2" -v op="$3" 'BEGIN { ok = (op == "le") ? r <= aim : r >= aim; print ok ? "ok" : "MISS" }'; }
store_bytes() { echo $(( $(du -sb "$1/packs" | cut -f1) + $(du -sb "$1/index" | cut -f1) )); }

echo "== machine: $(nproc) cores; $(borg --version); $(zstd --version | sed 's/.*\(v[0-9.]*\).*/zstd \1/'); talaria-store --threads $THREADS"
warn_if_busy

# measure NAME FILE [TAXMAP]: one data set, release 1 (and release 2 when FILE2 is set)
measure() {
  local name=$1 file=$2 taxmap=${3:-} file2=${FILE2:-}
  local bytes s t0 store=$TMP/$name.store repo=$TMP/$name.borg
  bytes=$(stat -c %s "$file")
  cat "$file" > /dev/null
  local zbytes; zbytes=$(zstd -3 -T1 -qc "$file" | wc -c)
  "$STORE_BIN" init "$store" > /dev/null
  local args=(ingest "$file" --db "$name" --version 1 --json)
  [ -z "$taxmap" ] || args+=(--taxmap "$taxmap")
  t0=$(ns)
  /usr/bin/time -f "%M" -o "$TMP/$name.rss" "$STORE_BIN" --store "$store" --threads "$THREADS" "${args[@]}" \
    > "$TMP/$name.json" 2> "$TMP/$name.err" || die "ingest of $file failed: $(cat "$TMP/$name.err")"
  local ts; ts=$(secs "$t0" "$(ns)")
  "$STORE_BIN" --store "$store" db export "$name/1" -o "$TMP/export" > /dev/null 2>&1 \
    || die "db export of $name failed"
  cmp -s "$TMP/export" "$file" || die "db export of $name is not the input"
  rm -f "$TMP/export"
  local sbytes; sbytes=$(store_bytes "$store")
  local objects taxa; objects=$("$STORE_BIN" --store "$store" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["objects"])')
  taxa=$(jfield "$TMP/$name.json" taxa)
  borg init -e none "$repo"
  t0=$(ns)
  /usr/bin/time -f "%M" -o "$TMP/$name.borg.rss" borg create --compression zstd,3 "$repo::1" "$file"
  local tb; tb=$(secs "$t0" "$(ns)")
  local bbytes; bbytes=$(du -sb "$repo" | cut -f1)
  local r_borg r_zstd r_speed
  r_borg=$(ratio "$sbytes" "$bbytes"); r_zstd=$(ratio "$sbytes" "$zbytes")
  r_speed=$(ratio "$(mbps "$bytes" "$ts")" "$(mbps "$bytes" "$tb")")
  printf '%-22s %8.1f MB raw | store %7.2f MB (%s objects, %.2f per taxon, %s taxa) | borg %7.2f MB | zstd -3 %7.2f MB\n' \
    "$name" "$(awk -v b="$bytes" 'BEGIN{print b/1e6}')" "$(awk -v b="$sbytes" 'BEGIN{print b/1e6}')" "$objects" \
    "$(awk -v o="$objects" -v t="$taxa" 'BEGIN{print (t > 0 ? o / t : 0)}')" "$taxa" \
    "$(awk -v b="$bbytes" 'BEGIN{print b/1e6}')" "$(awk -v b="$zbytes" 'BEGIN{print b/1e6}')"
  printf '%-22s store/borg %s (aim <= 0.95: %s)  store/zstd-3 %s  ingest %s MB/s (peak RSS %s MB) vs borg %s MB/s (%s MB): %sx\n' \
    "" "$r_borg" "$(verdict "$r_borg" 0.95 le)" "$r_zstd" "$(mbps "$bytes" "$ts")" "$(( $(cat "$TMP/$name.rss") / 1024 ))" \
    "$(mbps "$bytes" "$tb")" "$(( $(cat "$TMP/$name.borg.rss") / 1024 ))" "$r_speed"
  if [ -n "$file2" ]; then
    local before_s before_b changed_z
    before_s=$sbytes; before_b=$bbytes
    "$STORE_BIN" --store "$store" --threads "$THREADS" ingest "$file2" --db "$name" --version 2 --json \
      > "$TMP/$name.2.json" 2> "$TMP/$name.2.err" || die "ingest of $file2 failed: $(cat "$TMP/$name.2.err")"
    borg create --compression zstd,3 "$repo::2" "$file2"
    changed_z=$(python3 "$(dirname "$0")/changed_records.py" "$file" "$file2" | zstd -3 -qc | wc -c)
    local added_s added_b; added_s=$(( $(store_bytes "$store") - before_s )); added_b=$(( $(du -sb "$repo" | cut -f1) - before_b ))
    local r2; r2=$(ratio "$added_s" "$changed_z")
    printf '%-22s release 2 adds %.2f MB to the store, %.2f MB to borg; changed records zstd -3 %.2f MB: store/changed %s (aim <= 1.2: %s)\n' \
      "" "$(awk -v b="$added_s" 'BEGIN{print b/1e6}')" "$(awk -v b="$added_b" 'BEGIN{print b/1e6}')" \
      "$(awk -v b="$changed_z" 'BEGIN{print b/1e6}')" "$r2" "$(verdict "$r2" 1.2 le)"
  fi
  rm -rf "$store" "$repo"
}

UNIPROT=$CORPUS/prot/uniprot_mmseqs2_example.with-ox.faa
if [ -r "$UNIPROT" ]; then
  measure uniprot-sample "$UNIPROT"
else
  echo "(no $UNIPROT: run ../shared/tools/bio-corpus.sh $CORPUS --tier small for the real data sets)"
fi
if [ -d "$CORPUS/nucl" ] && [ -r "$CORPUS/seqid2taxid.tsv" ]; then
  find "$CORPUS/nucl" -name '*.fna' | sort | xargs cat > "$TMP/nucl.fna"
  # seqid2taxid.tsv: file, seqid, taxid, method -> an accession2taxid table
  awk -F'\t' 'BEGIN { print "accession\taccession.version\ttaxid\tgi" } NR > 1 { print $2 "\t" $2 "\t" $3 "\t0" }' \
    "$CORPUS/seqid2taxid.tsv" > "$TMP/nucl.accession2taxid"
  measure nucleotides "$TMP/nucl.fna" "$TMP/nucl.accession2taxid"
  rm -f "$TMP/nucl.fna"
fi
for T in $TAXA; do
  [ -f "$GEN" ] || die "no generator at $GEN"
  python3 "$GEN" --size-mb "$SIZE_MB" --taxa "$T" --release 1 --out "$TMP/r1.fasta" --quiet &
  python3 "$GEN" --size-mb "$SIZE_MB" --taxa "$T" --release 2 --out "$TMP/r2.fasta" --quiet &
  wait
  FILE2=$TMP/r2.fasta measure "gen-$SIZE_MB-MB-$T-taxa" "$TMP/r1.fasta"
  rm -f "$TMP/r1.fasta" "$TMP/r2.fasta"
done
