#!/usr/bin/env bash
# Download and unpack the Debian kernels and guest userland pinned in kernels.conf.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: fetch-kernels.sh             fetch and unpack everything (idempotent;
#                                     run as root, after scripts/setup.sh)
#        fetch-kernels.sh --resolve   print kernels.conf lines for the newest
#                                     candidates apt knows (changes nothing)
#        fetch-kernels.sh --dpdk [--resolve]
#                                     the same for the DPDK guest's packages,
#                                     pinned in dpdk/packages.conf
#
# Layout under ${ENA_CACHE:-/var/cache/ena-dev}/linux:
#   debs/               the downloaded .deb files
#   kernel/<KVER>/      dpkg-deb -x of linux-image-<KVER>, depmod'ed
#   busybox/            dpkg-deb -x of busybox-static
#   userland/           dpkg-deb -x of every "lib" package (ethtool, iperf3
#                       and their libraries, libc included)
#   diag/               dpkg-deb -x of every "diag" package (ena-diag's
#                       libraries: a tree apart, so that the userland
#                       tree of a checkout without ena-diag stays as is)
#   dpdk/               dpkg-deb -x of every "dpdk" package (--dpdk only)
# Every tree carries a .ena-stamp naming the package versions it holds, so a
# second run does nothing and a changed pin re-unpacks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

resolve() {
    local n newest61 newest612=
    newest61=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
        awk '{ print $1 }' | sort -V | tail -n 1)
    [ -n "$newest61" ] || ena_die "no linux-image-6.1.0-*-amd64 known to apt"
    for n in $(apt-cache search --names-only \
            '^linux-image-6\.12\.[0-9]+\+deb12(\.[0-9]+)?-amd64$' |
            awk '{ print $1 }' | sort -V -r); do
        if [[ $(apt-cache madison "$n") == *bookworm-backports/* ]]; then
            newest612=$n
            break
        fi
    done
    [ -n "$newest612" ] || ena_die "no 6.12 kernel in bookworm-backports known to apt"
    cand() { apt-cache policy "$1" | awk '/Candidate:/ && !n++ { print $2 }'; }
    printf '%-12s %-32s %s\n' kernel:6.1 "$newest61" "$(cand "$newest61")"
    printf '%-12s %-32s %s\n' kernel:6.12 "$newest612" "$(cand "$newest612")"
    ena_conf_entries | while read -r role n _; do
        case $role in kernel:*) continue ;; esac
        printf '%-12s %-32s %s\n' "$role" "$n" "$(cand "$n")"
    done
}

# The DPDK packages: no kernels, one tree.
resolve_dpdk() {
    local role n
    ena_conf_entries | while read -r role n _; do
        printf '%-6s %-28s %s\n' "$role" "$n" \
            "$(apt-cache policy "$n" | awk '/Candidate:/ && !n++ { print $2 }')"
    done
}

if [ "${1:-}" = --dpdk ]; then
    ena_conf="$ena_linux_dir/dpdk/packages.conf"
    shift
    if [ "${1:-}" = --resolve ]; then
        resolve_dpdk
        exit 0
    fi
elif [ "${1:-}" = --resolve ]; then
    resolve
    exit 0
fi
[ $# -eq 0 ] || ena_die "usage: $0 [--dpdk] [--resolve]"
[ "$(id -u)" -eq 0 ] || ena_die "run as root (apt-get download into $ena_linux_cache)"
for t in apt-get dpkg-deb depmod; do
    command -v "$t" >/dev/null || ena_die "$t missing: run scripts/setup.sh"
done

debs="$ena_linux_cache/debs"
mkdir -p "$debs"
# One fetch at a time (tests running in parallel may all call us).
exec 8> "$ena_linux_cache/.fetch.lock"
flock 8

# Print the path of the cached .deb of package $1 at version $2,
# downloading it first if needed.
fetch_deb() {
    local pkg=$1 ver=$2 f
    for f in "$debs/${pkg}"_*.deb; do
        [ -f "$f" ] || continue
        if [ "$(dpkg-deb -f "$f" Package)" = "$pkg" ] &&
           [ "$(dpkg-deb -f "$f" Version)" = "$ver" ]; then
            echo "$f"
            return
        fi
    done
    ena_log "downloading $pkg=$ver"
    # The cache is root's; let apt write it without the _apt sandbox user.
    if ! (cd "$debs" && apt-get download -q -o APT::Sandbox::User=root \
            "$pkg=$ver" </dev/null >&2); then
        ena_die "cannot download $pkg=$ver; run 'apt-get update', or pick a
current version with '$0 --resolve' and update $ena_conf"
    fi
    for f in "$debs/${pkg}"_*.deb; do
        if [ -f "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$ver" ]; then
            echo "$f"
            return
        fi
    done
    ena_die "$pkg=$ver downloaded but not found in $debs"
}

# Download every pinned package not yet in the cache with one apt-get call
# (one call per package costs a second or more each: 70 for DPDK);
# fetch_deb below still checks each and names the one that failed.
prefetch() {
    local pkg ver f have missing=()
    while read -r _ pkg ver; do
        have=0
        for f in "$debs/${pkg}"_*.deb; do
            [ -f "$f" ] || continue
            if [ "$(dpkg-deb -f "$f" Package)" = "$pkg" ] &&
               [ "$(dpkg-deb -f "$f" Version)" = "$ver" ]; then
                have=1
                break
            fi
        done
        [ "$have" = 1 ] || missing+=("$pkg=$ver")
    done < <(ena_conf_entries)
    [ "${#missing[@]}" -gt 0 ] || return 0
    ena_log "downloading ${#missing[@]} packages"
    (cd "$debs" && apt-get download -q -o APT::Sandbox::User=root \
        "${missing[@]}" </dev/null >&2) || true
}
prefetch

# True if directory $1 does not hold exactly what stamp $2 names.
stale() {
    [ ! -f "$1/.ena-stamp" ] || [ "$(cat "$1/.ena-stamp")" != "$2" ]
}

# Unpack the .deb files $3... into directory $1 and stamp it with $2.
unpack() {
    local dir=$1 stamp=$2 tmp f
    shift 2
    ena_log "unpacking into $dir"
    tmp="$dir.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    for f in "$@"; do
        dpkg-deb -x "$f" "$tmp"
    done
    printf '%s\n' "$stamp" > "$tmp/.ena-stamp"
    rm -rf "$dir"
    mv "$tmp" "$dir"
}

lib_debs=()
lib_stamp=
diag_debs=()
diag_stamp=
dpdk_debs=()
dpdk_stamp=
while read -r role pkg ver; do
    f=$(fetch_deb "$pkg" "$ver")
    case $role in
    kernel:*)
        kver=${pkg#linux-image-}
        root=$(ena_kernel_root "$kver")
        if stale "$root" "$pkg=$ver"; then
            unpack "$root" "$pkg=$ver" "$f"
            # Packages with merged /usr keep modules under usr/lib.
            if [ ! -d "$root/lib/modules/$kver" ] &&
               [ -d "$root/usr/lib/modules/$kver" ]; then
                mkdir -p "$root/lib"
                ln -s ../usr/lib/modules "$root/lib/modules"
            fi
            # Debian's packages ship no modules.dep.
            depmod -b "$root" "$kver"
        fi
        [ -f "$root/boot/vmlinuz-$kver" ] ||
            ena_die "$pkg has no boot/vmlinuz-$kver"
        ls "$root/lib/modules/$kver/kernel/drivers/net/ethernet/amazon/ena/"ena.ko* \
            >/dev/null 2>&1 || ena_die "$pkg has no ena module"
        ena_log "ok: kernel $kver"
        ;;
    busybox)
        if stale "$ena_linux_cache/busybox" "$pkg=$ver"; then
            unpack "$ena_linux_cache/busybox" "$pkg=$ver" "$f"
        fi
        [ -x "$ena_linux_cache/busybox/bin/busybox" ] ||
            ena_die "$pkg has no bin/busybox"
        ena_log "ok: busybox $ver"
        ;;
    lib)
        lib_debs+=("$f")
        lib_stamp+="$pkg=$ver "
        ;;
    diag)
        diag_debs+=("$f")
        diag_stamp+="$pkg=$ver "
        ;;
    dpdk)
        dpdk_debs+=("$f")
        dpdk_stamp+="$pkg=$ver "
        ;;
    *)
        ena_die "unknown role '$role' in $ena_conf"
        ;;
    esac
done < <(ena_conf_entries)

if [ "${#lib_debs[@]}" -gt 0 ]; then
    if stale "$ena_linux_cache/userland" "$lib_stamp"; then
        unpack "$ena_linux_cache/userland" "$lib_stamp" "${lib_debs[@]}"
    fi
    ena_log "ok: userland ${lib_stamp% }"
fi

if [ "${#diag_debs[@]}" -gt 0 ]; then
    if stale "$ena_linux_cache/diag" "$diag_stamp"; then
        unpack "$ena_linux_cache/diag" "$diag_stamp" "${diag_debs[@]}"
    fi
    ena_log "ok: diag ${diag_stamp% }"
fi

if [ "${#dpdk_debs[@]}" -gt 0 ]; then
    if stale "$ena_linux_cache/dpdk" "$dpdk_stamp"; then
        unpack "$ena_linux_cache/dpdk" "$dpdk_stamp" "${dpdk_debs[@]}"
    fi
    [ -x "$ena_linux_cache/dpdk/usr/bin/dpdk-testpmd" ] ||
        ena_die "no usr/bin/dpdk-testpmd in $ena_linux_cache/dpdk"
    ena_log "ok: dpdk (${#dpdk_debs[@]} packages)"
fi
