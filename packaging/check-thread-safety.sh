#!/usr/bin/env bash
# The compiler checks the locks: compiles every translation unit of the tree
# (libraries, daemon, CLI, tests, benchmarks) with clang 19 and
# -Wthread-safety -Werror=thread-safety, syntax only (no code generation, no
# link), so a member marked GUARDED_BY(mu_) touched without mu_ held, a
# REQUIRES(mu_) function called without it, or a lock left held fails the
# run. Also proves the tree compiles with clang as well as gcc (warnings are
# errors here too). Needs clang-19 (packaging/install-deps.sh installs it).
#
#   packaging/check-thread-safety.sh            configure build-tsa/ and check
#   TALARIA_TSA_BUILD_DIR=DIR packaging/...      another build directory
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${TALARIA_TSA_BUILD_DIR:-build-tsa}
CXX_TSA=${CXX_TSA:-clang++-19}
C_TSA=${C_TSA:-clang-19}
command -v "$CXX_TSA" >/dev/null || { echo "check-thread-safety: $CXX_TSA not found (packaging/install-deps.sh installs clang-19)" >&2; exit 2; }

# -Wno-deprecated-declarations: libstdc++ 12's std::stable_sort calls its own
# deprecated get_temporary_buffer, which clang 19 reports from inside <algorithm>.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER="$C_TSA" -DCMAKE_CXX_COMPILER="$CXX_TSA" \
  -DCMAKE_CXX_FLAGS="-Wno-deprecated-declarations" \
  -DTALARIA_WERROR=ON -DTALARIA_THREAD_SAFETY=ON >/dev/null

# One syntax-only compile per translation unit, with the flags CMake chose.
python3 - "$BUILD/compile_commands.json" > "$BUILD/tsa_commands.txt" <<'PY'
import json, shlex, sys
for entry in json.load(open(sys.argv[1])):
    args = shlex.split(entry["command"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT"):
            skip = True
            continue
        if a in ("-c", "-MD"):
            continue
        out.append(a)
    print(shlex.quote(entry["directory"]) + "\t" + shlex.join(out + ["-fsyntax-only"]))
PY
units=$(wc -l < "$BUILD/tsa_commands.txt")
echo "check-thread-safety: $units translation units, $CXX_TSA -Wthread-safety"
fail=0
# Two at a time (two cores); every failure is printed, then the run fails.
while IFS=$'\t' read -r dir cmd; do
  printf '%s\0%s\0' "$dir" "$cmd"
done < "$BUILD/tsa_commands.txt" |
  xargs -0 -n2 -P"$(nproc)" sh -c 'cd "$1" && eval "$2"' sh || fail=1
if ((fail)); then
  echo "check-thread-safety: FAILED (see the diagnostics above)" >&2
  exit 1
fi
echo "check-thread-safety: $units translation units pass -Wthread-safety"
