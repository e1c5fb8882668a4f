#!/usr/bin/env bash
# Boot one Debian guest (or two joined by a -netdev stream link) with the ENA device and report its test result.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: run-guest.sh [options] [-- extra QEMU arguments for every guest]
#   -k, --kernel K       6.1, 6.12 or a full KVER from kernels.conf (default 6.12)
#   -t, --test NAME      guest test, scripts/linux/guest/NAME.sh (default probe)
#   -p, --param K=V      guest parameter (repeatable): ip=, mtu=, lines= ...;
#                        MOD.PARAM=V is a module parameter (ena.debug=...)
#       --append STR     more kernel command line, verbatim
#       --nic MODEL      ena (default), e1000e, igb or virtio-net-pci
#       --device-opts O  more options for the NIC (queues=4,max-mtu=...)
#       --modules LIST   modules in the initramfs (default: from --nic)
#       --tools LIST     programs in the initramfs besides busybox
#                        (default "ethtool"; "ethtool iperf3" for iperf.sh)
#       --initrd FILE    use this initramfs instead of the cached build
#       --smp N          vCPUs (default 1)      --mem MB (default 512)
#       --tcg-thread M   single: one host thread runs all vCPUs in turn
#                        (-accel tcg,thread=single); default QEMU's (one
#                        thread per vCPU)
#       --machine M      q35 (default) or pc
#       --cpu MODEL      -cpu MODEL (default QEMU's; max with --dpdk)
#       --pair           two guests, a and b, on one -netdev stream link;
#                        both get role=, ip=, peer= and their own MAC
#       --a-param K=V / --b-param K=V / --a-device-opts O / --b-device-opts O
#                        per-guest extras in pair mode
#       --netdev SPEC    backend of a single guest (default "user"), as
#                        for -netdev without id=
#       --nics N         single guest: N NICs (nic0..nicN-1, MACs ...:01,
#                        ...:02, ...) on one QEMU hub (-netdev hubport),
#                        so that frames one sends the others receive
#       --nic-opts I=O   more options for NIC I only (repeatable)
#       --iommu          -device intel-iommu,intremap=on before the NICs,
#                        intel_iommu=on in the guest (needed by vfio-pci)
#       --dpdk           the DPDK guest (scripts/linux/dpdk): initramfs with
#                        testpmd (mkinitramfs.sh --dpdk), vfio modules
#                        instead of the NIC's, --iommu, --cpu max (Debian
#                        builds DPDK for SSE4.2); -t names a test in
#                        dpdk/guest/
#       --qmp PATH       QMP socket (pair mode: PATH.a and PATH.b); "auto":
#                        a private temporary directory
#       --hook CMD       run `bash -c CMD` while the guests run, with
#                        ENA_QMP_A/B, ENA_LOG_A/B, ENA_PID_A/B exported;
#                        it is killed when the guests are done; its exit
#                        status is printed as "HOOK status=N"
#       --respawn        a hook may move a guest to a new QEMU: it saves
#                        the guest (QMP migrate), writes the -incoming URI
#                        to the file $ENA_RESPAWN_A/B and quits that QEMU;
#                        a QEMU with the same arguments then loads the
#                        state (and waits for `cont` if the source was
#                        stopped); the serial log goes on in the same file
#       --log PREFIX     serial log PREFIX.log (pair: PREFIX-a.log, -b.log),
#                        QEMU's own output (-trace ...) in PREFIX[-a].qemu.log;
#                        default $ENA_LINUX_WORK/logs/<test>-<kver>
#       --timeout S      how long a guest may go without progress: no
#                        serial output and its QEMU nearly idle (default
#                        240); a run that keeps progressing may take up to
#                        4 x S, so a loaded host slows tests, not fails them
#       --loglevel N     console loglevel (default 4); the whole kernel log is
#                        printed at the end between ENATEST-DMESG markers
#       --icount N       virtual time from the instruction count only
#                        (-icount shift=N,sleep=off), the RTC on that clock
#                        from a fixed date, QEMU's guest RNG seeded (-seed):
#                        no host clock reaches the guest (docs/determinism.md)
#       --record FILE    record the run (-icount shift=N,rr=record,
#                        rrfile=FILE, idle time in real time; N from
#                        --icount, default 3) with a filter-replay on every
#                        netdev
#       --replay FILE    replay a run recorded with the same options
#       --bzimage        boot the packaged bzImage (default: the vmlinux
#                        unpacked from it, booted through its PVH entry,
#                        which skips the slow in-guest decompression)
#   -v, --verbose        copy the serial console(s) to stderr as they run
#       --console        single guest, serial console on this terminal (no
#                        log file, no time limits; Ctrl-A X quits QEMU);
#                        use with -t shell for an interactive shell
# Exit status 0 only if every guest printed "ENATEST-RESULT ... status=PASS"
# and powered off. The last lines printed name the log files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=6.12
test_name=probe
params=()
a_params=()
b_params=()
append=""
nic=ena
dev_opts=""
a_dev_opts=""
b_dev_opts=""
modules=""
tools="ethtool"
initrd=""
smp=1
accel=tcg
mem=512
machine=q35
cpu=""
pair=0
netdev="user"
nics=1
nic_opts=()
iommu=0
dpdk=0
qmp=""
hook=""
respawn=0
log_prefix=""
timeout_s=240
loglevel=4
boot=pvh
verbose=0
console=0
icount=""
rr=""
rrfile=""
extra=()

while [ $# -gt 0 ]; do
    case $1 in
    -k|--kernel) kernel=$2; shift ;;
    -t|--test) test_name=$2; shift ;;
    -p|--param) params+=("$2"); shift ;;
    --append) append+=" $2"; shift ;;
    --nic) nic=$2; shift ;;
    --device-opts) dev_opts=$2; shift ;;
    --modules) modules=$2; shift ;;
    --tools) tools=$2; shift ;;
    --initrd) initrd=$2; shift ;;
    --smp) smp=$2; shift ;;
    --tcg-thread) accel="tcg,thread=$2"; shift ;;
    --mem) mem=$2; shift ;;
    --machine) machine=$2; shift ;;
    --cpu) cpu=$2; shift ;;
    --pair) pair=1 ;;
    --a-param) a_params+=("$2"); shift ;;
    --b-param) b_params+=("$2"); shift ;;
    --a-device-opts) a_dev_opts=$2; shift ;;
    --b-device-opts) b_dev_opts=$2; shift ;;
    --netdev) netdev=$2; shift ;;
    --nics) nics=$2; shift ;;
    --nic-opts) nic_opts+=("$2"); shift ;;
    --iommu) iommu=1 ;;
    --dpdk) dpdk=1; iommu=1 ;;
    --qmp) qmp=$2; shift ;;
    --hook) hook=$2; shift ;;
    --respawn) respawn=1 ;;
    --log) log_prefix=$2; shift ;;
    --timeout) timeout_s=$2; shift ;;
    --loglevel) loglevel=$2; shift ;;
    --bzimage) boot=bzimage ;;
    --pvh) boot=pvh ;;
    -v|--verbose) verbose=1 ;;
    --console) console=1 ;;
    --icount) icount=$2; shift ;;
    --record) rr=record; rrfile=$2; shift ;;
    --replay) rr=replay; rrfile=$2; shift ;;
    -h|--help) awk 'NR >= 4 { if (!/^#/) exit; print }' "$0"; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) ena_die "unknown option $1 (try --help)" ;;
    esac
    shift
done

kver=$(ena_resolve_kver "$kernel")
qemu_bin=$(ena_qemu)
mapfile -t fw_args < <(ena_qemu_firmware_args)

if [ -z "$modules" ] && [ "$dpdk" = 1 ]; then
    # The NICs stay unbound until the test hands them to vfio-pci.
    modules="vfio_iommu_type1 vfio-pci"
elif [ -z "$modules" ]; then
    case $nic in
    ena) modules=ena ;;
    e1000e) modules=e1000e ;;
    igb) modules=igb ;;
    virtio-net-pci|virtio-net) modules="virtio_pci virtio_net" ;;
    *) ena_die "no default modules for --nic $nic; pass --modules" ;;
    esac
fi

# Kernel image: the packaged bzImage, or its vmlinux for a PVH boot.
kernel_image() {
    local bz vm
    bz=$(ena_bzimage "$kver")
    if [ "$boot" = bzimage ]; then
        echo "$bz"
        return
    fi
    vm="$ENA_LINUX_WORK/vmlinux-$kver"
    if [ ! -s "$vm" ] || [ "$bz" -nt "$vm" ]; then
        mkdir -p "$ENA_LINUX_WORK"
        "$ena_linux_dir/extract-vmlinux.sh" "$bz" "$vm.tmp.$$" >&2
        mv "$vm.tmp.$$" "$vm"
    fi
    echo "$vm"
}

# The cached initramfs for this kernel and module list, rebuilt when any of
# its inputs is newer. Several runs may share it, hence the lock.
ensure_initrd() {
    local tag out inputs f stale=0
    tag=$(echo "$modules" | tr ' ' '+')
    [ "$tools" = ethtool ] || tag+="-$(echo "${tools:-none}" | tr ' ' '+')"
    [ "$dpdk" = 0 ] || tag+="-dpdk"
    out="$ENA_LINUX_WORK/initramfs/$kver-$tag.cpio"
    mkdir -p "$ENA_LINUX_WORK/initramfs"
    exec 9> "$out.lock"
    flock 9
    inputs=("$ena_linux_dir/init.sh" "$ena_linux_dir/mkinitramfs.sh"
            "$ena_linux_dir/kernels.conf" "$(ena_kernel_root "$kver")/.ena-stamp"
            "$ena_linux_dir"/guest/*.sh)
    [ ! -f "$ena_linux_cache/tools/$kver/.ena-stamp" ] ||
        inputs+=("$ena_linux_cache/tools/$kver/.ena-stamp")
    local mk_args=(--modules "$modules" --tools "$tools")
    # ena-diag, once built, in every guest but the DPDK one
    if [ "$dpdk" = 0 ] && [ -x "$ena_build/ena-diag/ena-diag" ]; then
        inputs+=("$ena_build/ena-diag/ena-diag" "$ena_linux_cache/diag/.ena-stamp")
        mk_args+=(--diag "$ena_build/ena-diag/ena-diag")
    fi
    if [ "$dpdk" = 1 ]; then
        inputs+=("$ena_linux_dir/dpdk/packages.conf"
                 "$ena_linux_cache/dpdk/.ena-stamp" "$ena_linux_dir"/dpdk/guest/*.sh)
        mk_args+=(--dpdk)
    fi
    if [ -f "$out" ]; then
        for f in "${inputs[@]}"; do
            [ "$f" -nt "$out" ] && stale=1
        done
    else
        stale=1
    fi
    if [ "$stale" = 1 ]; then
        "$ena_linux_dir/mkinitramfs.sh" "${mk_args[@]}" "$kver" "$out" >&2
    fi
    exec 9>&-
    echo "$out"
}

image=$(kernel_image)
[ -n "$initrd" ] || initrd=$(ensure_initrd)
[ -n "$log_prefix" ] || log_prefix="$ENA_LINUX_WORK/logs/$test_name-$kver"
mkdir -p "$(dirname "$log_prefix")"

cmdline="console=ttyS0,115200 loglevel=$loglevel panic=1 rdinit=/init"
cmdline+=" tsc=reliable no_timer_check enatest=$test_name"
# The hard limits: the guest gives up a little before we do, so it can
# still print its log. Before that, the stall watchdog below ends a run
# that makes no progress for timeout_s.
hard_s=$((4 * timeout_s))
cmdline+=" guest_timeout=$((hard_s - 15))"
for p in "${params[@]}"; do cmdline+=" $p"; done
[ "$iommu" = 0 ] || cmdline+=" intel_iommu=on"
cmdline+="$append"

# Determinism (docs/determinism.md): every clock the guest reads runs on
# the instruction count alone; record/replay also logs what comes in from
# outside (here: the frames from the netdev, through filter-replay).
det_args=()
if [ -n "$icount" ] || [ -n "$rr" ]; then
    icount=${icount:-3}
    case $icount in
    [0-9]|10) ;;
    *) ena_die "--icount takes a shift from 0 to 10, not '$icount'" ;;
    esac
    # sleep=off: an idle guest's clock jumps to its next timer at once.
    # Not with record/replay: QEMU hands the recorded events (the frames
    # from the netdev) to the guest only where an idle guest's clock is
    # accounted, which sleep=off skips; idle time then passes in real
    # time, and the log keeps it.
    ic="shift=$icount"
    [ -n "$rr" ] || ic+=",sleep=off"
    if [ -n "$rr" ]; then
        [ "$pair" = 0 ] && [ "$respawn" = 0 ] && [ "$console" = 0 ] ||
            ena_die "--record/--replay: one guest, no --respawn or --console"
        # QEMU refuses record/replay with more than one vCPU
        [ "$smp" = 1 ] || ena_die "--record/--replay need --smp 1"
        [ "$rr" = record ] || [ -s "$rrfile" ] ||
            ena_die "--replay: no recording in $rrfile"
        ic+=",rr=$rr,rrfile=$rrfile"
    fi
    det_args=(-icount "$ic" -rtc "base=2025-01-01T00:00:00,clock=vm"
              -seed 1)
else
    # the guest's TSC is the host's (ena_host_tsc_khz in lib.sh)
    tsc_khz=$(ena_host_tsc_khz)
    [ -z "$tsc_khz" ] || cmdline+=" tsc_early_khz=$tsc_khz"
fi

# ENA_GUEST_HOTPLUG=1: the NIC sits behind a PCIe root port, so that
# device_del can take it away (surprise removal).
port_args=()
if [ "${ENA_GUEST_HOTPLUG:-0}" = 1 ]; then
    port_args=(-device "pcie-root-port,id=rp0,chassis=1,slot=1")
fi

# The IOMMU must exist before the devices it translates for.
[ "$dpdk" = 0 ] || [ -n "$cpu" ] || cpu=max
[ -z "$cpu" ] || port_args=(-cpu "$cpu" "${port_args[@]}")
[ "$iommu" = 0 ] || port_args=(-device "intel-iommu,intremap=on" "${port_args[@]}")

# nic_device MAC OPTS [INDEX]
nic_device() {
    local mac=$1 opts=$2 i=${3:-0} d o
    d="$nic,netdev=n$i,id=nic$i,mac=$mac"
    if [ "$i" = 0 ] && [ "${ENA_GUEST_HOTPLUG:-0}" = 1 ]; then
        d+=",bus=rp0"
    fi
    [ "$nic" = ena ] || d+=",romfile="
    [ -n "$dev_opts" ] && d+=",$dev_opts"
    [ -n "$opts" ] && d+=",$opts"
    for o in "${nic_opts[@]}"; do
        [ "${o%%=*}" = "$i" ] && d+=",${o#*=}"
    done
    echo "$d"
}

# nic_args NETDEV MAC OPTS: the -netdev/-device options of the NIC(s).
nic_args() {
    local i
    if [ "$nics" -le 1 ]; then
        printf '%s\n' -netdev "$1,id=n0" -device "$(nic_device "$2" "$3")"
        [ -z "$rr" ] || printf '%s\n' -object "filter-replay,id=rr0,netdev=n0"
        return
    fi
    for ((i = 0; i < nics; i++)); do
        [ -z "$rr" ] || printf '%s\n' -object "filter-replay,id=rr$i,netdev=n$i"
        # Fixed slots 00:02.0, 00:04.0, ...: an igb's VFs sit 16 slots above it,
        # two slots each, and would take the next PF's automatic slot.
        printf '%s\n' -netdev "hubport,id=n$i,hubid=0" \
            -device "$(nic_device "$(printf '52:54:00:e0:00:%02x' $((i + 1)))" \
                "addr=$(printf '%x' $((2 + 2 * i)))${3:+,$3}" "$i")"
    done
}

pids=()
names=()
logs=()
tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/ena-guest.XXXXXX")
viewers=()
cleanup() {
    local p
    for p in "${viewers[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -z "${hook_pid:-}" ] || kill -- -"$hook_pid" 2>/dev/null || true
    [ -z "${watch_pid:-}" ] || kill "$watch_pid" 2>/dev/null || true
    rm -rf "$tmpdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$qmp" = auto ] && qmp="$tmpdir/qmp"

# respawn_loop LOG REQUEST QEMU-ARGS...: run QEMU; while a hook left an
# -incoming URI in REQUEST before that QEMU ended, run it again from there,
# the serial log appended to. The status is the last QEMU's.
respawn_loop() {
    local log=$1 req=$2 ser child rc
    shift 2
    ser="file,id=ser0,path=$log"
    local incoming=()
    trap '[ -z "${child:-}" ] || kill "$child" 2>/dev/null; exit 143' TERM
    : > "${log%.log}.qemu.log"
    while :; do
        timeout -k 5 "$hard_s" "$qemu_bin" -chardev "$ser" "$@" \
            "${incoming[@]}" >> "${log%.log}.qemu.log" 2>&1 &
        child=$!
        rc=0
        wait "$child" || rc=$?
        [ -s "$req" ] || exit "$rc"
        incoming=(-incoming "$(cat "$req")")
        rm -f "$req"
        ser+=",append=on"
    done
}

# launch NAME NETDEV MAC DEVOPTS CMDLINE-EXTRA
launch() {
    local name=$1 nd=$2 mac=$3 opts=$4 cl=$5 log qmp_args=() nargs
    mapfile -t nargs < <(nic_args "$nd" "$mac" "$opts")
    if [ "$pair" = 1 ]; then log="$log_prefix-$name.log"; else log="$log_prefix.log"; fi
    rm -f "$log"
    if [ -n "$qmp" ]; then
        local sock=$qmp
        [ "$pair" = 1 ] && sock="$qmp.$name"
        rm -f "$sock"
        qmp_args=(-qmp "unix:$sock,server=on,wait=off")
        export "ENA_QMP_${name^^}=$sock"
    fi
    export "ENA_LOG_${name^^}=$log"
    if [ "$console" = 1 ]; then
        "$qemu_bin" \
            -M "$machine" -accel "$accel" -m "$mem" -smp "$smp" \
            -nodefaults -no-user-config -display none -vga none -no-reboot \
            "${fw_args[@]}" -serial mon:stdio \
            -kernel "$image" -initrd "$initrd" \
            -append "$cmdline$cl guest_timeout=100000000" \
            "${port_args[@]}" "${nargs[@]}" "${det_args[@]}" \
            "${qmp_args[@]}" "${extra[@]}" || exit
        exit 0
    fi
    local qemu_args=(
        -M "$machine" -accel "$accel" -m "$mem" -smp "$smp"
        -nodefaults -no-user-config -display none -vga none -no-reboot
        "${fw_args[@]}" -serial chardev:ser0
        -kernel "$image" -initrd "$initrd" -append "$cmdline$cl"
        "${port_args[@]}" "${nargs[@]}" "${det_args[@]}"
        "${qmp_args[@]}" "${extra[@]}")
    if [ "$respawn" = 1 ]; then
        local req="$tmpdir/respawn.$name"
        export "ENA_RESPAWN_${name^^}=$req"
        respawn_loop "$log" "$req" "${qemu_args[@]}" &
    else
        timeout -k 5 "$hard_s" "$qemu_bin" \
            -chardev "file,id=ser0,path=$log" "${qemu_args[@]}" \
            > "${log%.log}.qemu.log" 2>&1 &
    fi
    pids+=($!)
    names+=("$name")
    logs+=("$log")
    export "ENA_PID_${name^^}=$!"
}

t_start=$(date +%s.%N)
[ "$console" = 0 ] || [ "$pair" = 0 ] || ena_die "--console runs a single guest"
[ "$nics" = 1 ] || [ "$pair" = 0 ] || ena_die "--nics is for a single guest"
if [ "$pair" = 1 ]; then
    sock="$tmpdir/link.sock"
    cl_a=" role=a ip=10.0.0.1/24 peer=10.0.0.2"
    cl_b=" role=b ip=10.0.0.2/24 peer=10.0.0.1"
    for p in "${a_params[@]}"; do cl_a+=" $p"; done
    for p in "${b_params[@]}"; do cl_b+=" $p"; done
    launch a "stream,server=on,addr.type=unix,addr.path=$sock" \
        52:54:00:e0:00:01 "$a_dev_opts" "$cl_a"
    for _ in $(seq 100); do
        [ -S "$sock" ] && break
        kill -0 "${pids[0]}" 2>/dev/null || break
        sleep 0.1
    done
    [ -S "$sock" ] || { cat "$log_prefix-a.qemu.log" >&2; ena_die "guest a did not open $sock"; }
    launch b "stream,server=off,addr.type=unix,addr.path=$sock" \
        52:54:00:e0:00:02 "$b_dev_opts" "$cl_b"
else
    launch a "$netdev" 52:54:00:e0:00:01 "" ""
fi

if [ "$verbose" = 1 ]; then
    for i in "${!logs[@]}"; do
        tail -n +1 -F --pid="${pids[$i]}" "${logs[$i]}" 2>/dev/null |
            sed -u "s/^/[${names[$i]}] /" >&2 &
        viewers+=($!)
    done
fi
hook_pid=""
if [ -n "$hook" ]; then
    # its own process group, so that it can be stopped whole
    setsid bash -c "$hook" &
    hook_pid=$!
fi

# Stall watchdog: every 5 s, a guest progresses if its serial log grew or
# its QEMU used at least a fifth of a CPU (a guest computing in silence,
# e.g. generating test data, on a starved host). When no guest has
# progressed for timeout_s, they are stopped as a timeout.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# The QEMU under pids[] entry $1: timeout(1)'s child, or its grandchild
# under a respawn loop; empty when none runs.
qemu_pid() {
    local p=$1 c
    while c=$(pgrep -P "$p" | head -n 1) && [ -n "$c" ]; do p=$c; done
    [ "$p" = "$1" ] || echo "$p"
}
stall_watch() {
    local idle=0 hz i size ticks qpid progressed alive
    local -a last_size last_ticks
    hz=$(getconf CLK_TCK)
    while sleep 5; do
        progressed=0
        alive=0
        for i in "${!pids[@]}"; do
            kill -0 "${pids[$i]}" 2>/dev/null || continue
            alive=1
            size=$(stat -c %s "${logs[$i]}" 2>/dev/null || echo 0)
            qpid=$(qemu_pid "${pids[$i]}" || true)
            ticks=$(cpu_ticks "${qpid:-${pids[$i]}}")
            # a fifth of a CPU over the 5 s: one CPU second
            if [ "$size" != "${last_size[$i]:-}" ] ||
               [ $((ticks - ${last_ticks[$i]:-0})) -ge "$hz" ]; then
                progressed=1
            fi
            last_size[$i]=$size
            last_ticks[$i]=$ticks
        done
        [ "$alive" = 1 ] || return 0
        if [ "$progressed" = 1 ]; then idle=0; else idle=$((idle + 5)); fi
        if [ "$idle" -ge "$timeout_s" ]; then
            echo "run-guest: no progress for $idle s: stopping the guests"
            for i in "${!pids[@]}"; do
                qpid=$(qemu_pid "${pids[$i]}" || true)
                [ -z "$qpid" ] || kill -KILL "$qpid" 2>/dev/null || true
            done
            return 0
        fi
    done
}
# Its output goes to a file: a watcher still sleeping must not hold the
# caller's pipe open once the guests are done.
stall_watch > "$tmpdir/stall" 2>&1 &
watch_pid=$!

# The first line sed script $2 prints from log $1 (CRs dropped); reads the
# whole file (an early exit would break the pipe under pipefail).
first_match() {
    [ -f "$1" ] || return 0
    sed -n -e 's/\r$//' -e "$2" "$1" | awk '!n++'
}

rc=0
status=()
for i in "${!pids[@]}"; do
    qrc=0
    wait "${pids[$i]}" || qrc=$?
    st=$(first_match "${logs[$i]}" 's/.*ENATEST-RESULT name=[^ ]* status=\([A-Z]*\).*/\1/p')
    if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
        st="${st:-FAIL}/TIMEOUT"
    elif [ "$qrc" != 0 ]; then
        st="${st:-FAIL}/QEMU-EXIT-$qrc"
        tail -n 20 "${logs[$i]%.log}.qemu.log" | sed 's/^/  qemu: /' >&2
    fi
    [ -n "$st" ] || st=NO-RESULT
    [ "$st" = PASS ] || rc=1
    status+=("$st")
done
t_end=$(date +%s.%N)
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
watch_pid=
cat "$tmpdir/stall" >&2 2>/dev/null || true
# The viewers (tail --pid) stop by themselves once their QEMU is gone.
for p in "${viewers[@]}"; do wait "$p" 2>/dev/null || true; done
viewers=()
if [ -n "$hook_pid" ]; then
    hrc=0
    if kill -0 "$hook_pid" 2>/dev/null; then
        # the whole hook: a waiting child (wait-log.sh) would hold our
        # caller's pipe open after the guests are gone
        kill -- -"$hook_pid" 2>/dev/null || true
        hrc=killed
    fi
    wait "$hook_pid" 2>/dev/null || { [ "$hrc" = killed ] || hrc=$?; }
    echo "HOOK status=$hrc"
fi
sleep 0.2
for i in "${!pids[@]}"; do
    reason=$(first_match "${logs[$i]}" 's/.*ENATEST-RESULT .* reason=//p')
    printf '%s guest=%s test=%s kver=%s nic=%s wall=%.1fs log=%s%s\n' \
        "${status[$i]}" "${names[$i]}" "$test_name" "$kver" "$nic" \
        "$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { print b - a }')" "${logs[$i]}" \
        "${reason:+ reason=$reason}"
done
exit "$rc"
