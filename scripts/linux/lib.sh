# Shared helpers for the Linux-guest scripts (sourced, not run).
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Paths (all overridable from the environment):
#   ENA_BUILD        the meson build directory, default <repo>/build
#   ENA_CACHE        download cache, default /var/cache/ena-dev; the Linux
#                    parts live in $ENA_CACHE/linux
#   ENA_LINUX_WORK   generated initramfs images and logs,
#                    default $ENA_BUILD/linux
#   QEMU             default $ENA_BUILD/qemu-system-x86_64
#   QEMU_FIRMWARE    ':'-separated -L directories, default the built option
#                    ROMs ($ENA_BUILD/qemu-build/pc-bios/optionrom) plus
#                    /usr/share/seabios

ena_linux_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ena_repo=$(cd "$ena_linux_dir/../.." && pwd)
ena_build="${ENA_BUILD:-$ena_repo/build}"
ENA_CACHE="${ENA_CACHE:-/var/cache/ena-dev}"
ena_linux_cache="$ENA_CACHE/linux"
ENA_LINUX_WORK="${ENA_LINUX_WORK:-$ena_build/linux}"
ena_conf="$ena_linux_dir/kernels.conf"

ena_die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
ena_log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }

# Print "<role> <package> <version>" for every pinned entry.
ena_conf_entries() {
    sed -e 's/#.*//' "$ena_conf" | awk 'NF >= 3 { print $1, $2, $3 }'
}

# The same with a fourth field, the suite of an entry fetched through its
# own apt sources list ("-" for the host's sources).
ena_conf_entries_suite() {
    sed -e 's/#.*//' "$ena_conf" |
        awk 'NF >= 3 { print $1, $2, $3, (NF >= 4 ? $4 : "-") }'
}

# Every pinned kernel release (KVER), in file order: the kernel package's
# name without linux-image- (or linux-binary-, where Debian splits the
# image from its modules).
ena_kvers() {
    ena_conf_entries | awk '$1 ~ /^kernel:/ {
        sub(/^linux-(image|binary)-/, "", $2); print $2 }'
}

# Map an alias (6.1, 6.12) or a full KVER to the KVER.
ena_resolve_kver() {
    local want=$1 k
    k=$(ena_conf_entries | awk -v w="$want" '
        $1 ~ /^kernel:/ {
            kv = $2; sub(/^linux-(image|binary)-/, "", kv)
            if (($1 == "kernel:" w || kv == w) && !n++) print kv
        }')
    [ -n "$k" ] || ena_die "unknown kernel '$want' (see $ena_conf)"
    echo "$k"
}

# Unpacked tree of a kernel package (boot/, lib/modules/).
ena_kernel_root() { echo "$ena_linux_cache/kernel/$1"; }

# The packaged bzImage: boot/vmlinuz-KVER, or in the module directory
# (Debian 13's split packages).
ena_bzimage() {
    local r f
    r=$(ena_kernel_root "$1")
    for f in "$r/boot/vmlinuz-$1" "$r/lib/modules/$1/vmlinuz"; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    ena_die "$r/boot/vmlinuz-$1 missing: run scripts/linux/fetch-kernels.sh"
}

# The host's TSC frequency in kHz, from its kernel log, or nothing. Under
# TCG without -icount a guest's TSC is the host's, so a guest told this
# rate (tsc_early_khz=) need not calibrate it: a vCPU starved of the host
# CPU during the calibration against the PIT has taken a 2445 MHz TSC for
# 211 MHz, and its clock then ran eleven times fast.
ena_host_tsc_khz() {
    local flags mhz
    flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null) || return 0
    case "$flags" in *constant_tsc*nonstop_tsc*) ;; *) return 0 ;; esac
    mhz=$(dmesg 2>/dev/null | sed -n \
        -e 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' \
        -e 's/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' | tail -n 1)
    [ -n "$mhz" ] || return 0
    awk -v m="$mhz" 'BEGIN { printf "%d\n", m * 1000 + 0.5 }'
}

ena_qemu() {
    local q="${QEMU:-$ena_build/qemu-system-x86_64}"
    [ -x "$q" ] || ena_die "QEMU binary $q not found (build it, or set QEMU=)"
    echo "$q"
}

# -L options for the firmware and the -kernel option ROMs.
ena_qemu_firmware_args() {
    local fw="${QEMU_FIRMWARE:-$ena_build/qemu-build/pc-bios/optionrom:/usr/share/seabios}"
    local d
    local IFS=:
    for d in $fw; do
        [ -d "$d" ] && printf '%s\n' -L "$d"
    done
}
