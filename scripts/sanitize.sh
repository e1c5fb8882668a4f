#!/usr/bin/env bash
# Run the test suites against QEMU built with ASan and UBSan (clang).
#
# usage: sanitize.sh [--ci] [--no-summary] [meson test args...]
# (--no-summary: for scripts/test-all.sh, which sums up both builds from
# build/san/meson-logs/testlog-sanitize.json)
# Sets up a second meson build directory, build/san (ENA_SAN_BUILD), with
# -Dqemu_profile=sanitize: scripts/qemu-build.sh builds QEMU there with
# clang, --enable-asan --enable-ubsan (and libFuzzer, for scripts/fuzz.sh).
# The tests are the project's own: meson runs them with ENA_BUILD pointing
# at build/san, so every qtest, scenario and guest uses the sanitized QEMU.
# Without arguments it runs the qtest, guest and fuzz suites and a subset of
# linux; --ci runs what CI has time for (fuzz smoke and qtest); other
# arguments go to `meson test` instead. Any sanitizer report fails the test
# that triggered it. Ends with the summary of scripts/test-summary.py.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
san=${ENA_SAN_BUILD:-build/san}
summary=1
ci=0
while [ $# -gt 0 ]; do
    case "$1" in
    --ci) ci=1; shift ;;
    --no-summary) summary=0; shift ;;
    *) break ;;
    esac
done

bash scripts/setup.sh --sanitize
[ -f "$san/meson-private/coredata.dat" ] ||
    meson setup "$san" -Dqemu_profile=sanitize

# Leaks and undefined behaviour are failures, not warnings.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1:fast_unwind_on_malloc=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$repo/scripts/ubsan.supp}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$repo/scripts/lsan.supp:print_suppressions=0}

if [ $# -gt 0 ]; then
    runs=("$*")
elif [ "$ci" = 1 ]; then
    runs=("--suite fuzz --suite qtest")
else
    runs=("--suite fuzz --suite qtest --suite guest"
          "linux-probe-6.1 linux-probe-6.12 linux-traffic-1500-6.12")
fi
# All runs in one JSON-lines log, for scripts/test-summary.py.
all=$san/meson-logs/testlog-sanitize.json
mkdir -p "$san/meson-logs"
: > "$all"
rc=0
for r in "${runs[@]}"; do
    rm -f "$san/meson-logs/testlog.json"
    # shellcheck disable=SC2086 # each entry is a list of meson arguments
    meson test -C "$san" --print-errorlogs --num-processes 2 \
        --timeout-multiplier 3 $r || rc=1
    # counted as suite "sanitize" next to the plain build's suites
    /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    t["name"] = "san/" + t["name"]
    t["suite"] = ["sanitize"]
    print(json.dumps(t))' "$san/meson-logs/testlog.json" >> "$all" || rc=1
done
if [ "$summary" = 1 ]; then
    /usr/bin/python3 scripts/test-summary.py "$all" || rc=1
fi
exit $rc
