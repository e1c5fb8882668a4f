# Guest test: the driver's PTP hardware clock, enabled through devlink, appears as /dev/ptpN and advances.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Needs devlink and phc_ctl (tool:7.3 in kernels.conf) and a device with
# phc=on. Params: gap= seconds between the two clock reads (default 2).
gap=${P_gap:-2}
IF=$(nic_if 10) || fail "no network interface appeared"
net_setup "$IF" "${P_ip:-}" "" || fail "no carrier on $IF"
bdf=$(basename "$(readlink "/sys/class/net/$IF/device")")
dl="pci/$bdf"
val ptp_before "$(find /sys/class/ptp -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
devlink dev param show "$dl" name enable_phc 2>&1 | sed 's/^/ENATEST-INFO devlink: /'
devlink dev param set "$dl" name enable_phc value true cmode driverinit ||
    fail "devlink dev param set $dl enable_phc failed"
devlink dev reload "$dl" || fail "devlink dev reload $dl failed"
IF=$(nic_if 10) || fail "no network interface after the reload"
net_setup "$IF" "${P_ip:-}" "" || fail "no carrier on $IF after the reload"
devlink dev param show "$dl" name enable_phc 2>&1 | sed 's/^/ENATEST-INFO devlink: /'
ethtool -T "$IF" 2>&1 | sed 's/^/ENATEST-INFO ethtool -T: /'
ptp=""
for d in /sys/class/net/"$IF"/device/ptp/ptp*; do
    [ -e "$d" ] && ptp=${d##*/}
done
[ -n "$ptp" ] || fail "no ptp clock under $IF's device after enable_phc"
val ptp "$ptp"
val ptp_name "$(cat "/sys/class/ptp/$ptp/clock_name")"
n=0
while [ ! -c "/dev/$ptp" ] && [ "$n" -lt 50 ]; do usleep 100000; n=$((n + 1)); done
[ -c "/dev/$ptp" ] || fail "/dev/$ptp did not appear"
# phc_ctl prints "clock time is S.NNNNNNNNN or ..."; nanoseconds from it.
# A read the device answers after the driver's expire time fails (EBUSY)
# and the driver refuses reads for the block time: a vCPU or an I/O
# thread starved by the host can cause that, so a read is tried up to 5
# times, 1 s apart (the host side sets the block time shorter), and the
# failures are counted.
phc_retries=0
# Sets ns (no subshell, so that phc_retries counts).
phc_ns() {
    for _ in 1 2 3 4 5; do
        ns=$(phc_ctl "/dev/$ptp" get 2>&1 | tee /tmp/phc.out |
            sed -n 's/.*clock time is \([0-9]*\)\.\([0-9]*\).*/\1\2/p' |
            head -n 1)
        [ -z "$ns" ] || return 0
        phc_retries=$((phc_retries + 1))
        info "phc_ctl get: $(head -c 200 /tmp/phc.out)"
        sleep 1
    done
    return 1
}
phc_ns || fail "phc_ctl get: $(head -c 200 /tmp/phc.out)"
u1=$(uptime_cs)
t1=$ns
sleep "$gap"
phc_ns || fail "second phc_ctl get: $(head -c 200 /tmp/phc.out)"
u2=$(uptime_cs)
t2=$ns
val phc_retries "$phc_retries"
val phc_t1_ns "$t1"
val phc_t2_ns "$t2"
val phc_delta_ms $(((t2 - t1) / 1000000))
val uptime_delta_ms $(((u2 - u1) * 10))
grep -H . /sys/class/net/"$IF"/device/ptp/"$ptp"/*name 2>/dev/null | sed 's/^/ENATEST-INFO /'
ethtool -S "$IF" | grep -i phc | sed 's/^ */ENATEST-VALUE stat./; s/: */=/'
