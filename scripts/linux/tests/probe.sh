#!/usr/bin/env bash
# Linux-guest test: the driver probes with no warning or error, the interface appears and its carrier comes up.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: probe.sh KERNEL   (6.1, 6.12 or a KVER from kernels.conf); prints TAP.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || ena_die "usage: $0 KERNEL"
t_setup probe "$1"

# The device offers LLQ: the driver must take it (TX SQs in device
# placement, seen in the device's trace) and say nothing about it.
extra=()
[ "$t_nic" = ena ] && extra=(-- -trace ena_create_sq_llq)
# one host thread runs both vCPUs in turn (see lifecycle.sh)
guest_run probe --smp 2 --tcg-thread single -t probe "${extra[@]}" || true
log=$(glog probe)
check "guest: driver loaded, interface up, carrier up, ethtool -S" passed "$log"
if [ "$t_nic" = ena ]; then
    check "driver bound is ena" [ "$(lv "$log" driver)" = ena ]
    check "probe line 'Elastic Network Adapter (ENA) found at mem'" \
        [ "$(count_klog "$log" 'Elastic Network Adapter \(ENA\) found at mem [0-9a-f]+, mac addr 52:54:00:e0:00:01')" -eq 1 ]
    check "2 vCPUs: 2 IO queue interrupts (eth0-Tx-Rx-0/1)" [ "$(lv "$log" irq_queues)" = 2 ]
    check "2 TX queues in LLQ (device placement)" \
        [ "$(grep -c 'ena_create_sq_llq' "${log%.log}.qemu.log")" -eq 2 ]
fi
if [ "$t_nic" = ena ] && [ -x "$ena_build/ena-diag/ena-diag" ]; then
    # ena-diag: healthy, 2 queues for 2 vCPUs, and a metrics interval
    check "ena-diag status: the device is working properly" \
        [ "$(lv "$log" diag_status)" = "$(lv "$log" ethtool_bus-info) ok" ]
    tune=$(lv "$log" diag_tune)
    check "ena-diag tune: queues as recommended (2 for 2 vCPUs)" \
        grep -q '"setting":"queues","current":"2 of [0-9]* (2 vCPUs)"[^}]*"verdict":"ok"' <<<"$tune"
    check "ena-diag tune: an MTU of 1500 comes with 'ip link set dev eth0 mtu 9001'" \
        grep -q '"command":"ip link set dev eth0 mtu 9001"' <<<"$tune"
    metrics=$(lv "$log" diag_metrics)
    check "ena-diag metrics: eth0's packet and bit rates over one interval" \
        grep -q '"netdev":"eth0".*"rx_pps":.*"tx_bps":' <<<"$metrics"
    check "ena-diag metrics: no allowance exceeded (exit 0)" \
        [ "$(lv "$log" diag_metrics_rc)" = 0 ]
    check "ena-diag metrics: pps_allowance_exceeded read from ethtool -S" \
        grep -q '"pps_allowance_exceeded":{"value":0,"delta":0}' <<<"$metrics"
fi
check_clean "no ena warning/error, no kernel warning" "$log"
t_done
