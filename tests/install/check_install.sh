#!/usr/bin/env bash
# Installs the build tree into a fresh prefix, then builds a small program of someone else's against it, once
# with find_package(qinglang) and once with pkg-config, and runs it on rules compiled by the installed command.
# Usage: check_install.sh BUILD_DIR [EXTRA_CXX_FLAGS]   (the sanitizer flags, for a sanitizer build)
set -euo pipefail
build=$1
flags=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
"$prefix/bin/qinglang" compile --rules "$here/../fixtures/rules" -o "$prefix/rules.compiled" >/dev/null

expect_decisions() {  # PROGRAM: a blocked text, then an allowed one
  local got
  got=$("$1" "$prefix/rules.compiled" "有人开盒" "遇到开盒请举报" | tr '\n' ' ')
  [[ $got == "block pass " ]] || { echo "$1: expected 'block pass', got '$got'" >&2; exit 1; }
}

cmake -S "$here" -B "$prefix/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
expect_decisions "$prefix/consumer/scan_with_compiled_rules"

# shellcheck disable=SC2046 # pkg-config prints flags to be split into words
c++ -std=c++20 $flags "$here/scan_with_compiled_rules.cpp" -o "$prefix/with_pkg_config" \
  $(PKG_CONFIG_PATH="$(dirname "$(find "$prefix" -name qinglang-runtime.pc)")" pkg-config --cflags --libs qinglang-runtime)
expect_decisions "$prefix/with_pkg_config"

# The runtime alone: no YAML parser reaches a program that only loads compiled rules.
if ldd "$prefix/consumer/scan_with_compiled_rules" | grep -q yaml; then
  echo "a program linking qinglang::runtime links yaml-cpp" >&2
  exit 1
fi
echo "installed package: find_package and pkg-config builds scan as expected"
