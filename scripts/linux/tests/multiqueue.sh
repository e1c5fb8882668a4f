#!/usr/bin/env bash
# Linux-guest test: 4 vCPUs and 4 queue pairs; parallel TCP streams spread over several queues.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: multiqueue.sh KERNEL   prints TAP.
# 8 streams each way (ENA_TEST_MQ_LINES lines each, default 200000); each
# guest must see RX packets on >= 2 queues (ethtool -S queue_N_rx_cnt) and
# interrupts on >= 2 of its eth0-Tx-Rx-N vectors.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || ena_die "usage: $0 KERNEL"
t_setup multiqueue "$1"
if [ "$t_nic" = e1000e ]; then
    echo "1..0 # SKIP e1000e has a single queue pair"
    exit 0
fi
lines=${ENA_TEST_MQ_LINES:-200000}
flows=8
devopts=""
[ "$t_nic" = ena ] && devopts="queues=4"
[ "$t_nic" = virtio-net-pci ] && devopts="mq=on,vectors=10"
# One host thread per guest runs its 4 vCPUs in turn: with a thread per
# vCPU, 8 vCPU threads on a 2-core CI host left a guest's idle vCPUs
# without their timer interrupts (RCU stalls, a guest that never booted).
guest_run multiqueue --pair -t traffic --smp 4 --tcg-thread single \
    --device-opts "$devopts" \
    -p "lines=$lines" -p "flows=$flows" -p minq=2 || true
for g in a b; do
    log=$(glog multiqueue "$g")
    check "guest $g: $flows streams each way, >= 2 queues active" passed "$log"
    diag "guest $g: irq deltas: $(tr -d '\r' < "$log" | sed -n 's/.*ENATEST-VALUE irq_delta_\([0-9]*\)=/q\1=/p' | tr '\n' ' ')"
    diag "guest $g: rx queue deltas: $(tr -d '\r' < "$log" | sed -n 's/.*ENATEST-VALUE rxq_delta_\([0-9]*\)=/q\1=/p' | tr '\n' ' ')"
    if [ "$t_nic" = ena ]; then
        check "guest $g: 4 IO queues (eth0-Tx-Rx-0..3)" \
            [ "$(tr -d '\r' < "$log" | grep -c 'ENATEST-VALUE irq_delta_')" -eq 4 ]
        check "guest $g: RX on >= 2 queues ($(lv "$log" rxq_active))" [ "$(lv "$log" rxq_active)" -ge 2 ]
    fi
done
check_streams multiqueue "$lines" "$flows"
for g in a b; do
    check_clean "guest $g: no ena warning/error, no kernel warning" "$(glog multiqueue "$g")"
done
t_done
