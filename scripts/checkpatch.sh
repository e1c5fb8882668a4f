#!/usr/bin/env bash
# Run QEMU's checkpatch.pl over our QEMU-side sources (hw/ena, qtest).
# qtest files are checked through their overlaid tests/qtest path, since
# checkpatch's rules depend on the path.
# usage: checkpatch.sh BUILD_DIR
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
src="${1:?usage: checkpatch.sh BUILD_DIR}/qemu-src"
cd "$src"
files=(hw/ena/*.c hw/ena/*.h hw/ena/trace-events)
for f in tests/qtest/ena*.c tests/qtest/libqos/ena*.[ch]; do
    [ -e "$f" ] && files+=("$f")
done
echo "1..${#files[@]}"
n=0 rc=0
for f in "${files[@]}"; do
    n=$((n + 1))
    if out=$(perl scripts/checkpatch.pl --no-tree -q --terse -f "$f" 2>&1); then
        echo "ok $n $f"
    else
        echo "not ok $n $f"
        sed 's/^/# /' <<<"$out"
        rc=1
    fi
done
exit $rc
