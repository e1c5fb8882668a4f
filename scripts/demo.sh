#!/usr/bin/env bash
# Set up, build, and show the ENA device at work: a driver-side session
# over qtest (registers read directly and readless, the reset handshake in
# virtual time), with the device's own trace.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
[ -f build/meson-private/coredata.dat ] || meson setup build
meson compile -C build
echo
echo "== -device ena,help (first lines)"
build/qemu-system-x86_64 -device ena,help | head -n 12
echo
echo "== the device answering a driver over qtest, traced"
export QTEST_TRACE='ena_*'
ENA_BUILD="$repo/build" bash scripts/run-qtest.sh qos-test \
    --prefix /ena/ena-tests/reset/timing 2>&1 |
    grep -E '^(ok|not ok)|ena_(reset|readless|realize)' |
    grep -v 'SKIP by request'
