# Guest test: TCP data both ways between two guests, verified by SHA-256, optionally after down/up cycles and module reloads.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Two guests on one link run this with role=a and role=b. Sequence:
#   set up (ip=, mtu=); updown=N link down/up cycles; reload=N rmmod/insmod
#   (each followed by set-up again); ping the peer until it answers; a ping
#   burst of pingsize= bytes; then flows= parallel TCP streams a->b, and
#   when those are complete, b->a. Each stream carries `seq S S+lines-1`:
#     a->b stream i: S = 1 + i*lines       (ports 5000+i)
#     b->a stream i: S = 1000000000 + i*lines (ports 6000+i)
#   so the harness can recompute every expected SHA-256 on the host.
# Params: role=a|b ip=CIDR peer=IP [mtu=] [lines=200000] [flows=1]
#         [updown=0] [reload=0] [pingsize=56] [minq=1] [wait=60]
# Values: tx_sha_<port>, rx_sha_<port>, rx_bytes_<port>, tx_ms, tx_kbps,
#         irq_delta_<q>, irq_active, rxq_active/txq_active (ethtool),
#         rx_avg_frame, ...

role=${P_role:-a}
lines=${P_lines:-200000}
flows=${P_flows:-1}
wait_s=${P_wait:-60}
[ -n "${P_ip:-}" ] && [ -n "${P_peer:-}" ] || fail "need ip= and peer="
case $role in
a) out_base=5000; in_base=6000; out_start=1 ;;
b) out_base=6000; in_base=5000; out_start=1000000000 ;;
*) fail "role must be a or b" ;;
esac

# Not answering pings until ready (cycles done, listeners up): the peer's
# first ping reply is its signal to start, and a peer that got one from
# between two of our reloads lost part of its ping burst to the next one.
echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all

IF=$(nic_if 10) || fail "no network interface appeared"
MOD=$(nic_module "$IF")
val ifname "$IF"
val driver "$MOD"
net_setup "$IF" "$P_ip" "${P_mtu:-}" || fail "no carrier on $IF"
if [ -n "${P_mtu:-}" ]; then
    [ "$(cat "/sys/class/net/$IF/mtu")" = "$P_mtu" ] || fail "MTU $P_mtu not applied"
fi

i=0
while [ "$i" -lt "${P_updown:-0}" ]; do
    ip link set dev "$IF" down || fail "link down $i failed"
    ip link set dev "$IF" up || fail "link up $i failed"
    wait_carrier "$IF" 15 || fail "no carrier after up $i"
    i=$((i + 1))
done
val updown_done "$i"

i=0
while [ "$i" -lt "${P_reload:-0}" ]; do
    ip link set dev "$IF" down
    rmmod "$MOD" || fail "rmmod $MOD ($i) failed"
    [ ! -e "/sys/class/net/$IF" ] || fail "$IF still present after rmmod"
    load_module "$MOD" || fail "insmod $MOD ($i) failed"
    IF=$(nic_if 10) || fail "no interface after reload $i"
    net_setup "$IF" "$P_ip" "${P_mtu:-}" || fail "no carrier after reload $i"
    i=$((i + 1))
done
val reload_done "$i"

# Counters before any traffic (the peer starts sending once our kernel
# answers its ping).
stat_of() { cat "/sys/class/net/$IF/statistics/$1"; }
rxb0=$(stat_of rx_bytes)
rxp0=$(stat_of rx_packets)
irq_counts "$IF" > /tmp/irq0
if command -v ethtool >/dev/null; then
    ethtool -S "$IF" > /tmp/eth0 2>/dev/null || true
fi

# Listeners first, so the peer can connect whenever it is ready.
i=0
while [ "$i" -lt "$flows" ]; do
    port=$((in_base + i))
    nc -l -p "$port" -e sh -c "cat > /tmp/rx.$port" &
    echo $! > "/tmp/rxpid.$port"
    i=$((i + 1))
done

# The data we send, generated before the clock starts.
i=0
while [ "$i" -lt "$flows" ]; do
    s=$((out_start + i * lines))
    seq "$s" $((s + lines - 1)) > "/tmp/tx.$i"
    val "tx_sha_$((out_base + i))" "$(sha256sum < "/tmp/tx.$i" | cut -d' ' -f1)"
    i=$((i + 1))
done

echo 0 > /proc/sys/net/ipv4/icmp_echo_ignore_all
t0=$(uptime_cs)
wait_ping "$P_peer" "$wait_s" || fail "peer $P_peer did not answer ping within $wait_s s"
val first_ping_cs $(($(uptime_cs) - t0))
ping -c 5 -i 0.2 -W 10 -s "${P_pingsize:-56}" "$P_peer" > /tmp/ping 2>&1
rcvd=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/ping)
val ping_received "${rcvd:-0}"
[ "${rcvd:-0}" -ge 4 ] || { cat /tmp/ping; fail "ping -s ${P_pingsize:-56}: ${rcvd:-0}/5 replies"; }

# Wait for the listener of port $1; false once its stream has not grown
# for $2 s (progress, not a total budget: a loaded host makes guests slow).
wait_rx() {
    pid=$(cat "/tmp/rxpid.$1")
    n=0
    last=-1
    while kill -0 "$pid" 2>/dev/null; do
        size=$(wc -c < "/tmp/rx.$1" 2>/dev/null || echo 0)
        if [ "$size" != "$last" ]; then
            last=$size
            n=0
        fi
        [ "$n" -lt $(($2 * 10)) ] || return 1
        usleep 100000
        n=$((n + 1))
    done
    wait "$pid"
}

# Send every stream to the peer, retrying refused connects.
send_all() {
    ts=$(uptime_cs)
    i=0
    while [ "$i" -lt "$flows" ]; do
        (
            port=$((out_base + i))
            end=$(($(uptime_cs) + wait_s * 100))
            until nc "$P_peer" "$port" < "/tmp/tx.$i" 2>/dev/null; do
                [ "$(uptime_cs)" -lt "$end" ] || exit 1
                usleep 200000
            done
        ) &
        eval "spid_$i=$!"
        i=$((i + 1))
    done
    bad=0
    i=0
    while [ "$i" -lt "$flows" ]; do
        eval "wait \$spid_$i" || bad=$((bad + 1))
        i=$((i + 1))
    done
    te=$(uptime_cs)
    [ "$bad" -eq 0 ] || fail "$bad of $flows streams to $P_peer failed"
    bytes=$(cat /tmp/tx.* | wc -c)
    ms=$(((te - ts) * 10))
    [ "$ms" -gt 0 ] || ms=10
    val tx_bytes "$bytes"
    val tx_ms "$ms"
    val tx_kbps $((bytes * 8 / ms))
}

recv_all() {
    i=0
    while [ "$i" -lt "$flows" ]; do
        port=$((in_base + i))
        wait_rx "$port" "$wait_s" || fail "stream on port $port stalled for $wait_s s"
        val "rx_sha_$port" "$(sha256sum < "/tmp/rx.$port" | cut -d' ' -f1)"
        val "rx_bytes_$port" "$(wc -c < "/tmp/rx.$port")"
        i=$((i + 1))
    done
}

if [ "$role" = a ]; then
    send_all
    recv_all
else
    recv_all
    send_all
fi

# Where the traffic went.
rxb=$(($(stat_of rx_bytes) - rxb0))
rxp=$(($(stat_of rx_packets) - rxp0))
val rx_packets "$rxp"
[ "$rxp" -gt 0 ] && val rx_avg_frame $((rxb / rxp))
irq_counts "$IF" > /tmp/irq1
active=0
while read -r q n; do
    n0=$(awk -v q="$q" '$1 == q { print $2 }' /tmp/irq0)
    d=$((n - ${n0:-0}))
    val "irq_delta_$q" "$d"
    [ "$d" -gt 0 ] && active=$((active + 1))
done < /tmp/irq1
val irq_active "$active"
rxq_active=
if [ -s /tmp/eth0 ] && ethtool -S "$IF" > /tmp/eth1 2>/dev/null; then
    for dir in rx tx; do
        n=$(awk -v d="$dir" '
            { gsub(/^ +/, "") }
            FNR == NR { v[$1] = $2; next }
            $1 ~ "^queue_[0-9]+_" d "_cnt:$" {
                delta = $2 - v[$1]; q = $1; sub(/^queue_/, "", q); sub(/_.*/, "", q)
                print "ENATEST-VALUE " d "q_delta_" q "=" delta > "/dev/stderr"
                m++
                if (delta > 0) a++
            }
            END { if (m) print a + 0 }' /tmp/eth0 /tmp/eth1 2>/tmp/qdeltas)
        [ -n "$n" ] || continue
        cat /tmp/qdeltas
        val "${dir}q_active" "$n"
        [ "$dir" = rx ] && rxq_active=$n
    done
fi
if [ "${P_minq:-1}" -gt 1 ]; then
    if [ -n "$rxq_active" ]; then
        [ "$rxq_active" -ge "$P_minq" ] || fail "RX used $rxq_active queues, want >= $P_minq"
    fi
    # Only drivers that name their vectors <if>-Tx-Rx-<q> (ena) are counted.
    if [ -s /tmp/irq1 ]; then
        [ "$active" -ge "$P_minq" ] || fail "interrupts on $active queues, want >= $P_minq"
    fi
fi
