#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Checks that the Debian packages loom needs are present and installs the
# missing ones (apt-get, when run as root on Debian); otherwise prints the exact
# command to run. loom vendors no third-party source: jemalloc, lz4 and pthreads
# come from the system.
#   deps/install.sh build   what `make` needs
#   deps/install.sh test    what `make test` needs as well (clients, oracle, fuzzing)
set -eu
want=${1:-build}
missing=""

need_file() { [ -e "$1" ] || missing="$missing $2"; }
need_cmd()  { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_py()   { /usr/bin/python3 -c "import $1" >/dev/null 2>&1 || missing="$missing $2"; }

need_cmd cc gcc
need_cmd make make
need_file /usr/include/jemalloc/jemalloc.h libjemalloc-dev
need_file /usr/include/lz4.h liblz4-dev
if [ "$want" = test ]; then
    need_file /usr/bin/python3 python3
    need_py pytest python3-pytest
    need_py redis python3-redis
    need_cmd redis-cli redis-tools
    need_cmd redis-benchmark redis-tools
    need_cmd redis-server redis-server
    need_cmd clang clang
    [ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a 2>/dev/null)" ] ||
        missing="$missing libclang-rt-dev"
fi

[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
set -- $(printf '%s\n' $missing | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "$@" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
else
    echo "deps: missing Debian packages. Run:" >&2
    echo "  sudo apt-get install -y $*" >&2
    exit 1
fi
