#!/usr/bin/env bash
# Download and unpack the Debian kernels and guest userland pinned in kernels.conf.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: fetch-kernels.sh             fetch and unpack everything (idempotent;
#                                     run as root, after scripts/setup.sh)
#        fetch-kernels.sh --resolve   print kernels.conf lines for the newest
#                                     candidates apt knows (changes nothing
#                                     but the package lists of the suites
#                                     under apt/, which it refreshes; root)
#        fetch-kernels.sh --dpdk [--resolve]
#                                     the same for the DPDK guest's packages,
#                                     pinned in dpdk/packages.conf
#
# Layout under ${ENA_CACHE:-/var/cache/ena-dev}/linux:
#   debs/               the downloaded .deb files
#   apt/<SUITE>/        sources.list and package lists of the entries
#                       pinned with a suite (Debian 13's kernel): apt-get
#                       reads them instead of the host's sources, so the
#                       host stays as it is
#   kernel/<KVER>/      dpkg-deb -x of linux-image-<KVER> (or of
#                       linux-binary-<KVER> and its kpart: packages),
#                       depmod'ed
#   busybox/            dpkg-deb -x of busybox-static
#   userland/           dpkg-deb -x of every "lib" package (ethtool, iperf3
#                       and their libraries, libc included)
#   diag/               dpkg-deb -x of every "diag" package (ena-diag's
#                       libraries: a tree apart, so that the userland
#                       tree of a checkout without ena-diag stays as is)
#   tools/<KVER>/       dpkg-deb -x of every "tool:ALIAS" package: the
#                       newer userland of one kernel (ethtool, devlink,
#                       phc_ctl), found before userland/ in its initramfs
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
    resolve_cloud
    ena_conf_entries_suite | while read -r role n _ suite; do
        case $role in kernel:*|kpart:*) continue ;; esac
        if [ "$suite" = - ]; then
            printf '%-12s %-32s %s\n' "$role" "$n" "$(cand "$n")"
        else
            apt_suite "$suite"
            printf '%-12s %-32s %s %s\n' "$role" "$n" \
                "$(apt-cache "${apt_opts[@]}" policy "$n" |
                   awk '/Candidate:/ && !n++ { print $2 }')" "$suite"
        fi
    done
}

# Debian 13's newest kernel for EC2: the packages behind
# linux-image-cloud-amd64 in trixie-backports (the image package itself
# is empty; the bzImage, the modules and modules.builtin come in
# linux-binary-, linux-modules- and linux-base-KVER).
resolve_cloud() {
    local suite=trixie-backports img ver kver p
    apt_suite "$suite"
    apt_update "$suite"
    img=$(apt-cache "${apt_opts[@]}" depends linux-image-cloud-amd64 |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' |
        head -n 1)
    [ -n "$img" ] || ena_die "linux-image-cloud-amd64 unknown in $suite"
    ver=$(apt-cache "${apt_opts[@]}" policy "$img" |
        awk '/Candidate:/ && !n++ { print $2 }')
    kver=${img#linux-image-}
    printf '%-12s %-32s %s %s\n' kernel:7.3 "linux-binary-$kver" "$ver" "$suite"
    for p in modules base; do
        printf '%-12s %-32s %s %s\n' kpart:7.3 "linux-$p-$kver" "$ver" "$suite"
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

# apt_suite SUITE: set apt_opts to the options that make apt-get and
# apt-cache read only SUITE, from its own sources list and package lists
# under the cache (written on first use); the host's sources stay as they
# are. The mirror is the host's Debian mirror.
apt_opts=()
apt_suite() {
    local d="$ena_linux_cache/apt/$1" mirror
    if [ ! -f "$d/sources.list" ]; then
        mirror=$(sed -n 's/^URIs: *\(.*\/debian\)\/* *$/\1/p' \
            /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
        [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ {
            print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
        mkdir -p "$d/lists/partial"
        printf 'deb [signed-by=%s] %s %s main\n' \
            /usr/share/keyrings/debian-archive-keyring.gpg \
            "${mirror:-http://deb.debian.org/debian}" "$1" > "$d/sources.list"
    fi
    apt_opts=(-o "Dir::Etc::SourceList=$d/sources.list"
              -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$d/lists"
              -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
              -o APT::Sandbox::User=root)
}
# apt_update SUITE: refresh SUITE's package lists (after apt_suite).
apt_update() {
    ena_log "apt-get update for $1"
    apt-get "${apt_opts[@]}" update -q </dev/null >&2 ||
        ena_die "apt-get update of $1 failed"
}
# apt_download SUITE PKG=VER...: apt-get download into the current
# directory, from the host's sources (SUITE "-") or SUITE's own; a
# failure refreshes SUITE's lists once and tries again.
apt_download() {
    local suite=$1
    shift
    if [ "$suite" = - ]; then
        apt-get download -q -o APT::Sandbox::User=root "$@" </dev/null >&2
        return
    fi
    apt_suite "$suite"
    compgen -G "$ena_linux_cache/apt/$suite/lists/*_Packages*" >/dev/null ||
        apt_update "$suite"
    apt-get "${apt_opts[@]}" download -q "$@" </dev/null >&2 && return
    apt_update "$suite"
    apt-get "${apt_opts[@]}" download -q "$@" </dev/null >&2
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
# downloading it first if needed (from suite $3, default the host's).
fetch_deb() {
    local pkg=$1 ver=$2 suite=${3:--} f
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
    if ! (cd "$debs" && apt_download "$suite" "$pkg=$ver"); then
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
    local pkg ver suite f have s
    local -A missing=()
    while read -r _ pkg ver suite; do
        have=0
        for f in "$debs/${pkg}"_*.deb; do
            [ -f "$f" ] || continue
            if [ "$(dpkg-deb -f "$f" Package)" = "$pkg" ] &&
               [ "$(dpkg-deb -f "$f" Version)" = "$ver" ]; then
                have=1
                break
            fi
        done
        [ "$have" = 1 ] || missing[$suite]+=" $pkg=$ver"
    done < <(ena_conf_entries_suite)
    for s in "${!missing[@]}"; do
        # shellcheck disable=SC2086  # the list is words
        set -- ${missing[$s]}
        ena_log "downloading $# packages$([ "$s" = - ] || echo " from $s")"
        (cd "$debs" && apt_download "$s" "$@") || true
    done
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

# The kpart:ALIAS packages, unpacked with kernel:ALIAS into one tree.
declare -A kpart_debs=() kpart_stamp=()
while read -r role pkg ver suite; do
    case $role in
    kpart:*)
        f=$(fetch_deb "$pkg" "$ver" "$suite")
        kpart_debs[${role#kpart:}]+=" $f"
        kpart_stamp[${role#kpart:}]+=" $pkg=$ver"
        ;;
    esac
done < <(ena_conf_entries_suite)

declare -A tool_debs=() tool_stamp=()
lib_debs=()
lib_stamp=
diag_debs=()
diag_stamp=
dpdk_debs=()
dpdk_stamp=
while read -r role pkg ver suite; do
    [[ $role == kpart:* ]] && continue
    f=$(fetch_deb "$pkg" "$ver" "$suite")
    case $role in
    kernel:*)
        kver=${pkg#linux-image-}
        kver=${kver#linux-binary-}
        root=$(ena_kernel_root "$kver")
        alias=${role#kernel:}
        stamp="$pkg=$ver${kpart_stamp[$alias]:-}"
        if stale "$root" "$stamp"; then
            # shellcheck disable=SC2086  # a list of paths without blanks
            unpack "$root" "$stamp" "$f" ${kpart_debs[$alias]:-}
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
            [ -f "$root/lib/modules/$kver/vmlinuz" ] ||
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
    tool:*)
        tool_debs[${role#tool:}]+=" $f"
        tool_stamp[${role#tool:}]+="$pkg=$ver "
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
done < <(ena_conf_entries_suite)

if [ "${#lib_debs[@]}" -gt 0 ]; then
    if stale "$ena_linux_cache/userland" "$lib_stamp"; then
        unpack "$ena_linux_cache/userland" "$lib_stamp" "${lib_debs[@]}"
    fi
    ena_log "ok: userland ${lib_stamp% }"
fi

for alias in "${!tool_debs[@]}"; do
    t="$ena_linux_cache/tools/$(ena_resolve_kver "$alias")"
    if stale "$t" "${tool_stamp[$alias]}"; then
        # shellcheck disable=SC2086  # a list of paths without blanks
        unpack "$t" "${tool_stamp[$alias]}" ${tool_debs[$alias]}
    fi
    ena_log "ok: tools for $alias: ${tool_stamp[$alias]% }"
done

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
