#!/usr/bin/env bash
# Set up, build, and show the ENA device being broken on purpose: the
# keep-alive-loss scenario on the bare-metal reference driver (a few
# seconds, deterministic in virtual time), then the same story against
# the real Linux ena.ko of Debian 6.12.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
[ -f build/meson-private/coredata.dat ] || meson setup build
meson compile -C build
echo
echo "== -device ena,help (fault points)"
build/qemu-system-x86_64 -device ena,help | grep -E '^  fault-[a-z]+=' || true
echo
echo "== scenarios/keepalive-loss.scn"
grep -v '^#' scenarios/keepalive-loss.scn | sed '/^$/d; s/^/   /'
echo
echo "== the reference driver as a bare-metal guest"
build/ena-scenario --target guest scenarios/keepalive-loss.scn
echo
echo "== the real Linux ena.ko (Debian 6.12)"
build/ena-scenario --target linux --kernel 6.12 scenarios/keepalive-loss.scn
