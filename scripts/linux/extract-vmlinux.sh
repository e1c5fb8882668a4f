#!/usr/bin/env bash
# Unpack the ELF vmlinux from an x86 bzImage (for a PVH boot that skips in-guest decompression).
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: extract-vmlinux.sh BZIMAGE OUT
# Reads the payload location from the boot protocol header (payload_offset
# at 0x248, payload_length at 0x24c, relative to the protected-mode code at
# (setup_sects + 1) * 512) and decompresses it (xz, zstd, gzip, lz4).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || ena_die "usage: $0 BZIMAGE OUT"
bz=$1
out=$2

u8() { od -An -tu1 -j "$1" -N 1 "$bz" | tr -d ' '; }
u32() { od -An -tu4 -j "$1" -N 4 "$bz" | tr -d ' '; }
[ "$(dd if="$bz" bs=1 skip=514 count=4 status=none)" = HdrS ] ||
    ena_die "$bz is not a bzImage"
setup_sects=$(u8 $((0x1f1)))
[ "$setup_sects" -ne 0 ] || setup_sects=4
pm=$(((setup_sects + 1) * 512))
off=$(u32 $((0x248)))
len=$(u32 $((0x24c)))
# The payload ends with the 4-byte uncompressed size; leave it out.
tmp=$(mktemp "${TMPDIR:-/tmp}/ena-payload.XXXXXX")
trap 'rm -f "$tmp"' EXIT
dd if="$bz" of="$tmp" bs=4096 iflag=skip_bytes,count_bytes \
    skip=$((pm + off)) count=$((len - 4)) status=none
payload() { cat "$tmp"; }
magic=$(od -An -tx1 -j $((pm + off)) -N 4 "$bz" | tr -d ' \n')
case $magic in
fd377a58) payload | xz -dc --single-stream > "$out" ;;
28b52ffd) payload | zstd -qdc > "$out" ;;
1f8b*) payload | gzip -dc > "$out" 2>/dev/null || [ -s "$out" ] ;;
02214c18) payload | lz4 -dc > "$out" ;;
*) ena_die "unknown payload compression in $bz (magic $magic)" ;;
esac
[ "$(od -An -tx1 -N 4 "$out" | tr -d ' \n')" = 7f454c46 ] ||
    ena_die "payload of $bz is not an ELF file"
