#!/usr/bin/env bash
# Overlay hw/ena and qtest/ onto Debian's QEMU 10.0 source and build
# qemu-system-x86_64 plus our qtests. Incremental: the source is unpacked
# and configured once per build directory; later runs only call ninja.
#
# usage: qemu-build.sh [--profile NAME] BUILD_DIR [STAMP]
#   default   gcc, the project's build (build/)
#   sanitize  clang with ASan, UBSan and libFuzzer (--enable-fuzzing): the
#             same binaries and qtests instrumented, plus qemu-fuzz-x86_64
#             and generic-fuzz's ena configs (scripts/sanitize.sh, fuzz.sh)
# A build directory keeps the profile it was configured with.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/versions.sh"
profile=default
if [ "${1:-}" = --profile ]; then
    profile=${2:?usage: qemu-build.sh [--profile NAME] BUILD_DIR [STAMP]}
    shift 2
fi
build=$(mkdir -p "${1:?usage: qemu-build.sh BUILD_DIR}" && cd "$1" && pwd)
src="$build/qemu-src"
obj="$build/qemu-build"
log() { printf '[qemu-build] %s\n' "$*"; }

# --- 0. profile: compiler, configure flags, extra targets ----------------
profile_args=()
profile_targets=()
case "$profile" in
default) ;;
sanitize)
    # gcc builds the x86 option ROMs (configure takes no clang for them);
    # as a "cross" compiler it gets its binutils by prefix, and Debian's
    # binutils has x86_64-linux-gnu-objcopy etc. (without the prefix the
    # ROMs' Makefile runs an empty $(OBJCOPY))
    profile_args=(--cc=clang --cxx=clang++ --objcc=clang --cross-cc-i386=gcc
                  --cross-prefix-i386=x86_64-linux-gnu-
                  --enable-fuzzing --enable-asan --enable-ubsan)
    profile_targets=(qemu-fuzz-x86_64)
    ;;
*)
    echo "qemu-build: unknown profile '$profile'" >&2
    exit 1
    ;;
esac

# One build at a time per tree (tests and people may call this together).
exec 9>"$build/.qemu-build.lock"
flock 9

# --- 1. unpack Debian's source package with its patches applied ----------
dsc="$ENA_CACHE/qemu/qemu_${QEMU_DEB_VERSION#*:}.dsc"
if [ ! -f "$src/.ena-unpacked" ] ||
   [ "$(cat "$src/.ena-unpacked")" != "$QEMU_DEB_VERSION" ]; then
    if [ ! -f "$dsc" ]; then
        echo "qemu-build: $dsc not found; run scripts/setup.sh first" >&2
        exit 1
    fi
    log "unpacking $(basename "$dsc")"
    rm -rf "$src" "$obj"
    dpkg-source --no-check -x "$dsc" "$src" >/dev/null
    echo "$QEMU_DEB_VERSION" > "$src/.ena-unpacked"
fi

# --- 2. overlay ----------------------------------------------------------
link() {    # link TARGET LINKNAME
    if [ "$(readlink "$2" 2>/dev/null)" != "$1" ]; then
        rm -rf "$2"
        ln -s "$1" "$2"
    fi
}
# add_after FILE ANCHOR_REGEX LINE: insert LINE after the first match, once
add_after() {
    local file=$1 anchor=$2 line=$3
    grep -qxF -- "$line" "$file" && return 0
    grep -qE -- "$anchor" "$file" || {
        echo "qemu-build: anchor '$anchor' not found in $file" >&2
        exit 1
    }
    awk -v a="$anchor" -v l="$line" '
        { print } !done && $0 ~ a { print l; done = 1 }' \
        "$file" > "$file.ena" && mv "$file.ena" "$file"
}

link "$repo/hw/ena" "$src/hw/ena"
add_after "$src/hw/meson.build" "^subdir\\('net'\\)" "subdir('ena')"
add_after "$src/hw/Kconfig" "^source net/Kconfig" "source ena/Kconfig"
add_after "$src/hw/net/meson.build" "CONFIG_IGB_PCI_EXPRESS.*net_tx_pkt" \
    "system_ss.add(when: 'CONFIG_ENA_PCI', if_true: files('net_tx_pkt.c', 'net_rx_pkt.c'))"
add_after "$src/meson.build" "^    'hw/net',$" "    'hw/ena',"
# generic-fuzz targets for ena (only built with --enable-fuzzing): our
# entries are included at the head of QEMU's predefined_configs[].
if [ "$profile" = sanitize ]; then
    link "$repo/qtest/fuzz/ena_fuzz_configs.c.inc" \
        "$src/tests/qtest/fuzz/ena_fuzz_configs.c.inc"
    add_after "$src/tests/qtest/fuzz/generic_fuzz_configs.h" \
        "^const generic_fuzz_config predefined_configs\\[\\] = \\{$" \
        '#include "ena_fuzz_configs.c.inc"'
fi

# qtest/: libqos nodes go to tests/qtest/libqos, tests to tests/qtest.
for f in "$repo"/qtest/libqos/*.[ch]; do
    [ -e "$f" ] || continue
    link "$f" "$src/tests/qtest/libqos/$(basename "$f")"
done
for f in "$repo"/qtest/*.[ch]; do
    [ -e "$f" ] || continue
    link "$f" "$src/tests/qtest/$(basename "$f")"
done
link "$repo/driver" "$src/tests/qtest/ena-driver"
add_after "$src/tests/qtest/libqos/meson.build" "^ *'igb.c',$" \
    "        'ena.c',"
# qos tests: every qtest/ena*-test.c not listed as stand-alone below
for f in "$repo"/qtest/ena*-test.c; do
    t=$(basename "$f" .c)
    grep -q "^$t:" "$repo/qtest/tests.list" 2>/dev/null && continue
    add_after "$src/tests/qtest/meson.build" "^ *'igb-test.c',$" "  '$t.c',"
done
# Stand-alone qtest executables (they link the reference driver core) are
# listed in qtest/tests.list as "name: extra sources". One that was a qos
# test in an older checkout leaves qos-test (it has a main() of its own).
while IFS=: read -r name extra; do
    case "$name" in ''|'#'*) continue ;; esac
    if grep -qxF "  '$name.c'," "$src/tests/qtest/meson.build"; then
        sed -i "/^  '$name\.c',\$/d" "$src/tests/qtest/meson.build"
    fi
    add_after "$src/tests/qtest/meson.build" "^qtests_x86_64 = qtests_i386" \
        "qtests_x86_64 += ['$name']"
    add_after "$src/tests/qtest/meson.build" "^qtest_executables = \\{\\}" \
        "qtests += {'$name': files($extra)}"
done < <(cat "$repo/qtest/tests.list" 2>/dev/null || true)

# --- 3. configure once ---------------------------------------------------
if [ -f "$obj/build.ninja" ] &&
   [ "$(cat "$obj/.ena-profile" 2>/dev/null || echo default)" != "$profile" ]
then
    echo "qemu-build: $obj was configured with another profile than" \
         "'$profile'; use another build directory" >&2
    exit 1
fi
if [ ! -f "$obj/build.ninja" ]; then
    log "configuring x86_64-softmmu ($profile) in $obj"
    mkdir -p "$obj"
    echo "$profile" > "$obj/.ena-profile"
    (cd "$obj" && "$src/configure" \
        "${profile_args[@]}" \
        --python=/usr/bin/python3 \
        --target-list=x86_64-softmmu \
        --enable-tcg --enable-kvm --enable-slirp \
        --enable-werror \
        --disable-download --disable-docs --disable-user \
        --disable-gtk --disable-sdl --disable-opengl --disable-vnc \
        --disable-spice --disable-xen --disable-guest-agent \
        --disable-tools --disable-fuse --disable-libusb \
        --disable-usb-redir --disable-smartcard --disable-rust \
        --disable-plugins --disable-install-blobs \
        --firmwarepath=/usr/share/seabios:/usr/share/qemu \
        ) > "$build/qemu-configure.log" 2>&1 || {
        tail -n 40 "$build/qemu-configure.log" >&2
        rm -f "$obj/build.ninja"
        exit 1
    }
fi

# --- 4. build ------------------------------------------------------------
targets=(qemu-system-x86_64 tests/qtest/qos-test "${profile_targets[@]}")
while IFS=: read -r name _; do
    case "$name" in ''|'#'*) continue ;; esac
    targets+=("tests/qtest/$name")
done < <(cat "$repo/qtest/tests.list" 2>/dev/null || true)
log "ninja ${targets[*]}"
ninja -C "$obj" ${ENA_NINJA_JOBS:+-j "$ENA_NINJA_JOBS"} "${targets[@]}"

# Option ROMs (linuxboot_dma.bin, pvh.bin ...) for -kernel: Debian's +ds
# source ships none and ninja does not build them.
if [ ! -f "$obj/pc-bios/optionrom/pvh.bin" ]; then
    make -s -C "$obj/pc-bios/optionrom" >/dev/null
fi

# QEMU started from its build tree searches qemu-bundle/ for firmware:
# give it Debian's SeaBIOS and the option ROMs built above.
mkdir -p "$obj/qemu-bundle/usr/share/qemu"
link /usr/share/seabios "$obj/qemu-bundle/usr/share/seabios"
for rom in "$obj"/pc-bios/optionrom/*.bin; do
    link "$rom" "$obj/qemu-bundle/usr/share/qemu/$(basename "$rom")"
done

link "$obj/qemu-system-x86_64" "$build/qemu-system-x86_64"
link "$obj/tests/qtest" "$build/qtest"
log "ok: $build/qemu-system-x86_64"
[ -z "${2:-}" ] || touch "$2"
