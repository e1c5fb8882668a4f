# Guest test: iperf3 TCP throughput both ways between two guests (role a serves, role b measures).
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Needs an initramfs with iperf3 (run-guest.sh --tools "ethtool iperf3").
# Params: role=a|b ip= peer= [mtu=] [time=5] [parallel=1] [wait=60]
# Values (role b): mbps_b_to_a, mbps_a_to_b (receiver side, Mbit/s).
wait_s=${P_wait:-60}
command -v iperf3 >/dev/null || fail "no iperf3 in the initramfs (--tools 'ethtool iperf3')"
[ -n "${P_ip:-}" ] && [ -n "${P_peer:-}" ] || fail "need ip= and peer="
IF=$(nic_if 10) || fail "no network interface appeared"
net_setup "$IF" "$P_ip" "${P_mtu:-}" || fail "no carrier on $IF"

if [ "${P_role:-a}" = a ]; then
    for n in 1 2; do
        timeout $((wait_s + ${P_time:-5} + 10)) iperf3 -s -1 > "/tmp/iperf-s$n" 2>&1 ||
            { cat "/tmp/iperf-s$n"; fail "iperf3 server session $n failed"; }
    done
else
    wait_ping "$P_peer" "$wait_s" || fail "peer $P_peer did not answer ping"
    # client RESULT-NAME [iperf3 options]
    client() {
        name=$1
        shift
        end=$(($(uptime_cs) + wait_s * 100))
        until iperf3 -c "$P_peer" -f m -t "${P_time:-5}" -P "${P_parallel:-1}" "$@" \
                > "/tmp/$name" 2>&1; do
            [ "$(uptime_cs)" -lt "$end" ] || { cat "/tmp/$name"; fail "iperf3 $name failed"; }
            usleep 300000
        done
        v=$(awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) }
                 END { print v }' "/tmp/$name")
        val "$name" "${v:-0}"
        # the run itself for the logs: per second, and the sender's
        # retransmissions and congestion window where this end sends
        sed "s/^/IPERF $name /" "/tmp/$name"
    }
    client mbps_b_to_a
    client mbps_a_to_b -R
fi

# For the benchmark's logs: the offloads the driver took from the device,
# and every NIC counter that moved.
if command -v ethtool >/dev/null; then
    ethtool -k "$IF" 2>/dev/null | grep -E 'checksum|segmentation|scatter' |
        sed 's/^/OFFLOAD /'
    ethtool -S "$IF" 2>/dev/null | grep -v ': 0$' | sed 's/^/NICSTAT /'
fi
