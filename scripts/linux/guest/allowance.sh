# Guest test: EC2's ENI allowances seen through ena.ko's ethtool -S (role a serves, role b measures).
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# mode=bw: b runs iperf3 to a for time= s (b's NIC has an outbound
#   bandwidth allowance); needs iperf3 (--tools "ethtool iperf3").
# mode=conntrack: a serves TCP on port 5000 (busybox nc -ll); b opens
#   conns= connections one after the other, each held open, and counts
#   those that reached ESTABLISHED (b's NIC has a conntrack allowance).
# Params: role=a|b ip= peer= mode=bw|conntrack [time=5] [conns=12] [wait=60]
# Values (role b): the ENI counters before and after (before_NAME,
#   after_NAME, for every *allowance* line of ethtool -S); bw: mbps
#   (receiver side, Mbit/s); conntrack: established, failed.
wait_s=${P_wait:-60}
[ -n "${P_ip:-}" ] && [ -n "${P_peer:-}" ] || fail "need ip= and peer="
IF=$(nic_if 10) || fail "no network interface appeared"
net_setup "$IF" "$P_ip" "" || fail "no carrier on $IF"

# eni PREFIX: one value per allowance counter of ethtool -S
eni() {
    ethtool -S "$IF" | awk -v p="$1" '/allowance/ {
        n = $1; sub(/:$/, "", n); print "ENATEST-VALUE " p "_" n "=" $2 }'
}

case ${P_mode:-bw} in
bw)
    command -v iperf3 >/dev/null || fail "no iperf3 in the initramfs (--tools 'ethtool iperf3')"
    if [ "${P_role:-a}" = a ]; then
        timeout $((wait_s + ${P_time:-5} + 10)) iperf3 -s -1 > /tmp/iperf-s 2>&1 ||
            { cat /tmp/iperf-s; fail "iperf3 server session failed"; }
    else
        wait_ping "$P_peer" "$wait_s" || fail "peer $P_peer did not answer ping"
        eni before
        end=$(($(uptime_cs) + wait_s * 100))
        until iperf3 -c "$P_peer" -f m -t "${P_time:-5}" > /tmp/iperf 2>&1; do
            [ "$(uptime_cs)" -lt "$end" ] || { cat /tmp/iperf; fail "iperf3 failed"; }
            usleep 300000
        done
        v=$(awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) }
                 END { print v }' /tmp/iperf)
        val mbps "${v:-0}"
        eni after
    fi
    ;;
conntrack)
    conns=${P_conns:-12}
    if [ "${P_role:-a}" = a ]; then
        # a persistent server, a child per connection; b says DONE on its
        # first connection when it has counted
        printf '#!/bin/sh\nwhile read -r l; do [ "$l" = DONE ] && : > /tmp/done; done\n' \
            > /tmp/srv
        chmod +x /tmp/srv
        nc -ll -p 5000 -e /tmp/srv &
        # generous: under a loaded host a guest's clock may run fast
        # (TSC calibrated against a PIT that TCG delays); the harness's own
        # progress timeout ends a run that hangs
        end=$(($(uptime_cs) + (wait_s * 5 + conns * 10) * 100))
        until [ -e /tmp/done ]; do
            [ "$(uptime_cs)" -lt "$end" ] || fail "b never said it was done"
            usleep 200000
        done
    else
        wait_ping "$P_peer" "$wait_s" || fail "peer $P_peer did not answer ping"
        eni before
        mkfifo /tmp/ctl
        nc -w 3 "$P_peer" 5000 < /tmp/ctl > /dev/null 2>&1 &
        exec 3> /tmp/ctl
        i=1
        while [ "$i" -lt "$conns" ]; do
            # held open by the sleep; -w 3: a connect that gets no answer
            # gives up after 3 s
            (sleep 300 | nc -w 3 "$P_peer" 5000 > /dev/null 2>&1) &
            i=$((i + 1))
            usleep 300000
        done
        # every connect has either completed or timed out 3 s after it began
        sleep 5
        est=$(netstat -tn 2>/dev/null | awk '$5 ~ /:5000$/ && $6 == "ESTABLISHED"' | wc -l)
        val established "$est"
        val failed $((conns - est))
        eni after
        echo DONE >&3
        sleep 1
    fi
    ;;
*)
    fail "mode must be bw or conntrack"
    ;;
esac
