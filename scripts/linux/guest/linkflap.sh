# Guest test: the carrier follows the device link (QMP set_link off/on from the host) and traffic-free recovery works.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Prints ENATEST-READY once the carrier is up; the host then takes the link
# down and up again. Params: ip= (optional), wait= (default 30 s per edge).
wait_s=${P_wait:-30}
IF=$(nic_if 10) || fail "no network interface appeared"
net_setup "$IF" "${P_ip:-}" "" || fail "no carrier on $IF"
marker READY
t0=$(uptime_cs)
n=0
until [ "$(cat "/sys/class/net/$IF/carrier")" = 0 ]; do
    [ "$n" -lt $((wait_s * 10)) ] || fail "carrier did not drop within $wait_s s"
    usleep 100000
    n=$((n + 1))
done
val carrier_down_cs $(($(uptime_cs) - t0))
wait_carrier "$IF" "$wait_s" || fail "carrier did not return within $wait_s s"
val carrier_up_cs $(($(uptime_cs) - t0))
val operstate "$(cat "/sys/class/net/$IF/operstate")"
