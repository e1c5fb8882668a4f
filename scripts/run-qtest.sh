#!/usr/bin/env bash
# Run one of our qtest executables from the overlaid QEMU build (TAP out).
# usage: run-qtest.sh NAME [--prefix PATH] [glib test args...]
# --prefix runs only the tests whose path contains PATH: the others are
# skipped with -s, which keeps glib's output a single TAP plan.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
build=${ENA_BUILD:?ENA_BUILD is the meson build directory}
name=$1
shift
export QTEST_QEMU_BINARY="$build/qemu-system-x86_64"
bin="$build/qemu-build/tests/qtest/$name"
args=()
if [ "${1:-}" = --prefix ]; then
    prefix=$2
    shift 2
    list=$("$bin" -l)
    if ! grep -qF "$prefix" <<<"$list"; then
        echo "run-qtest: no test matches $prefix" >&2
        exit 1
    fi
    while read -r path; do
        args+=(-s "$path")
    done < <(grep -vF "$prefix" <<<"$list"; grep -F '/pci-device-tests/' <<<"$list")
fi
exec "$bin" --tap -k "${args[@]}" "$@"
