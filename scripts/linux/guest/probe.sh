# Guest test: the NIC driver probed, the interface exists and its carrier comes up.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Params: ip= (CIDR, optional), mtu= (optional), stats=0 to skip ethtool -S,
#         hold=S to keep the interface up S seconds before the checks end
#         (lets the driver's watchdogs run, e.g. while a fault is active).
# Sourced by /init in a subshell; helpers come from /init.

IF=$(nic_if 10) || fail "no network interface appeared"
val ifname "$IF"
val driver "$(nic_module "$IF")"
val mac "$(cat "/sys/class/net/$IF/address")"
val txqs "$(ls -d /sys/class/net/"$IF"/queues/tx-* | wc -l)"
val rxqs "$(ls -d /sys/class/net/"$IF"/queues/rx-* | wc -l)"
t0=$(uptime_cs)
net_setup "$IF" "${P_ip:-}" "${P_mtu:-}" || fail "no carrier on $IF within 15 s"
val carrier_cs $(($(uptime_cs) - t0))
val operstate "$(cat "/sys/class/net/$IF/operstate")"
val mtu "$(cat "/sys/class/net/$IF/mtu")"
val irq_queues "$(irq_counts "$IF" | wc -l)"
if [ "${P_hold:-0}" -gt 0 ]; then
    marker READY
    sleep "$P_hold"
    [ "$(cat "/sys/class/net/$IF/carrier")" = 1 ] || fail "carrier lost during hold"
fi
if command -v ethtool >/dev/null; then
    ethtool -i "$IF" | sed -n 's/^\(driver\|version\|firmware-version\|bus-info\): */ethtool_\1=/p' |
        while IFS= read -r l; do echo "ENATEST-VALUE $l"; done
    if [ "${P_stats:-1}" = 1 ]; then
        ethtool -S "$IF" > /tmp/stats || fail "ethtool -S $IF failed"
        awk -F': *' 'NR > 1 { gsub(/^ +/, "", $1); print "ENATEST-VALUE stat." $1 "=" $2 }' /tmp/stats
    fi
fi
# ena-diag, when the initramfs has it: the verdict, the tuning advice and
# one interval of metrics, with the interface up
if command -v ena-diag >/dev/null && [ "$(nic_module "$IF")" = ena ]; then
    val diag_status "$(ena-diag status --brief | head -n 1)"
    ena-diag --json tune > /tmp/tune
    val diag_tune_rc $?
    val diag_tune "$(cat /tmp/tune)"
    ena-diag --json metrics --count 1 --interval 0.5 > /tmp/metrics
    val diag_metrics_rc $?
    val diag_metrics "$(cat /tmp/metrics)"
fi
ip link set dev "$IF" down || fail "ip link set down failed"
