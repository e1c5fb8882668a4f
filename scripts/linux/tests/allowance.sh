#!/usr/bin/env bash
# Linux-guest test: EC2's ENI allowances as ena.ko shows them (ethtool -S), bandwidth and connection tracking.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: allowance.sh KERNEL bw|conntrack    prints TAP.
# bw: guest b's NIC has allowance-bw-out-mbps=$ENA_TEST_BW_MBPS (default
#   20); iperf3 b->a reaches no more than that rate (5 % for the guest's
#   clock against the device's virtual one, which runs with the host's
#   here) and at least a quarter of it, and bw_out_allowance_exceeded
#   rises.
# conntrack: guest b's NIC has allowance-conntrack=8; b opens 12 TCP
#   connections to a and holds them: at least one never establishes, at
#   most 8 flows' worth do, and conntrack_allowance_exceeded rises.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 2 ] || ena_die "usage: $0 KERNEL bw|conntrack"
mode=$2
t_setup "allowance-$mode" "$1"
tag="allowance-$mode"
[ "$t_nic" = ena ] || ena_die "the allowances are the ena device's"
case $mode in
bw)
    mbps=${ENA_TEST_BW_MBPS:-20}
    guest_run "$tag" --pair -t allowance --tools "ethtool iperf3" \
        -p mode=bw -p "time=${ENA_TEST_IPERF_TIME:-5}" \
        --b-device-opts "allowance-bw-out-mbps=$mbps" || true
    ;;
conntrack)
    # no IPv6: its neighbour discovery would take flows of its own
    guest_run "$tag" --pair -t allowance --append ipv6.disable=1 \
        -p mode=conntrack -p conns=12 \
        --b-device-opts "allowance-conntrack=8" || true
    ;;
*) ena_die "mode must be bw or conntrack" ;;
esac
lb=$(glog "$tag" b)
# rose BEFORE AFTER: a counter read before, and higher after
rose() { [ -n "$1" ] && [ "${2:-0}" -gt "$1" ]; }
# within N LO HI
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
for g in a b; do
    check "guest $g: $mode run completed" passed "$(glog "$tag" "$g")"
done
case $mode in
bw)
    got=$(lv "$lb" mbps)
    before=$(lv "$lb" before_bw_out_allowance_exceeded)
    after=$(lv "$lb" after_bw_out_allowance_exceeded)
    diag "iperf3 b->a ${got:-?} Mbit/s under a $mbps Mbit/s allowance; bw_out_allowance_exceeded ${before:-?} -> ${after:-?}"
    check "iperf3 reached no more than the allowance ($got <= $mbps Mbit/s)" \
        awk -v g="${got:-0}" -v m="$mbps" 'BEGIN { exit !(g > 0 && g <= m * 1.05) }'
    check "iperf3 reached at least a quarter of it" \
        awk -v g="${got:-0}" -v m="$mbps" 'BEGIN { exit !(g >= m / 4) }'
    check "ethtool -S: bw_out_allowance_exceeded rose (${before:-?} -> ${after:-?})" \
        rose "$before" "$after"
    ;;
conntrack)
    est=$(lv "$lb" established)
    failed=$(lv "$lb" failed)
    before=$(lv "$lb" before_conntrack_allowance_exceeded)
    after=$(lv "$lb" after_conntrack_allowance_exceeded)
    diag "established ${est:-?}, failed ${failed:-?}; conntrack_allowance_exceeded ${before:-?} -> ${after:-?}; conntrack_allowance_available $(lv "$lb" after_conntrack_allowance_available)"
    check "some connections established (${est:-?}), none beyond the allowance" \
        within "${est:-0}" 1 8
    check "new connections failed past the allowance (${failed:-?})" \
        [ "${failed:-0}" -ge 1 ]
    check "ethtool -S: conntrack_allowance_exceeded rose (${before:-?} -> ${after:-?})" \
        rose "$before" "$after"
    if [ -n "$(lv "$lb" after_conntrack_allowance_available)" ]; then
        check "ethtool -S: conntrack_allowance_available is 0 with the table full" \
            [ "$(lv "$lb" after_conntrack_allowance_available)" = 0 ]
    fi
    ;;
esac
for g in a b; do
    check_clean "guest $g: no ena warning/error, no kernel warning" "$(glog "$tag" "$g")"
done
t_done
