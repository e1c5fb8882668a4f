#!/bin/sh
# /init of the Linux-guest test initramfs: load the NIC driver, run the test named by enatest=, report, power off.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kernel command line:
#   enatest=NAME      run /tests/NAME.sh (default: probe)
#   KEY=VALUE         test parameters, readable as $P_KEY (ip=, peer=, mtu=,
#                     role=, ...); see scripts/linux/guest/*.sh
#   MOD.PARAM=VALUE   passed to insmod of module MOD (as modprobe would)
#   noload=1          do not load /etc/modules at boot
#   guest_timeout=S   power off with FAIL after S seconds (default 150)
#   shell=1           drop to a shell on the console instead of powering off
#   diag=1            run ena-diag (status, events) before the kernel log
# Serial-console markers (one line each; the log has CRLF line ends):
#   ENATEST-BEGIN name=NAME kver=KVER
#   ENATEST-VALUE key=value
#   ENATEST-INFO free text
#   ENATEST-RESULT name=NAME status=PASS|FAIL [reason=free text to the end]
#   ENATEST-DIAG status|events RC JSON  ena-diag's verdict (diag=1), then
#   ENATEST-DIAG-TEXT status|events | LINE  the same as text
#   ENATEST-DMESG-BEGIN / ENATEST-DMESG-END  around `dmesg -r` (<level> prefixes)
#   ENATEST-END

export PATH=/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
exec </dev/console >/dev/console 2>&1

P_enatest=probe
P_guest_timeout=150
for tok in $(cat /proc/cmdline); do
    case $tok in
    *.*=*) ;;
    [A-Za-z_]*=*)
        key=${tok%%=*}
        case $key in *[!A-Za-z0-9_]*) continue ;; esac
        eval "P_$key=\${tok#*=}"
        ;;
    esac
done
TEST=$P_enatest
KVER=$(cat /etc/kver)

marker() { echo "ENATEST-$*"; }
val() { echo "ENATEST-VALUE $1=$2"; }
info() { echo "ENATEST-INFO $*"; }
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# Print the RESULT line, the kernel log and END, then power off.
# Only the first caller (test or watchdog) gets through.
finish() {
    mkdir /tmp/.finished 2>/dev/null || { sleep 1000; return; }
    st=$1
    shift
    if [ -n "$*" ]; then
        marker "RESULT name=$TEST status=$st reason=$*"
    else
        marker "RESULT name=$TEST status=$st"
    fi
    if [ "${P_diag:-0}" = 1 ] && [ -x /bin/ena-diag ]; then
        diag_report status
        diag_report events
    fi
    marker "DMESG-BEGIN"
    dmesg -r
    marker "DMESG-END"
    marker "END"
    if [ "${P_shell:-0}" = 1 ]; then
        setsid cttyhack sh
    fi
    sync
    poweroff -f
}

# One ena-diag command's JSON on one line, with its exit status. Written
# to a file first, so that the line goes to the console in one write.
diag_report() {
    ena-diag --json "$1" > /tmp/diag.json 2>/tmp/diag.err
    rc=$?
    echo "ENATEST-DIAG $1 $rc $(tr -d '\n' < /tmp/diag.json)" > /tmp/diag.line
    cat /tmp/diag.line
    [ -s /tmp/diag.err ] && info "ena-diag $1: $(head -c 300 /tmp/diag.err)"
    # and as a person reads it
    ena-diag "$1" 2>&1 | sed "s/^/ENATEST-DIAG-TEXT $1 | /"
}

# Module parameters for module $1 from the command line (MOD.PARAM=VALUE).
modparams() {
    for tok in $(cat /proc/cmdline); do
        case $tok in
        "$1".*=*) echo "${tok#"$1".}" ;;
        esac
    done
}

# Load module $1 (a name from /etc/modules) with its command-line params.
load_module() {
    # shellcheck disable=SC2046
    insmod "/lib/modules/$1.ko" $(modparams "$1")
}

# Load everything in /etc/modules, in order.
load_modules() {
    for m in $(cat /etc/modules); do
        load_module "$m" || return 1
    done
}

# The first network interface that is not loopback, waiting up to $1 s.
nic_if() {
    n=0
    while [ "$n" -lt $((${1:-10} * 10)) ]; do
        for d in /sys/class/net/*; do
            i=${d##*/}
            [ "$i" = lo ] || [ ! -e "$d/device" ] || { echo "$i"; return 0; }
        done
        usleep 100000
        n=$((n + 1))
    done
    return 1
}

# Name of the kernel module driving interface $1.
nic_module() {
    basename "$(readlink "/sys/class/net/$1/device/driver/module")"
}

# Wait up to $2 s for carrier on $1.
wait_carrier() {
    n=0
    while [ "$n" -lt $(($2 * 10)) ]; do
        [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ] && return 0
        usleep 100000
        n=$((n + 1))
    done
    return 1
}

# Bring $1 up with address $2 (CIDR, may be empty) and MTU $3 (may be empty).
net_setup() {
    ip link set dev lo up
    if [ -n "$3" ]; then
        ip link set dev "$1" mtu "$3" || return 1
    fi
    if [ -n "$2" ]; then
        ip addr flush dev "$1"
        ip addr add "$2" dev "$1" || return 1
    fi
    ip link set dev "$1" up || return 1
    wait_carrier "$1" 15
}

# Ping $1 until it answers, for up to $2 s.
wait_ping() {
    t_end=$(($(uptime_cs) + $2 * 100))
    while [ "$(uptime_cs)" -lt "$t_end" ]; do
        ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
    done
    return 1
}

# Per-queue interrupt totals of interface $1: "<queue> <count>" lines.
irq_counts() {
    awk -v ifn="$1" '
        $NF ~ "^" ifn "-Tx-Rx-[0-9]+$" {
            n = 0
            for (i = 2; i <= NF; i++) {
                if ($i ~ /^[0-9]+$/) n += $i; else break
            }
            q = $NF; sub(/.*-/, "", q)
            print q, n
        }' /proc/interrupts
}

fail() {
    echo "$*" > /tmp/.reason
    exit 1
}

# Guest-side watchdog.
(
    sleep "$P_guest_timeout"
    echo "ENATEST-INFO guest timeout after $P_guest_timeout s; processes:"
    ps
    finish FAIL "guest timeout after $P_guest_timeout s"
) &

marker "BEGIN name=$TEST kver=$KVER"
if [ "${P_noload:-0}" != 1 ]; then
    t0=$(uptime_cs)
    load_modules || finish FAIL "insmod failed: $(cat /etc/modules | tr '\n' ' ')"
    val load_cs $(($(uptime_cs) - t0))
fi

if [ ! -f "/tests/$TEST.sh" ]; then
    finish FAIL "no test named $TEST"
fi
# shellcheck source=/dev/null  # the test, from the initramfs
(. "/tests/$TEST.sh")
rc=$?
if [ "$rc" -eq 0 ]; then
    finish PASS
else
    finish FAIL "$(cat /tmp/.reason 2>/dev/null || echo "exit status $rc")"
fi
