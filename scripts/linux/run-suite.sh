#!/usr/bin/env bash
# Run every Linux-guest test on every pinned kernel and print one line per test plus a total.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: run-suite.sh [-t TEST]... [KERNEL...]
#   KERNEL   6.1, 6.12, 7.3 or a KVER (default: every kernel in kernels.conf)
#   -t TEST  run only this test (probe, traffic-1500, traffic-9001,
#            multiqueue, lifecycle, linkflap; largellq and phc on 7.3);
#            repeatable
# Each test's TAP output goes to $ENA_LINUX_WORK/logs/<test>-<kver>.tap.
# Set ENA_TEST_NIC=e1000e (or virtio-net-pci) to run the suite against a
# stock QEMU NIC, which checks the tooling independently of the ENA model.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

all_tests=(probe traffic-1500 traffic-9001 multiqueue lifecycle linkflap)
tests=()
while [ $# -gt 0 ]; do
    case $1 in
    -t) tests+=("$2"); shift 2 ;;
    -h|--help) sed -n '4,13p' "$0"; exit 0 ;;
    -*) ena_die "unknown option $1" ;;
    *) break ;;
    esac
done
[ "${#tests[@]}" -gt 0 ] || tests=("${all_tests[@]}")
if [ $# -gt 0 ]; then
    kernels=("$@")
else
    mapfile -t kernels < <(ena_kvers)
fi

if [ "$(id -u)" -eq 0 ]; then
    "$ena_linux_dir/fetch-kernels.sh"
fi
ena_qemu >/dev/null

logs="$ENA_LINUX_WORK/logs"
[ "${ENA_TEST_NIC:-ena}" = ena ] || logs+="/$ENA_TEST_NIC"
mkdir -p "$logs"
pass=0
fail=0
skip=0
t_all=$SECONDS
for k in "${kernels[@]}"; do
    kver=$(ena_resolve_kver "$k")
    for t in "${tests[@]}"; do
        case $t in
        traffic-*) cmd=("$ena_linux_dir/tests/traffic.sh" "$kver" "${t#traffic-}") ;;
        *) cmd=("$ena_linux_dir/tests/$t.sh" "$kver") ;;
        esac
        [ -x "${cmd[0]}" ] || ena_die "no test $t"
        tap="$logs/$t-$kver.tap"
        t0=$SECONDS
        rc=0
        "${cmd[@]}" > "$tap" 2>&1 || rc=$?
        if [ "$rc" -eq 0 ] && grep -q '^1\.\.0 # SKIP' "$tap"; then
            st=SKIP
        elif [ "$rc" -eq 0 ]; then
            st=PASS
            pass=$((pass + 1))
        else
            st=FAIL
            fail=$((fail + 1))
        fi
        [ "$st" = SKIP ] && skip=$((skip + 1))
        printf '%-4s %-13s %-22s %3ds  %s\n' "$st" "$t" "$kver" $((SECONDS - t0)) "$tap"
        if [ "$st" = FAIL ]; then
            awk '/^not ok|^#   / && n++ < 15 { print "     " $0 }' "$tap"
        fi
    done
done
echo "linux suite: $pass passed, $fail failed, $skip skipped in $((SECONDS - t_all)) s (nic ${ENA_TEST_NIC:-ena})"
[ "$fail" -eq 0 ]
