# Guest test for the dpdk scenario target (sourced by /init): every NIC to vfio-pci, the project's ena-dpdk-fwd on them, READY once frames flow.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Parameters (kernel command line, KEY=VALUE):
#   duration=S    length of the story after READY (default 15)
#   recover=S     how long traffic may take to pass after it (default 40)
#   traffic=K     ping (frames on every port throughout), admin (also an
#                 MTU change, one SET_FEATURE admin command, each second)
#                 or idle (no frames during the story)
#   pkts=N        frames every port must receive after the story for
#                 traffic_final=ok (default 200)
#   hugepages=N   2 MiB pages to reserve (default 96)
#   eal_log=S     EAL --log-level values, ',' separated (default
#                 *:notice,pmd.net.ena.*:info)
# The program's own lines (APP-EVENT, APP-STATS, APP-XSTAT, APP-RESULT, and
# "LOG <t> <text>" for every EAL and PMD log line) go to the serial console
# as they come. Markers: READY when every port has received frames; values
# traffic_final=ok|failed (from APP-RESULT) and app_exit.
# shellcheck shell=sh
# shellcheck disable=SC2154  # fail, val, marker and P_* come from /init

: "${P_duration:=15}" "${P_recover:=40}" "${P_traffic:=ping}" "${P_pkts:=200}"
: "${P_hugepages:=96}" "${P_eal_log:=*:notice,pmd.net.ena.*:info}"

# EAL's runtime directory is /var/run/dpdk; EAL refuses plugins under a
# world-writable directory, and the initramfs root is one.
mkdir -p /var/run
chmod 755 /
echo "$P_hugepages" > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
mkdir -p /dev/hugepages
mount -t hugetlbfs nodev /dev/hugepages || fail "cannot mount hugetlbfs"

# Every Ethernet controller (class 0x0200) to vfio-pci, in bus order.
nports=0
allow=""
for d in /sys/bus/pci/devices/*; do
    case $(cat "$d/class") in 0x0200*) ;; *) continue ;; esac
    bdf=${d##*/}
    echo vfio-pci > "$d/driver_override"
    echo "$bdf" > /sys/bus/pci/drivers_probe
    [ "$(basename "$(readlink "$d/driver")")" = vfio-pci ] ||
        fail "$bdf did not bind to vfio-pci"
    allow="$allow -a $bdf"
    nports=$((nports + 1))
done
val ports "$nports"
[ "$nports" -gt 0 ] || fail "no Ethernet controller found"

logargs=""
for l in $(echo "$P_eal_log" | tr ',' ' '); do
    logargs="$logargs --log-level=$l"
done

# One lcore: the main loop forwards, runs the timers and resets ports;
# EAL's interrupt thread takes the admin/AENQ interrupts.
# shellcheck disable=SC2086  # lists of arguments
{
    ena-dpdk-fwd -l 0 -n 1 $logargs $allow -- --duration "$P_duration" \
        --recover "$P_recover" --traffic "$P_traffic" --pkts "$P_pkts"
    echo "APP-EXIT $?"
} 2>&1 | awk '
    { print; fflush() }
    /^APP-EVENT [-0-9.]+ ready/ { print "ENATEST-READY"; fflush() }
    /^APP-RESULT / {
        v = "failed"
        if ($0 ~ /traffic=ok/) v = "ok"
        print "ENATEST-VALUE traffic_final=" v; fflush()
    }
    /^APP-EXIT / { print "ENATEST-VALUE app_exit=" $2; fflush() }'
true
