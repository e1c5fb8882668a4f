# Guest test: a paced TCP stream a->b whose progress guest b reports, then a stream b->a, both verified by SHA-256 (for a guest moved to another QEMU mid-stream).
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Two guests on one link run this with role=a and role=b; the streams are
# traffic.sh's (`seq` output, a->b port 5000 from 1, b->a port 6000 from
# 1000000000), so tests/common.sh check_streams verifies them. a sends its
# stream in chunks of 32 kB with a pause of pace= us after each (default
# 50000), so that it lasts a while; b prints
#   ENATEST-PROGRESS rx_bytes=N
# whenever it has received more, and tests/migration.sh waits for those
# lines (never for wall time) to pick its moment. Once b has the whole
# stream it sends its own.
# Params: role=a|b ip=CIDR peer=IP [lines=200000] [pace=50000] [wait=300]
# Values: tx_sha_<port>, rx_sha_<port>, rx_bytes_<port>

role=${P_role:-a}
lines=${P_lines:-200000}
wait_s=${P_wait:-300}
[ -n "${P_ip:-}" ] && [ -n "${P_peer:-}" ] || fail "need ip= and peer="
case $role in
a) out_port=5000; in_port=6000; out_start=1 ;;
b) out_port=6000; in_port=5000; out_start=1000000000 ;;
*) fail "role must be a or b" ;;
esac

IF=$(nic_if 10) || fail "no network interface appeared"
val ifname "$IF"
net_setup "$IF" "$P_ip" "" || fail "no carrier on $IF"

seq "$out_start" $((out_start + lines - 1)) > /tmp/tx
val "tx_sha_$out_port" "$(sha256sum < /tmp/tx | cut -d' ' -f1)"
# Listen only now (the sender retries until then): a stream that arrived
# while b was still generating its own data would be over before b could
# report its progress.
nc -l -p "$in_port" -e sh -c "cat > /tmp/rx.$in_port" &
rxpid=$!

# Send /tmp/tx to the peer, paced if $1 > 0, retrying refused connects.
send() {
    chunks=$((($(wc -c < /tmp/tx) + 32767) / 32768))
    end=$(($(uptime_cs) + wait_s * 100))
    until
        i=0
        while [ "$i" -lt "$chunks" ]; do
            dd if=/tmp/tx bs=32768 skip="$i" count=1 2>/dev/null
            [ "$1" -eq 0 ] || usleep "$1"
            i=$((i + 1))
        done | nc "$P_peer" "$out_port" 2>/dev/null
    do
        [ "$(uptime_cs)" -lt "$end" ] || fail "stream to $P_peer:$out_port failed"
        usleep 200000
    done
}

# Wait for the listener; print what arrived.
recv() {
    if [ "$role" = b ]; then
        last=-1
        while kill -0 "$rxpid" 2>/dev/null; do
            n=$(wc -c < "/tmp/rx.$in_port" 2>/dev/null || echo 0)
            if [ "$n" != "$last" ]; then
                echo "ENATEST-PROGRESS rx_bytes=$n"
                last=$n
            fi
            usleep 100000
        done
    fi
    wait "$rxpid"
    val "rx_sha_$in_port" "$(sha256sum < "/tmp/rx.$in_port" | cut -d' ' -f1)"
    val "rx_bytes_$in_port" "$(wc -c < "/tmp/rx.$in_port")"
}

wait_ping "$P_peer" "$wait_s" || fail "peer $P_peer did not answer ping within $wait_s s"
if [ "$role" = a ]; then
    send "${P_pace:-50000}"
    recv
else
    recv
    send 0
fi
