#!/usr/bin/env bash
# Set up a Debian 12 machine (scripts/setup.sh), build everything and run
# every test suite; extra arguments go to `meson test` (e.g. --suite qtest).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
[ -f build/meson-private/coredata.dat ] || meson setup build
rc=0
meson test -C build --print-errorlogs --num-processes 2 "$@" || rc=$?
/usr/bin/python3 scripts/test-summary.py build/meson-logs/testlog.json || rc=1
exit $rc
