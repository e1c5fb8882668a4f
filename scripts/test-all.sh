#!/usr/bin/env bash
# Set up a Debian 12 machine (scripts/setup.sh), build everything and run
# every test suite (with CI=true, all but suite linux-full); extra
# arguments go to `meson test` (e.g. --suite qtest).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
[ -f build/meson-private/coredata.dat ] || meson setup build
# CI=true (what CI services set) leaves out suite linux-full: the Linux
# 7.3 tests that 6.1 and 6.12 already cover, for CI's 40 minutes
# (meson.build, docs/linux-guest.md).
ci_args=()
[ "${CI:-}" != true ] || ci_args=(--no-suite linux-full)
rc=0
meson test -C build --print-errorlogs --num-processes 2 "${ci_args[@]}" "$@" || rc=$?
log=build/meson-logs/testlog.json
# ENA_SANITIZE=1 adds, to a full run (no arguments), the fuzz smoke and the
# qtest suite against QEMU built with ASan and UBSan (scripts/sanitize.sh
# --ci, suite "sanitize"). Not by default: building that second QEMU tree
# takes longer than CI's 40-minute budget leaves after the other suites.
if [ $# -eq 0 ] && [ "${ENA_SANITIZE:-0}" = 1 ]; then
    san=build/san/meson-logs/testlog-sanitize.json
    rm -f "$san"
    bash scripts/sanitize.sh --ci --no-summary || rc=1
    if [ ! -s "$san" ]; then
        echo '{"name": "sanitize", "suite": ["sanitize"], "result": "FAIL"}' \
            > "$san"
    fi
    cat "$log" "$san" > build/meson-logs/testlog-all.json || rc=1
    log=build/meson-logs/testlog-all.json
fi
/usr/bin/python3 scripts/test-summary.py "$log" || rc=1
exit $rc
