#!/usr/bin/env bash
# Installs what is needed, builds with warnings as errors, and runs the whole
# test suite (ctest: unit tests, integration tests on real stores, kill -9 and
# damage tests, full-disk test on a real tmpfs). Run as root on Debian 12.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${TALARIA_BUILD_DIR:-build}

packaging/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTALARIA_WERROR=ON
cmake --build "$BUILD" -j"$(nproc)"
cd "$BUILD"
ctest --output-on-failure -j2 --timeout 900 --label-exclude bench
