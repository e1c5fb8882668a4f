#!/usr/bin/env bash
# Run QEMU's checkpatch.pl over our C: hw/ena, qtest and the driver core.
# qtest files are checked through their overlaid tests/qtest path, since
# checkpatch's rules depend on the path; so is the driver's qtest back end
# (plat_qtest.*, built there), while the freestanding driver core is
# checked as driver/*. The driver is MIT on purpose: checkpatch's licence
# warning about that is expected, and only errors fail.
# usage: checkpatch.sh BUILD_DIR
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
src="${1:?usage: checkpatch.sh BUILD_DIR}/qemu-src"
cd "$src"
files=(hw/ena/*.c hw/ena/*.h hw/ena/trace-events)
for f in tests/qtest/ena*.c tests/qtest/libqos/ena*.[ch]; do
    [ -e "$f" ] && files+=("$f")
done
for f in "$repo"/driver/*.[ch]; do
    case $f in
    */plat_qtest.*) files+=("tests/qtest/ena-driver/${f##*/}") ;;
    *) files+=("$f") ;;
    esac
done
echo "1..${#files[@]}"
n=0 rc=0
for f in "${files[@]}"; do
    n=$((n + 1))
    if out=$(perl scripts/checkpatch.pl --no-tree -q --terse -f "$f" 2>&1); then
        echo "ok $n ${f#"$repo"/}"
    else
        echo "not ok $n ${f#"$repo"/}"
        sed 's/^/# /' <<<"$out"
        rc=1
    fi
done
exit $rc
