#!/usr/bin/env bash
# Linux-guest test: link down/up cycles and rmmod/insmod of the driver, then traffic both ways.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: lifecycle.sh KERNEL   prints TAP.
# Both guests do 3 `ip link set down/up` cycles, then 2 rmmod/insmod rounds,
# then ping and one verified TCP stream each way.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || ena_die "usage: $0 KERNEL"
t_setup lifecycle "$1"
lines=200000
# One host thread per guest runs both vCPUs in turn (as in multiqueue.sh):
# with a thread per vCPU, CI once left guest b's idle vCPU without its
# timer interrupts (RCU stalls from 24 s on, a guest that never booted).
guest_run lifecycle --pair -t traffic --smp 2 --tcg-thread single \
    -p updown=3 -p reload=2 -p "lines=$lines" || true
for g in a b; do
    log=$(glog lifecycle "$g")
    check "guest $g: 3 down/up cycles, 2 reloads, then traffic" passed "$log"
    check "guest $g: all cycles done ($(lv "$log" updown_done) down/up, $(lv "$log" reload_done) reloads)" \
        [ "$(lv "$log" updown_done)/$(lv "$log" reload_done)" = 3/2 ]
    if [ "$t_nic" = ena ]; then
        check "guest $g: probed 3 times" \
            [ "$(count_klog "$log" 'Elastic Network Adapter \(ENA\) found at mem')" -eq 3 ]
    fi
done
check_streams lifecycle "$lines" 1
for g in a b; do
    check_clean "guest $g: no ena warning/error, no kernel warning" "$(glog lifecycle "$g")"
done
t_done
