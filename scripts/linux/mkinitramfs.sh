#!/usr/bin/env bash
# Build the test initramfs for one cached Debian kernel: busybox, NIC modules, tools, /init.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: mkinitramfs.sh [--modules "ena ..."] [--tools "ethtool ..."] [--diag FILE] [--dpdk [--dpdk-app FILE]] KVER OUT
#   KVER       a kernel release or alias from kernels.conf (6.1, 6.12)
#   OUT        *.cpio.gz (gzip), *.cpio.xz, *.cpio.zst or *.cpio (none; the
#              fastest to unpack under TCG)
#   --modules  modules to load at boot, in order, each with its
#              dependencies first (default: ena). For the stock NIC models
#              use e.g. "e1000e" or "virtio_pci virtio_net".
#   --tools    programs from the userland cache, with the shared libraries
#              they need (default: ethtool; "ethtool iperf3" adds iperf3)
#   --diag FILE  add ena-diag (build/ena-diag/ena-diag) as /bin/ena-diag,
#              with libpci and what it links from the diag tree of
#              fetch-kernels.sh
#   --dpdk     add DPDK from fetch-kernels.sh --dpdk: dpdk-testpmd and its
#              libraries, stdbuf, the PMD plugins in EAL's default plugin
#              directory (PMDS below) and the guest tests in dpdk/guest/
#   --dpdk-app FILE  with --dpdk: also this DPDK program (the dpdk scenario
#              target's build/ena-dpdk-fwd/ena-dpdk-fwd) and its libraries
# Needs: scripts/linux/fetch-kernels.sh done; cpio, kmod, xz, readelf.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

modules="ena"
tools="ethtool"
dpdk=0
dpdk_app=""
diag=""
# The DPDK plugins EAL loads from its default directory at start-up; EAL
# takes a file there only by its .so or .so.<ABI> name.
pmds="librte_net_ena.so.23.0 librte_net_e1000.so.23.0 librte_mempool_ring.so.23.0"
pmd_dir=usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0
while [ $# -gt 0 ]; do
    case $1 in
    --modules) modules=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    --dpdk) dpdk=1; shift ;;
    --dpdk-app) dpdk_app=$2; shift 2 ;;
    --diag) diag=$2; shift 2 ;;
    -h|--help) sed -n '4,24p' "$0"; exit 0 ;;
    -*) ena_die "unknown option $1" ;;
    *) break ;;
    esac
done
[ $# -eq 2 ] || ena_die "usage: $0 [--modules LIST] [--tools LIST] [--diag FILE] [--dpdk [--dpdk-app FILE]] KVER OUT"
kver=$(ena_resolve_kver "$1")
out=$2
root=$(ena_kernel_root "$kver")
bb="$ena_linux_cache/busybox/bin/busybox"
ul="$ena_linux_cache/userland"
dd="$ena_linux_cache/dpdk"
dg="$ena_linux_cache/diag"
# this kernel's own newer userland (tool:ALIAS in kernels.conf), if any
kt="$ena_linux_cache/tools/$kver"
[ -d "$root/lib/modules/$kver" ] || ena_die "kernel $kver not unpacked: run fetch-kernels.sh"
[ -x "$bb" ] || ena_die "$bb missing: run fetch-kernels.sh"
[ "$dpdk" = 0 ] || [ -x "$dd/usr/bin/dpdk-testpmd" ] ||
    ena_die "$dd missing: run fetch-kernels.sh --dpdk"
[ -z "$dpdk_app" ] || { [ "$dpdk" = 1 ] && [ -x "$dpdk_app" ]; } ||
    ena_die "--dpdk-app needs --dpdk and a program ($dpdk_app)"
[ -z "$diag" ] || [ -x "$diag" ] || ena_die "--diag: $diag is not a program"
[ -z "$diag" ] || [ -d "$dg" ] || ena_die "$dg missing: run fetch-kernels.sh"

stage=$(mktemp -d "${TMPDIR:-/tmp}/ena-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,etc,lib/modules,lib/x86_64-linux-gnu,lib64,tests}
ln -s bin "$stage/sbin"
mkdir -p "$stage/usr"
ln -s ../bin "$stage/usr/bin"
ln -s ../bin "$stage/usr/sbin"

# busybox and one link per applet
cp "$bb" "$stage/bin/busybox"
for a in $("$bb" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$stage/bin/$a"
done

# Modules, decompressed (busybox insmod loads only plain .ko), in load order.
: > "$stage/etc/modules"
for m in $modules; do
    deps=$(modprobe -d "$root" -S "$kver" --show-depends "$m") ||
        ena_die "module $m not found in $kver"
    while read -r kind path _; do
        [ "$kind" = insmod ] || continue
        name=$(basename "$path")
        name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
        dst="$stage/lib/modules/$name"
        [ -f "$dst" ] && continue
        case $path in
        *.ko.xz) xz -dc "$path" > "$dst" ;;
        *.ko.zst) zstd -qdc "$path" > "$dst" ;;
        *.ko.gz) gzip -dc "$path" > "$dst" ;;
        *.ko) cp "$path" "$dst" ;;
        *) ena_die "unexpected module file $path" ;;
        esac
        echo "${name%.ko}" >> "$stage/etc/modules"
    done <<< "$deps"
done
echo "$kver" > "$stage/etc/kver"

# Dynamic programs: copy the program, its interpreter and its libraries.
# The kernel's own tools tree comes first, then the userland (which
# holds libc), then the DPDK and diag trees.
find_in_userland() {
    local d r
    for r in "$kt" "$ul" "$dd" "$dg"; do
        [ -d "$r" ] || continue
        [ "$r" != "$dd" ] || [ "$dpdk" = 1 ] || continue
        [ "$r" != "$dg" ] || [ -n "$diag" ] || continue
        for d in "$@"; do
            [ -e "$r/$d" ] && { echo "$r/$d"; return 0; }
        done
    done
    return 1
}
copy_libs() {
    local f=$1 lib src
    for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [ -e "$stage/lib/x86_64-linux-gnu/$lib" ] && continue
        src=$(find_in_userland "lib/x86_64-linux-gnu/$lib" \
              "usr/lib/x86_64-linux-gnu/$lib" "$pmd_dir/$lib") ||
            ena_die "library $lib (needed by $(basename "$f")) not in $ul (or $dd, $dg)"
        cp -L "$src" "$stage/lib/x86_64-linux-gnu/$lib"
        copy_libs "$src"
    done
}
if [ -n "$tools" ]; then
    [ -d "$ul" ] || ena_die "$ul missing: run fetch-kernels.sh"
    cp -L "$ul/lib64/ld-linux-x86-64.so.2" "$stage/lib64/"
    for t in $tools; do
        src=$(find_in_userland "sbin/$t" "usr/sbin/$t" "bin/$t" "usr/bin/$t") ||
            ena_die "tool $t not in $ul (add its package to kernels.conf)"
        rm -f "$stage/bin/$t"
        cp -L "$src" "$stage/bin/$t"
        copy_libs "$src"
    done
fi

# ena-diag and libpci (libpci also wants libudev and zlib)
if [ -n "$diag" ]; then
    [ -e "$stage/lib64/ld-linux-x86-64.so.2" ] ||
        cp -L "$ul/lib64/ld-linux-x86-64.so.2" "$stage/lib64/"
    cp -L "$diag" "$stage/bin/ena-diag"
    copy_libs "$diag"
fi

# DPDK: testpmd, stdbuf (its LD_PRELOAD library where stdbuf looks for
# it), the plugins, and everything they link.
if [ "$dpdk" = 1 ]; then
    [ -e "$stage/lib64/ld-linux-x86-64.so.2" ] ||
        cp -L "$ul/lib64/ld-linux-x86-64.so.2" "$stage/lib64/"
    for t in usr/bin/dpdk-testpmd usr/bin/stdbuf; do
        cp -L "$dd/$t" "$stage/bin/"
        copy_libs "$dd/$t"
    done
    if [ -n "$dpdk_app" ]; then
        cp -L "$dpdk_app" "$stage/bin/"
        copy_libs "$dpdk_app"
    fi
    mkdir -p "$stage/usr/libexec/coreutils" "$stage/$pmd_dir"
    cp -L "$dd/usr/libexec/coreutils/libstdbuf.so" "$stage/usr/libexec/coreutils/"
    for p in $pmds; do
        cp -L "$dd/$pmd_dir/$p" "$stage/$pmd_dir/"
        copy_libs "$dd/$pmd_dir/$p"
    done
    # glibc dlopen()s it for pthread_cancel (testpmd's exit).
    cp -L "$(find_in_userland usr/lib/x86_64-linux-gnu/libgcc_s.so.1 \
        lib/x86_64-linux-gnu/libgcc_s.so.1)" "$stage/lib/x86_64-linux-gnu/"
fi

# /init and the guest-side tests
install -m 0755 "$ena_linux_dir/init.sh" "$stage/init"
for t in "$ena_linux_dir"/guest/*.sh; do
    [ -f "$t" ] && install -m 0644 "$t" "$stage/tests/"
done
if [ "$dpdk" = 1 ]; then
    for t in "$ena_linux_dir"/dpdk/guest/*.sh; do
        [ -f "$t" ] && install -m 0644 "$t" "$stage/tests/"
    done
fi
if [ "$(id -u)" -eq 0 ]; then
    mknod -m 600 "$stage/dev/console" c 5 1
    mknod -m 666 "$stage/dev/null" c 1 3
fi

mkdir -p "$(dirname "$out")"
tmp_out="$out.tmp.$$"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --reproducible --quiet) |
case $out in
*.gz) gzip -6n ;;
*.xz) xz --check=crc32 -6 ;;
*.zst) zstd -q -19 ;;
*) cat ;;
esac > "$tmp_out"
mv "$tmp_out" "$out"
ena_log "$out: $(du -h "$out" | cut -f1) for $kver (modules: $(tr '\n' ' ' < "$stage/etc/modules"))$([ "$dpdk" = 0 ] || echo ", DPDK")$([ -z "$diag" ] || echo ", ena-diag")"
