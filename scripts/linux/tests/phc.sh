#!/usr/bin/env bash
# Linux-guest test: with phc=on, devlink enable_phc gives the driver a PTP clock (/dev/ptpN) whose reads advance with the virtual clock.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: phc.sh KERNEL   prints TAP. For drivers with PHC support (the
# suite runs it on 7.3) and the kernel's devlink and phc_ctl (tool:
# entries in kernels.conf).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || ena_die "usage: $0 KERNEL"
t_setup phc "$1"
[ "$t_nic" = ena ] || { echo "1..0 # SKIP PHC is an ena feature"; exit 0; }

gap=2
# The driver waits phc-expire-us for an answer, measured by the guest's
# clock. With the timing model the answer comes from a timer in QEMU's
# main loop, which a loaded host can hold back past any expire time; with
# timing=off it is written during the doorbell's MMIO write, before the
# vCPU reads on, so the test does not depend on the host's speed. The
# expire and block times are kept generous and the guest still retries
# a refused read.
guest_run phc -t phc -p "gap=$gap" --tools "ethtool devlink phc_ctl" \
    --device-opts phc=on,timing=off,phc-expire-us=50000,phc-block-us=500000 \
    -- -trace ena_phc_config -trace ena_phc_resp || true
log=$(glog phc)
qlog="${log%.log}.qemu.log"
check "guest: enable_phc through devlink, /dev/ptpN, two reads" passed "$log"
check "no PTP clock before enable_phc" [ "$(lv "$log" ptp_before)" = 0 ]
check "a PTP clock under the ena device ($(lv "$log" ptp): $(lv "$log" ptp_name))" \
    test -n "$(lv "$log" ptp)"
phc_d=$(lv "$log" phc_delta_ms)
up_d=$(lv "$log" uptime_delta_ms)
diag "PHC advanced ${phc_d:-?} ms while the guest's uptime advanced ${up_d:-?} ms (sleep $gap); $(lv "$log" phc_retries) reads retried"
# Both count the same interval (the device samples QEMU's virtual clock):
# the PHC must advance, by the guest's own measure within 500 ms (the
# reads are separate processes on a possibly starved vCPU).
check "PHC advanced (${phc_d:-?} ms)" [ "${phc_d:-0}" -gt 0 ]
agree() {
    [ -n "$phc_d" ] && [ -n "$up_d" ] &&
        [ $((phc_d > up_d ? phc_d - up_d : up_d - phc_d)) -le 500 ]
}
check "PHC advance agrees with the guest's uptime within 500 ms" agree
check "device: the driver gave it a response address (PHC_CONFIG set)" \
    grep -q 'ena_phc_config response at' "$qlog"
check "device: answered the reads ($(grep -c 'ena_phc_resp' "$qlog") responses, >= 2)" \
    [ "$(grep -c 'ena_phc_resp .* error_flags 0x0' "$qlog")" -ge 2 ]
check_clean "no ena warning/error, no kernel warning" "$log"
t_done
