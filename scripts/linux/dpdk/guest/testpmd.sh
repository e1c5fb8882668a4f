# Guest test (sourced by /init): hand every NIC to vfio-pci, run DPDK's testpmd on them and report its counters.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Parameters (kernel command line, KEY=VALUE):
#   steps=A,B,...   what to do once testpmd is up, in order (default fwd):
#                   fwd        `start tx_first`, wait until every port has
#                              received pkts= frames, `stop`, report the
#                              port statistics of the step (and every
#                              xstat when xq=1)
#                   xstats     report `show port xstats` of every port
#                   stopstart  `port stop all`, `port start all`
#                   reset      `port stop all`, `port reset all`,
#                              `port start all`
#                   csumhw     `port stop all`, `csum set ip|udp|tcp hw N`
#                              for every port, `port start all` (use with
#                              fwd=csum)
#                   lsc        print "lsc-ready", wait for a link state change
#                              event of port 0 (the host's set_link off),
#                              report its link, print "lsc-down", wait for
#                              the next event (set_link on), report the link
#                   kill       `start tx_first`, SIGKILL testpmd, wait 3 s,
#                              start a new testpmd (ports start again)
#                   rate       (benchmarks) `start tx_first B`, wait until
#                              every port has received frames, then count
#                              for secs= seconds: <step>_p<N>_rx_pps and
#                              _rx_bps (L2 bytes without CRC) per port,
#                              and their sums <step>_pps, <step>_bps
#                   Every step's values are prefixed with <step><n>_ (n from
#                   1), e.g. fwd1_p0_rx_pkts, xstats1_p1_x_wd_expired.
#   pkts=N          frames each port must receive in a fwd step (default 5000)
#   bursts=B        bursts of 32 frames a stream sends first in a rate step
#                   (default 4)
#   secs=S          length of a rate measurement (default 5)
#   fwd=MODE        forwarding mode (default io; mac rewrites addresses)
#   q=N             RX and TX queues per port (default 1)
#   hugepages=N     2 MiB pages to reserve (default 96)
#   devargs=S       PMD arguments for every port (e.g. enable_llq=0);
#   devargs0=S ...  for port 0 only (port N: devargsN)
#   tpargs=S        more testpmd arguments, ',' for ' ' (e.g.
#                   --enable-scatter,--max-pkt-len=9015)
#   txpkts=S        `set txpkts S` before the first step (segment lengths)
#   xq=1            fwd steps also report every port's xstats
#   eal_log=S       EAL --log-level value (default *:notice)
# Values: ports, bdf<N>, eal_ok, ports_started (per launch), <step>_...
# (see above); the testpmd console is copied to the serial console with a
# "TP| " prefix.
# shellcheck shell=sh
# shellcheck disable=SC2154  # fail, val, info and P_* come from /init

tp_out=/tmp/tp.out
tp_in=/tmp/tp.in

# Prompts printed so far: testpmd prints one when it is ready for a command.
tp_prompts() {
    grep -o 'testpmd> ' "$tp_out" 2>/dev/null | wc -l
}

# Wait until testpmd has printed more than $1 prompts (or exited).
tp_wait_prompt() {
    while [ "$(tp_prompts)" -le "$1" ]; do
        kill -0 "$tp_pid" 2>/dev/null || return 1
        usleep 50000
    done
}

# tp CMD: run one testpmd command; its output lands in /tmp/tp.last.
tp() {
    n=$(tp_prompts)
    off=$(wc -c < "$tp_out")
    echo "$*" >&3
    tp_wait_prompt "$n" || fail "testpmd exited during '$*'"
    tail -c +$((off + 1)) "$tp_out" > /tmp/tp.last
}

# Port statistics of the last command (`show port stats all`) as
# "<port> <key> <value>" lines.
tp_port_stats() {
    tr -d '\r' < /tmp/tp.last | awk '
        /NIC statistics for port/ { for (i = 1; i <= NF; i++) if ($i == "port") p = $(i + 1) }
        p != "" {
            for (i = 1; i < NF; i++) {
                k = $i
                if (k !~ /:$/) continue
                sub(/:$/, "", k)
                if ($(i + 1) !~ /^[0-9]+$/) continue
                if (k == "RX-packets") n = "rx_pkts"
                else if (k == "RX-missed") n = "rx_missed"
                else if (k == "RX-bytes") n = "rx_bytes"
                else if (k == "RX-errors") n = "rx_errors"
                else if (k == "RX-nombuf") n = "rx_nombuf"
                else if (k == "TX-packets") n = "tx_pkts"
                else if (k == "TX-errors") n = "tx_errors"
                else if (k == "TX-bytes") n = "tx_bytes"
                else continue
                print p, n, $(i + 1)
            }
        }'
}

# The smallest RX-packets over all ports in the last port stats, less
# those in file $1.
tp_min_rx() {
    tp_port_stats | awk -v base="$1" '
        BEGIN { while ((getline l < base) > 0) { split(l, f, " "); b[f[1] " " f[2]] = f[3] } }
        $2 == "rx_pkts" { d = $3 - b[$1 " rx_pkts"]; if (m == "" || d < m) m = d }
        END { print m + 0 }'
}

# Report the last port stats as <prefix>p<N>_<key> values, less the
# values in file $2 (an earlier tp_port_stats): not every PMD can clear
# its statistics (ENA's cannot).
report_port_stats() {
    tp_port_stats | awk -v pre="$1" -v base="$2" '
        BEGIN { while ((getline l < base) > 0) { split(l, f, " "); b[f[1] " " f[2]] = f[3] } }
        { print "ENATEST-VALUE " pre "p" $1 "_" $2 "=" ($3 - b[$1 " " $2]) }'
}

# Report `show port xstats` of every port as <prefix>p<N>_x_<name>.
report_xstats() {
    i=0
    while [ "$i" -lt "$nports" ]; do
        tp show port xstats "$i"
        tr -d '\r' < /tmp/tp.last | sed -n 's/^ *\([A-Za-z0-9_]*\): *\([0-9][0-9]*\) *$/\1 \2/p' |
            while read -r k v; do
                val "${1}p${i}_x_$k" "$v"
            done
        i=$((i + 1))
    done
}

# Forward until every port has received $P_pkts frames (progress reported
# by testpmd itself; the guest watchdog bounds a stall), then stop.
step_fwd() {
    tp show port stats all
    tp_port_stats > /tmp/tp.base
    tp start tx_first
    grep -q 'Packet forwarding already started\|Error\|error' /tmp/tp.last &&
        info "start: $(tr -d '\r' < /tmp/tp.last | grep -i 'error\|already' | head -n 3 | tr '\n' ' ')"
    polls=0
    while :; do
        tp show port stats all
        m=$(tp_min_rx /tmp/tp.base)
        [ "$m" -ge "$P_pkts" ] && break
        polls=$((polls + 1))
        [ $((polls % 20)) -eq 0 ] && info "$1: min RX-packets $m after $polls polls"
        sleep 1
    done
    val "${1}polls" "$polls"
    tp stop
    # Forward statistics of all ports, as testpmd accumulated them.
    tr -d '\r' < /tmp/tp.last | awk -v pre="$1" '
        /Accumulated forward statistics/ { acc = 1 }
        acc && /RX-packets:/ { print "ENATEST-VALUE " pre "fwd_rx_pkts=" $2; print "ENATEST-VALUE " pre "fwd_rx_dropped=" $4 }
        acc && /TX-packets:/ { print "ENATEST-VALUE " pre "fwd_tx_pkts=" $2; print "ENATEST-VALUE " pre "fwd_tx_dropped=" $4 }'
    tp show port stats all
    report_port_stats "$1" /tmp/tp.base
    [ "${P_xq:-0}" = 1 ] && report_xstats "$1"
    return 0
}

step_rate() {
    tp start tx_first "${P_bursts:-4}"
    while :; do
        tp show port stats all
        [ "$(tp_min_rx /dev/null)" -gt 0 ] && break
        sleep 1
    done
    tp show port stats all
    tp_port_stats > /tmp/tp.r0
    t0=$(uptime_cs)
    sleep "${P_secs:-5}"
    tp show port stats all
    t1=$(uptime_cs)
    tp_port_stats | awk -v pre="$1" -v base=/tmp/tp.r0 -v cs=$((t1 - t0)) '
        BEGIN { while ((getline l < base) > 0) { split(l, f, " "); b[f[1] " " f[2]] = f[3] } }
        $2 == "rx_pkts" { r = ($3 - b[$1 " " $2]) * 100 / cs; pps += r
                          printf "ENATEST-VALUE %sp%s_rx_pps=%.0f\n", pre, $1, r }
        $2 == "rx_bytes" { r = ($3 - b[$1 " " $2]) * 800 / cs; bps += r
                           printf "ENATEST-VALUE %sp%s_rx_bps=%.0f\n", pre, $1, r }
        END { printf "ENATEST-VALUE %spps=%.0f\nENATEST-VALUE %sbps=%.0f\nENATEST-VALUE %scs=%d\n", pre, pps, pre, bps, pre, cs }'
    tp stop
}

# Checksums in hardware for every port: IPv4, UDP and TCP by the device
# on TX (testpmd's csum forwarding mode sets the mbuf offload flags).
step_csumhw() {
    tp port stop all
    i=0
    while [ "$i" -lt "$nports" ]; do
        for l in ip udp tcp; do
            tp csum set "$l" hw "$i"
            grep -qi 'error\|not supported\|invalid' /tmp/tp.last &&
                info "csum set $l hw $i: $(tr -d '\r' < /tmp/tp.last | grep -i 'error\|not supported\|invalid' | head -n 1)"
        done
        tp csum show "$i"
        tr -d '\r' < /tmp/tp.last | grep -qi 'UDP checksum offload is hw' ||
            fail "port $i: UDP checksum offload not in hardware"
        i=$((i + 1))
    done
    tp port start all
    n=$(grep -c 'Fail to ' /tmp/tp.last || true)
    val "${1}start_failures" "$n"
}

# Link state of port $1 as testpmd reports it: up or down.
tp_link() {
    tp show port info "$1"
    tr -d '\r' < /tmp/tp.last | sed -n 's/^Link status: *//p' | head -n 1
}

# Port 0's link goes down and up, driven by the host (a run-guest.sh hook
# waiting for "lsc-ready" and then "lsc-down"): wait for testpmd's LSC
# events and the link state it reads after each.
step_lsc() {
    n0=$(grep -c 'Port 0: link state change event' "$tp_out" || true)
    info "lsc-ready"
    while [ "$(grep -c 'Port 0: link state change event' "$tp_out" || true)" -le "$n0" ]; do
        usleep 100000
    done
    val "${1}down_link" "$(tp_link 0)"
    info "lsc-down"
    while [ "$(grep -c 'Port 0: link state change event' "$tp_out" || true)" -le $((n0 + 1)) ]; do
        usleep 100000
    done
    val "${1}up_link" "$(tp_link 0)"
    val "${1}events" $(($(grep -c 'Port 0: link state change event' "$tp_out" || true) - n0))
}

step_stopstart() {
    tp port stop all
    tp port start all
    n=$(grep -c 'Fail to \|Failed to reset port' /tmp/tp.last || true)
    val "${1}start_failures" "$n"
}

step_reset() {
    tp port stop all
    tp port reset all
    n=$(grep -c 'Fail to \|Failed to reset port' /tmp/tp.last || true)
    val "${1}reset_failures" "$n"
    tp port start all
    n=$(grep -c 'Fail to \|Failed to reset port' /tmp/tp.last || true)
    val "${1}start_failures" "$n"
}

: "${P_steps:=fwd}" "${P_pkts:=5000}" "${P_q:=1}" "${P_hugepages:=96}"

# EAL's runtime directory is /var/run/dpdk; EAL refuses plugins under a
# world-writable directory, and the initramfs root is one.
mkdir -p /var/run
chmod 755 /
# Hugepages for EAL.
echo "$P_hugepages" > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
mkdir -p /dev/hugepages
mount -t hugetlbfs nodev /dev/hugepages || fail "cannot mount hugetlbfs"
val hugepages "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)"

# Every Ethernet controller (class 0x0200) to vfio-pci, in bus order.
nports=0
allow=""
for d in /sys/bus/pci/devices/*; do
    case $(cat "$d/class") in 0x0200*) ;; *) continue ;; esac
    bdf=${d##*/}
    echo vfio-pci > "$d/driver_override"
    echo "$bdf" > /sys/bus/pci/drivers_probe
    [ "$(basename "$(readlink "$d/driver")")" = vfio-pci ] ||
        fail "$bdf ($(cat "$d/vendor"):$(cat "$d/device")) did not bind to vfio-pci"
    [ -e "/dev/vfio/$(basename "$(readlink "$d/iommu_group")")" ] ||
        fail "$bdf: no /dev/vfio group"
    val "bdf$nports" "$bdf"
    eval "da=\${P_devargs$nports:-\${P_devargs:-}}"
    # shellcheck disable=SC2154  # da is set by the eval
    allow="$allow -a $bdf${da:+,$da}"
    nports=$((nports + 1))
done
val ports "$nports"
val eal_start_cs "$(uptime_cs)"
[ "$nports" -gt 0 ] || fail "no Ethernet controller found"

# testpmd, interactive, reading commands from a FIFO we hold open on fd 3;
# stdbuf line-buffers its printf output so that we see it as it comes.
# Its console goes to the serial console with a "TP| " prefix. Reports
# eal_ok, testpmd_up_cs, ports_started (again at every launch).
tp_launch() {
    rm -f "$tp_in"
    mkfifo "$tp_in"
    : > "$tp_out"
    # shellcheck disable=SC2086  # $allow and $extra are lists of arguments
    stdbuf -oL -eL dpdk-testpmd -l "0-$((ncpu - 1))" -n 1 \
        --log-level="${P_eal_log:-*:notice}" $allow -- \
        -i --nb-cores=$((ncpu > 1 ? ncpu - 1 : 1)) --rxq="$P_q" --txq="$P_q" \
        --rxd=512 --txd=512 --total-num-mbufs=8192 --forward-mode="${P_fwd:-io}" \
        --txonly-multi-flow $extra < "$tp_in" > "$tp_out" 2>&1 &
    tp_pid=$!
    exec 3> "$tp_in"
    tail -f "$tp_out" 2>/dev/null | awk '{ print "TP| " $0; fflush() }' &
    tail_pid=$!
    if ! tp_wait_prompt 0; then
        kill "$tail_pid" 2>/dev/null
        sed 's/^/TP| /' "$tp_out"
        fail "testpmd exited before its prompt"
    fi
    val eal_ok 1
    val testpmd_up_cs "$(uptime_cs)"
    failed=$(grep -c 'Fail to start port' "$tp_out" || true)
    val ports_started $((nports - failed))
}

# SIGKILL testpmd in the middle of forwarding (no port stop, no close:
# vfio-pci takes the device back), let the device run on for a few
# seconds of its own time (keep-alives every second), start a new testpmd.
step_kill() {
    tp start tx_first
    tp show port stats all
    kill -9 "$tp_pid"
    wait "$tp_pid" 2>/dev/null
    exec 3>&-
    kill "$tail_pid" 2>/dev/null
    sleep 3
    tp_launch
    val "${1}relaunched" 1
}

extra=$(echo "${P_tpargs:-}" | tr ',' ' ')
ncpu=$(grep -c ^processor /proc/cpuinfo)
tp_launch

[ -z "${P_txpkts:-}" ] || tp set txpkts "$P_txpkts"
# shellcheck disable=SC2034  # counted through eval
n_fwd=0 n_xstats=0 n_stopstart=0 n_reset=0 n_rate=0 n_kill=0 n_csumhw=0 n_lsc=0
for s in $(echo "$P_steps" | tr ',' ' '); do
    eval "n_$s=\$((n_$s + 1))"
    eval "pre=$s\$n_$s"
    info "step $pre"
    val "${pre}_t_cs" "$(uptime_cs)"
    case $s in
    fwd) step_fwd "${pre}_" ;;
    xstats) report_xstats "${pre}_" ;;
    stopstart) step_stopstart "${pre}_" ;;
    reset) step_reset "${pre}_" ;;
    rate) step_rate "${pre}_" ;;
    kill) step_kill "${pre}_" ;;
    csumhw) step_csumhw "${pre}_" ;;
    lsc) step_lsc "${pre}_" ;;
    *) fail "unknown step $s" ;;
    esac
done

echo quit >&3
exec 3>&-
wait "$tp_pid"
val testpmd_exit $?
usleep 200000
kill "$tail_pid" 2>/dev/null
true
