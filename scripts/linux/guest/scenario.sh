# Guest test for fault scenarios: bring the link up, say READY, run traffic for the scenario's duration, then report whether traffic passes.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash disable=SC2154 # P_*: set by init.sh from KEY=VALUE
#
# Params: traffic=idle|ping|tcp|admin|flood (default ping; admin: ping while the
# MTU toggles 1500/1400 each round, which sends SET_FEATURE(MTU) commands;
# flood: 50 pings of 1400 bytes a second, not waiting for replies;
# linklocal: 50 pings a second to 169.254.169.254; phc: the driver's PTP
# clock enabled through devlink before READY, then a ping and a phc_ctl
# read each round, the read's outcome logged but not part of the traffic
# verdict), duration=S (default 20),
# port=P (the host's HTTP port for tcp), sha=HEX (first 16 hex digits of
# the blob's sha256), recover=S (how long traffic may take to pass at the
# end, default 40). The host side (build/ena-scenario) injects the faults
# over QMP once READY is printed. ready_at=CS (deterministic runs,
# docs/determinism.md): READY no earlier than CS centiseconds of uptime,
# the instant the host's preset fault rules count from; a bring-up that
# ends later prints late_cs= (the host then runs it again with a later
# instant). diag_watch=1: `ena-diag status --brief` once a second from
# READY to the end of the story, each as ENATEST-DIAG-SAMPLE UPTIME_CS
# LINE.
duration=${P_duration:-20}
traffic=${P_traffic:-ping}
recover=${P_recover:-40}
gw=10.0.2.2

IF=$(nic_if 10) || fail "no network interface appeared"
net_setup "$IF" 10.0.2.15/24 "" || fail "no carrier on $IF"
if [ "$traffic" = phc ]; then
    dl="pci/$(basename "$(readlink "/sys/class/net/$IF/device")")"
    devlink dev param set "$dl" name enable_phc value true cmode driverinit ||
        fail "devlink dev param set $dl enable_phc failed"
    devlink dev reload "$dl" || fail "devlink dev reload $dl failed"
    IF=$(nic_if 10) || fail "no network interface after the reload"
    net_setup "$IF" 10.0.2.15/24 "" || fail "no carrier on $IF after the reload"
    ptp=""
    for d in /sys/class/net/"$IF"/device/ptp/ptp*; do
        [ -e "$d" ] && ptp=${d##*/}
    done
    [ -n "$ptp" ] || fail "no ptp clock after enable_phc"
    n=0
    while [ ! -c "/dev/$ptp" ] && [ "$n" -lt 50 ]; do
        usleep 100000
        n=$((n + 1))
    done
    val ptp "$ptp"
fi
ip route add default via "$gw"
wait_ping "$gw" 10 || fail "no ping reply before the scenario started"
if [ -n "${P_ready_at:-}" ]; then
    d=$((P_ready_at - $(uptime_cs)))
    if [ "$d" -gt 0 ]; then
        usleep $((d * 10000))
    else
        val late_cs "$(uptime_cs)"
    fi
fi
val ready_uptime_cs "$(uptime_cs)"
marker READY
watch_pid=
if [ "${P_diag_watch:-0}" = 1 ]; then
    while :; do
        # the time it starts: it reads BAR0 first, the kernel log last
        t=$(uptime_cs)
        s=$(ena-diag status --brief 2>/dev/null | head -n 1)
        echo "ENATEST-DIAG-SAMPLE $t ${s:-none}"
        sleep 1
    done &
    watch_pid=$!
    # a test that fails on the way ends the sampling too
    trap 'kill "$watch_pid" 2>/dev/null' EXIT
fi

# One round of traffic; true if it passed.
traffic_once() {
    case $traffic in
    idle)
        sleep 1
        ;;
    ping)
        ping -c 1 -W 1 "$gw" >/dev/null 2>&1
        ;;
    phc)
        # a failed clock read is the story, not a traffic failure
        info "phc_ctl: $(phc_ctl "/dev/$ptp" get 2>&1 | head -c 120)"
        ping -c 1 -W 1 "$gw" >/dev/null 2>&1 && sleep 1
        ;;
    admin)
        if [ "$(cat "/sys/class/net/$IF/mtu")" = 1500 ]; then
            ip link set dev "$IF" mtu 1400 2>/dev/null
        else
            ip link set dev "$IF" mtu 1500 2>/dev/null
        fi
        ping -c 1 -W 1 "$gw" >/dev/null 2>&1 && sleep 1
        ;;
    flood)
        # open loop: more than a slow wire can carry
        ping -q -i 0.02 -s 1400 -w 1 "$gw" >/dev/null 2>&1
        ;;
    linklocal)
        # 50 a second to the instance metadata address (no one answers)
        ping -q -i 0.02 -w 1 169.254.169.254 >/dev/null 2>&1
        true
        ;;
    tcp)
        rm -f /tmp/blob
        timeout 20 wget -q -O /tmp/blob "http://$gw:$P_port/blob" 2>/dev/null &&
            [ "$(sha256sum /tmp/blob | cut -c1-16)" = "$P_sha" ]
        ;;
    esac
}

t_end=$(($(uptime_cs) + duration * 100))
ok=0
bad=0
# The bytes the interface has moved (rx + tx), or - once it is gone.
if_bytes() {
    rx=$(cat "/sys/class/net/$IF/statistics/rx_bytes" 2>/dev/null) &&
        tx=$(cat "/sys/class/net/$IF/statistics/tx_bytes" 2>/dev/null) &&
        echo $((rx + tx)) || echo -
}
while [ "$(uptime_cs)" -lt "$t_end" ]; do
    if traffic_once; then
        ok=$((ok + 1))
        echo "ENATEST-TRAFFIC $(uptime_cs) ok $(if_bytes)"
    else
        bad=$((bad + 1))
        echo "ENATEST-TRAFFIC $(uptime_cs) failed $(if_bytes)"
        sleep 1
    fi
done
[ -z "$watch_pid" ] || kill "$watch_pid"
val traffic_ok "$ok"
val traffic_failed "$bad"

# After the story: does traffic pass again (within recover= seconds)?
t_end=$(($(uptime_cs) + recover * 100))
final=failed
while [ "$(uptime_cs)" -lt "$t_end" ]; do
    # an idle story still proves recovery with a ping, as does a flood
    if { [ "$traffic" = idle ] || [ "$traffic" = flood ] ||
         [ "$traffic" = linklocal ]; } &&
       ping -c 1 -W 1 "$gw" >/dev/null 2>&1 ||
       { [ "$traffic" != idle ] && [ "$traffic" != flood ] &&
         [ "$traffic" != linklocal ] && traffic_once; }; then
        final=ok
        break
    fi
    sleep 1
done
val traffic_final "$final"
val carrier "$(cat "/sys/class/net/$IF/carrier" 2>/dev/null)"
