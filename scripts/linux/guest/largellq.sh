# Guest test: large LLQ headers through the driver's knob (ethtool -G tx-push-buf-len), then traffic.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Needs an ethtool that knows tx-push-buf-len (tool:7.3 in kernels.conf)
# and a driver that takes it (Linux 6.5 and newer). Params: ip= (CIDR),
# peer= (an address that answers ping, e.g. the user netdev's 10.0.2.2),
# push= (the length to set, default 224: a 256 B LLQ entry less its
# descriptors).
push=${P_push:-224}
IF=$(nic_if 10) || fail "no network interface appeared"
net_setup "$IF" "${P_ip:-}" "" || fail "no carrier on $IF"
# "TX push buff len:" in the current-settings half of ethtool -g
push_len() {
    ethtool -g "$IF" | awk -F: '/^Current/ { c = 1 }
        c && /^TX push buff len/ { gsub(/[ \t]/, "", $2); print $2 }'
}
tx_ring() {
    ethtool -g "$IF" | awk -F: '/^Current/ { c = 1 }
        c && /^TX:/ { gsub(/[ \t]/, "", $2); print $2 }'
}
ethtool -g "$IF" | sed 's/^/ENATEST-INFO ethtool -g: /'
val push_before "$(push_len)"
val tx_ring_before "$(tx_ring)"
ethtool -G "$IF" tx-push-buf-len "$push" || fail "ethtool -G $IF tx-push-buf-len $push failed"
wait_carrier "$IF" 15 || fail "no carrier after tx-push-buf-len $push"
ethtool -g "$IF" | sed 's/^/ENATEST-INFO ethtool -g: /'
val push_after "$(push_len)"
val tx_ring_after "$(tx_ring)"
if [ -n "${P_peer:-}" ]; then
    wait_ping "$P_peer" 20 || fail "no answer from $P_peer after the change"
    # payloads past the old 96 B inline limit, and a full frame
    ping -c 5 -s 200 "$P_peer" >/dev/null || fail "ping -s 200 $P_peer failed"
    ping -c 5 -s 1400 "$P_peer" >/dev/null || fail "ping -s 1400 $P_peer failed"
    val pings_ok 1
fi
val tx_packets "$(cat "/sys/class/net/$IF/statistics/tx_packets")"
