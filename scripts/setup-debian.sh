#!/usr/bin/env bash
# Installs everything Qinglang needs to build, test and benchmark on Debian 12.
# Idempotent; run as root (or through sudo) on a fresh machine. --bench adds the peers the benchmarks compare with.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build clang clang-format
  libhyperscan-dev libre2-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libsimdjson-dev libcli11-dev libfasttext-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)

# The peers that bench/compare_peers.sh measures Qinglang against.
if [[ ${1:-} == --bench ]]; then
  packages+=(ripgrep python3-ahocorasick bc time)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
