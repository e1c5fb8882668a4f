#!/usr/bin/env bash
# Linux-guest test: two guests ping each other and move TCP data both ways, verified by SHA-256, at a given MTU.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: traffic.sh KERNEL [MTU]   (MTU default 1500; 9001 for jumbo frames)
# Prints TAP. Each direction carries `seq` output of ENA_TEST_LINES lines
# (default 1000000: 6.9 MB a->b, 11 MB b->a).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -ge 1 ] && [ $# -le 2 ] || ena_die "usage: $0 KERNEL [MTU]"
mtu=${2:-1500}
lines=${ENA_TEST_LINES:-1000000}
t_setup "traffic-$mtu" "$1"

pingsize=56
[ "$mtu" -gt 1500 ] && pingsize=$((mtu - 28 - 1000))
tag="traffic-$mtu"
extra=()
[ "$t_nic" = ena ] && extra=(-- -trace ena_create_sq_llq)
guest_run "$tag" --pair -t traffic --smp 1 \
    -p "mtu=$mtu" -p "lines=$lines" -p "pingsize=$pingsize" "${extra[@]}" || true
for g in a b; do
    log=$(glog "$tag" "$g")
    check "guest $g: MTU $mtu, ping -s $pingsize, streams sent and received" passed "$log"
    diag "guest $g: tx $(lv "$log" tx_bytes) bytes in $(lv "$log" tx_ms) ms ($(lv "$log" tx_kbps) kbit/s), rx avg frame $(lv "$log" rx_avg_frame) bytes"
done
check_streams "$tag" "$lines" 1
if [ "$t_nic" = ena ]; then
    for g in a b; do
        l=$(glog "$tag" "$g")
        check "guest $g: TX through LLQ (device placement)" \
            [ "$(grep -c 'ena_create_sq_llq' "${l%.log}.qemu.log")" -ge 1 ]
    done
fi
if [ "$mtu" -gt 1500 ]; then
    for g in a b; do
        avg=$(lv "$(glog "$tag" "$g")" rx_avg_frame)
        check "guest $g received jumbo frames (average ${avg:-?} > 1514 bytes)" \
            [ "${avg:-0}" -gt 1514 ]
    done
fi
for g in a b; do
    check_clean "guest $g: no ena warning/error, no kernel warning" "$(glog "$tag" "$g")"
done
t_done
