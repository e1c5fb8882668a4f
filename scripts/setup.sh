#!/usr/bin/env bash
# Prepare a Debian 12 machine for building and testing the ENA device model:
# apt sources (deb-src, bookworm-backports, trixie sources for QEMU 10.0),
# build and test dependencies, and the cached QEMU source package.
# Idempotent; run as root or through sudo.
# usage: setup.sh [--sanitize]
#   --sanitize  also clang, LLVM and compiler-rt (ASan, UBSan, libFuzzer)
#               for scripts/sanitize.sh and scripts/fuzz.sh
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

if [ "$(id -u)" -ne 0 ]; then
    exec sudo -E "$0" "$@"
fi

log() { printf '[setup] %s\n' "$*"; }
export DEBIAN_FRONTEND=noninteractive

# --- apt sources --------------------------------------------------------
# Reuse the machine's configured mirrors so that no host is hard-coded here.
mirror_for() {
    local want=$1 f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk -v w="$want" '
            /^URIs:/ { u = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == w) { print u; exit } }
        ' "$f")
        if [ -n "$uri" ]; then echo "$uri"; return; fi
    done
    if [ -f /etc/apt/sources.list ]; then
        awk -v w="$want" '$1 == "deb" && $3 == w { print $2; exit }' \
            /etc/apt/sources.list
    fi
}

main_mirror=$(mirror_for bookworm)
sec_mirror=$(mirror_for bookworm-security)
if [ -z "$main_mirror" ]; then
    echo "setup: no apt source for bookworm found; cannot continue" >&2
    exit 1
fi
[ -n "$sec_mirror" ] || sec_mirror="${main_mirror%/debian}/debian-security"

ena_sources=/etc/apt/sources.list.d/ena-dev.sources
want=$(cat <<EOF
# Written by ena-dev scripts/setup.sh
Types: deb-src
URIs: $main_mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: $main_mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $sec_mirror
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

# Source packages only: QEMU 10.0 is taken from here as source.
Types: deb-src
URIs: $main_mirror
Suites: $QEMU_SRC_SUITES
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $sec_mirror
Suites: $QEMU_SEC_SUITES
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
)
stamp=/var/lib/apt/lists/.ena-dev-updated
if [ ! -f "$ena_sources" ] || [ "$(cat "$ena_sources")" != "$want" ]; then
    log "writing $ena_sources"
    printf '%s\n' "$want" > "$ena_sources"
    rm -f "$stamp"
fi
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720)" ]; then
    log "apt-get update"
    apt-get update -qq
    touch "$stamp"
fi

# --- packages -----------------------------------------------------------
pkgs=(
    # QEMU build
    build-essential gcc-multilib ninja-build pkg-config python3 python3-venv
    libglib2.0-dev libslirp-dev libpixman-1-dev zlib1g-dev libfdt-dev
    flex bison dpkg-dev seabios
    # tests and tools; the lint suite's shellcheck and pyflakes3
    check perl git iproute2 socat shellcheck pyflakes3
    # Linux guests: kernels are unpacked from Debian packages
    busybox-static cpio xz-utils zstd kmod
    # bare-metal guest image
    binutils
    # the dpdk scenario target's app (ena-dpdk-fwd/), built against
    # Debian's DPDK 22.11 like the guest's
    dpdk-dev
    # ena-diag (libpci), and rsvg-convert, which renders the scenario
    # runner's timeline pictures in the tests
    libpci-dev librsvg2-bin
)
bpo_pkgs=(meson python3-pycotap)
if [ "${1:-}" = --sanitize ]; then
    # Debian 12's clang (14; QEMU 10.0 wants >= 10); libclang-rt-14-dev
    # has the ASan, UBSan and libFuzzer runtimes, llvm the symbolizer.
    pkgs+=(clang llvm libclang-rt-14-dev)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing: ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

meson_ok() {
    command -v meson >/dev/null &&
        dpkg --compare-versions "$(meson --version)" ge 1.5.0
}
if ! meson_ok || ! dpkg-query -W python3-pycotap >/dev/null 2>&1; then
    log "installing from bookworm-backports: ${bpo_pkgs[*]}"
    apt-get install -y -qq --no-install-recommends -t bookworm-backports \
        "${bpo_pkgs[@]}"
fi

# --- QEMU source package ------------------------------------------------
qdir="$ENA_CACHE/qemu"
mkdir -p "$qdir"
dsc="$qdir/qemu_${QEMU_DEB_VERSION#*:}.dsc"
if [ ! -f "$dsc" ]; then
    log "downloading Debian source qemu=$QEMU_DEB_VERSION"
    (cd "$qdir" && apt-get source -qq --download-only "qemu=$QEMU_DEB_VERSION")
fi
[ -f "$dsc" ] || { echo "setup: $dsc missing after download" >&2; exit 1; }
log "ok: QEMU source $dsc"

# --- Debian kernels for the Linux-guest tests ----------------------------
bash "$here/linux/fetch-kernels.sh"
log "ok: Debian kernels in $ENA_CACHE/linux"
