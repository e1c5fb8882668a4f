#!/usr/bin/env bash
# Linux-guest test: the driver's large-LLQ knob (ethtool -G tx-push-buf-len 224) moves the device to 256 B LLQ entries, and traffic flows.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: largellq.sh KERNEL   prints TAP. For drivers with tx-push-buf-len
# (Linux 6.5 and newer; the suite runs it on 7.3) and an ethtool that sets
# it (the kernel's tool: entries in kernels.conf).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || ena_die "usage: $0 KERNEL"
t_setup largellq "$1"
[ "$t_nic" = ena ] || { echo "1..0 # SKIP large LLQ is an ena feature"; exit 0; }

guest_run largellq -t largellq -p ip=10.0.2.15/24 -p peer=10.0.2.2 \
    -- -trace ena_llq_set || true
log=$(glog largellq)
qlog="${log%.log}.qemu.log"
check "guest: tx-push-buf-len set, carrier back, ping with 200 and 1400 B payloads" passed "$log"
check "TX push buffer 96 B before ($(lv "$log" push_before))" [ "$(lv "$log" push_before)" = 96 ]
check "TX push buffer 224 B after ($(lv "$log" push_after))" [ "$(lv "$log" push_after)" = 224 ]
diag "TX ring: $(lv "$log" tx_ring_before) before, $(lv "$log" tx_ring_after) after"
check "driver says it forces large headers" \
    [ "$(count_klog "$log" 'Forcing large headers and decreasing maximum TX queue size to [0-9]+')" -ge 1 ]
entries=$(sed -n 's/.*ena_llq_set entry \([0-9]*\) B.*/\1/p' "$qlog" | tr '\n' ' ')
diag "device LLQ entry sizes set, in order: $entries"
check "device: first 128 B LLQ entries, then 256 B" \
    [ "$(awk '{ print $1 "-" $NF }' <<< "$entries")" = 128-256 ]
check_clean "no ena warning/error, no kernel warning" "$log"
t_done
