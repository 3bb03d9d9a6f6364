#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Everything `make test` runs, in order: the unit tests and the integration
# suite on the normal build (the suite once per Linux multiplexer, and with
# io-threads 2 and 4), the same on the ASan+UBSan build, the unit tests and the
# suite (io-threads 4) on the TSan build (the BIO tests run threads), and a
# short libFuzzer run on the RESP parser. Prints
# a summary line per phase and exits non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
PYTEST="/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration"
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
failed=""
summary=""

phase() { # name, command...
    name=$1
    shift
    echo "=== $name"
    start=$(date +%s)
    if "$@"; then result=passed; else result=FAILED; failed="$failed $name"; fi
    summary="$summary
$name: $result ($(( $(date +%s) - start ))s)"
}

phase build make -j"$JOBS" all tools
phase unit make --no-print-directory unit
for mux in epoll poll select; do
    phase "integration-$mux" env LOOM_MULTIPLEXER=$mux $PYTEST
done
for threads in 2 4; do
    phase "integration-io-threads-$threads" env LOOM_IO_THREADS=$threads $PYTEST
done

phase build-asan make -j"$JOBS" SANITIZE=address
phase unit-asan make --no-print-directory unit SANITIZE=address
phase integration-asan env LOOM_SERVER=src/loom-server-asan \
    ASAN_OPTIONS=abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $PYTEST

phase build-tsan make -j"$JOBS" SANITIZE=thread
phase unit-tsan env TSAN_OPTIONS=halt_on_error=1 make --no-print-directory unit SANITIZE=thread
phase integration-tsan-io-threads-4 env LOOM_SERVER=src/loom-server-tsan LOOM_IO_THREADS=4 \
    TSAN_OPTIONS=halt_on_error=1 $PYTEST

phase fuzz-build make --no-print-directory fuzz
mkdir -p build/fuzz/corpus
phase fuzz build/fuzz/fuzz-resp -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
    -artifact_prefix=build/fuzz/ build/fuzz/corpus tests/fuzz/corpus

echo "=== summary$summary"
if [ -n "$failed" ]; then
    echo "FAILED:$failed"
    exit 1
fi
echo "all phases passed"
