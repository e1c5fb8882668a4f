# Shared code of the Linux-guest tests (sourced): run guests, read their serial logs, print TAP.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Environment a test honours:
#   ENA_TEST_NIC      NIC model (default ena); e1000e / virtio-net-pci run the
#                     same tests against QEMU's stock NICs, to check the tooling
#   ENA_TEST_VERBOSE  1: copy the guests' consoles to stderr
#   ENA_TEST_TIMEOUT  how long a QEMU run may go without progress (default
#                     120 s; see run-guest.sh --timeout)
#   plus everything lib.sh reads (QEMU, ENA_CACHE, ENA_LINUX_WORK).
# shellcheck disable=SC2034
# shellcheck source=scripts/linux/lib.sh  # (paths from the repo root)
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

t_num=0
t_failed=0
t_nic=${ENA_TEST_NIC:-ena}

ok() { t_num=$((t_num + 1)); echo "ok $t_num - $*"; }
not_ok() {
    t_num=$((t_num + 1))
    t_failed=$((t_failed + 1))
    echo "not ok $t_num - $*"
}
# check DESCRIPTION COMMAND...: one TAP line for the command's status.
check() {
    local d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
diag() { printf '# %s\n' "$@"; }
# Print the plan and exit 0 only if every check passed.
t_done() {
    echo "1..$t_num"
    [ "$t_failed" -eq 0 ] && exit 0
    exit 1
}

# t_setup NAME KERNEL: resolve the kernel, name the logs.
t_setup() {
    t_name=$1
    t_kver=$(ena_resolve_kver "$2")
    # A fresh clone has no kernels yet: fetch them (idempotent, locked).
    if [ ! -f "$(ena_kernel_root "$t_kver")/.ena-stamp" ] && [ "$(id -u)" -eq 0 ]; then
        "$ena_linux_dir/fetch-kernels.sh" >&2
    fi
    # Debian's cloud kernels (7.3) build no e1000e or igb: nothing to test.
    local m
    case $t_nic in
    e1000e|igb) m=$t_nic ;;
    *) m="" ;;
    esac
    if [ -n "$m" ] && ! grep -q "/$m\.ko" \
            "$(ena_kernel_root "$t_kver")/lib/modules/$t_kver/modules.dep" 2>/dev/null; then
        echo "1..0 # SKIP $t_kver has no $m module"
        exit 0
    fi
    t_logs="$ENA_LINUX_WORK/logs"
    [ "$t_nic" = ena ] || t_logs+="/$t_nic"
    mkdir -p "$t_logs"
    diag "$t_name on $t_kver, nic $t_nic"
}

# guest_run TAG ARGS...: run-guest.sh with ARGS, logs under TAG; records the
# summary lines as TAP diagnostics and returns run-guest.sh's status.
guest_run() {
    local tag=$1 rc=0 out
    shift
    local args=(-k "$t_kver" --nic "$t_nic" --timeout "${ENA_TEST_TIMEOUT:-120}"
                --log "$t_logs/$tag-$t_kver")
    [ "${ENA_TEST_VERBOSE:-0}" = 1 ] && args+=(-v)
    out=$("$ena_linux_dir/run-guest.sh" "${args[@]}" "$@" 2>&1) || rc=$?
    while IFS= read -r l; do diag "$l"; done <<< "$out"
    return "$rc"
}

# Log of guest G (a, b, or "" for a single guest) of run TAG.
glog() {
    if [ -n "${2:-}" ]; then
        echo "$t_logs/$1-$t_kver-$2.log"
    else
        echo "$t_logs/$1-$t_kver.log"
    fi
}

# lv LOG KEY: the last ENATEST-VALUE of KEY in LOG.
lv() {
    tr -d '\r' < "$1" 2>/dev/null | sed -n "s/.*ENATEST-VALUE $2=//p" | tail -n 1
}

# passed LOG: the guest reported PASS.
passed() {
    [ -f "$1" ] &&
        [ "$(tr -d '\r' < "$1" | grep -c 'ENATEST-RESULT name=[^ ]* status=PASS')" -gt 0 ]
}

# klog LOG: the kernel log the guest dumped (with <level> prefixes); the
# whole console if the guest died before dumping it.
klog() {
    local l
    l=$(tr -d '\r' < "$1" 2>/dev/null |
        sed -n '/ENATEST-DMESG-BEGIN/,/ENATEST-DMESG-END/p' | sed '1d;$d')
    if [ -n "$l" ]; then
        echo "$l"
    else
        tr -d '\r' < "$1" 2>/dev/null
    fi
}

# Kernel lines that mean trouble: ena messages at warning level or worse,
# and generic kernel failures. Lines matching $ENA_ALLOW_RE (extended regex)
# are left out.
bad_lines() {
    klog "$1" | grep -E \
        -e '^<[0-4]>\[[ 0-9.]*\] ena[ :]' \
        -e 'WARNING:|BUG:|Oops|Call Trace|general protection|NETDEV WATCHDOG|soft lockup|hung task|rcu_[a-z]* (self-)?detected stall|Kernel panic' |
        { if [ -n "${ENA_ALLOW_RE:-}" ]; then grep -Ev -e "$ENA_ALLOW_RE"; else cat; fi; } || true
}

# check_clean DESC LOG: TAP line; print the offending lines as diagnostics.
check_clean() {
    local bad
    bad=$(bad_lines "$2")
    if [ -z "$bad" ]; then
        ok "$1"
    else
        not_ok "$1"
        while IFS= read -r l; do diag "  $l"; done <<< "$(head -n 20 <<< "$bad")"
    fi
}

# count_klog LOG REGEX: how many kernel lines match.
count_klog() { klog "$1" | grep -cE -e "$2" || true; }

# The SHA-256 of `seq FIRST LAST` (what traffic.sh sends).
seq_sha() { seq "$1" "$2" | sha256sum | cut -d' ' -f1; }

# check_streams TAG LINES FLOWS: every stream of a traffic.sh pair run
# arrived whole on the other guest (compared with the host's own SHA-256).
check_streams() {
    local tag=$1 lines=$2 flows=$3 i s port want got g
    for i in $(seq 0 $((flows - 1))); do
        for dir in ab ba; do
            if [ "$dir" = ab ]; then
                s=$((1 + i * lines)); port=$((5000 + i)); g=b
            else
                s=$((1000000000 + i * lines)); port=$((6000 + i)); g=a
            fi
            want=$(seq_sha "$s" $((s + lines - 1)))
            got=$(lv "$(glog "$tag" "$g")" "rx_sha_$port")
            if [ "$got" = "$want" ]; then
                ok "stream ${dir:0:1}->${dir:1:1} $port: $(lv "$(glog "$tag" "$g")" "rx_bytes_$port") bytes, SHA-256 matches"
            else
                not_ok "stream ${dir:0:1}->${dir:1:1} $port: SHA-256 ${got:-missing}, want $want"
            fi
        done
    done
}
