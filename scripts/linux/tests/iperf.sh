#!/usr/bin/env bash
# Linux-guest measurement: iperf3 TCP throughput between two guests, both directions (not in the default suite).
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: iperf.sh KERNEL [MTU]   prints TAP; the numbers are diagnostics.
# Under TCG the noise is large (guest-notes.md: +-40 %); compare NICs
# (ENA_TEST_NIC=e1000e) interleaved, several runs each.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -ge 1 ] && [ $# -le 2 ] || ena_die "usage: $0 KERNEL [MTU]"
mtu=${2:-1500}
t_setup "iperf-$mtu" "$1"
tag="iperf-$mtu"
guest_run "$tag" --pair -t iperf --tools "ethtool iperf3" \
    -p "mtu=$mtu" -p "time=${ENA_TEST_IPERF_TIME:-5}" || true
for g in a b; do
    check "guest $g: iperf3 sessions completed" passed "$(glog "$tag" "$g")"
done
logb=$(glog "$tag" b)
diag "throughput $t_nic MTU $mtu: b->a $(lv "$logb" mbps_b_to_a) Mbit/s, a->b $(lv "$logb" mbps_a_to_b) Mbit/s"
for g in a b; do
    check_clean "guest $g: no ena warning/error, no kernel warning" "$(glog "$tag" "$g")"
done
t_done
