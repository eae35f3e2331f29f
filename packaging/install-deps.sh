#!/usr/bin/env bash
# Installs every Debian 12 package talariafs needs to build, test and benchmark.
# Run as root (or through sudo). Idempotent: already-installed packages are skipped by apt.
#
#   packaging/install-deps.sh            build + test dependencies
#   packaging/install-deps.sh --runtime  only what the installed binaries need at run time
set -euo pipefail

runtime_pkgs=(
  fuse3 libfuse3-3 libssl3 libzstd1 liblz4-1 libsnappy1v5 liblmdb0 libxxhash0 zlib1g zstd
)
build_pkgs=(
  build-essential cmake ninja-build pkg-config clang-format git
  # the thread-safety pass (packaging/check-thread-safety.sh): clang 19 checks our lock annotations
  clang-19
  libfuse3-dev libssl-dev libzstd-dev liblz4-dev libsnappy-dev liblmdb-dev libxxhash-dev zlib1g-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libexpected-dev
  # used by tests and benchmarks: real codecs' command-line tools, openssl speed
  zstd lz4 openssl xxd
  # real bioinformatics tools the mount tests run on talariafs paths
  ncbi-blast+ diamond-aligner mmseqs2 seqkit samtools cd-hit
  # the mount benchmark's references: squashfuse over a mksquashfs image, fio
  squashfs-tools squashfuse fio
  # the storage benchmark's reference: a borg repository of the same file
  borgbackup
)

want=("${runtime_pkgs[@]}")
if [[ "${1:-}" != "--runtime" ]]; then
  want+=("${build_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages already installed"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
