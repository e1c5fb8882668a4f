#!/usr/bin/env bash
# Benchmark (not a test): DPDK testpmd packet rate through ena, igb and e1000e with their PMDs, printed as ratios.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: bench/dpdk-rate.sh [options]
#   -n, --runs N       runs per device and frame size (default 3)
#   -s, --secs S       counting time per run, seconds (default 5)
#   -k, --kernel K     6.1 (default), 6.12 or a KVER from kernels.conf
#       --nics LIST    devices (default "ena igb e1000e")
#       --sizes LIST   frame sizes on the wire, CRC included (default "64 1518")
#       --mode M       testpmd forwarding mode, io (default) or mac
#       --out DIR      raw results and guest logs
#                      (default $ENA_BUILD/bench/dpdk-rate-<date>)
#   -h, --help
#
# One run = one guest (-smp 2: EAL's main lcore and one forwarding lcore,
# 768 MB, vfio-pci behind intel-iommu) with two NICs of the model on one
# QEMU hub, Debian's testpmd forwarding between them in the given mode
# after `start tx_first 4` (each stream injects 128 frames that then
# circulate); scripts/linux/dpdk/guest/testpmd.sh step "rate" counts the
# frames both ports received over S seconds of guest time. Mpps is the
# sum over both ports; Gbit/s counts L2 bytes without the CRC. Runs are
# interleaved (per run index, every size, every device in rotating order)
# so drift of a shared host hits all devices alike. The QEMU binary is
# copied to DIR at the start. Failed runs are reported and left out.
#
# Environment: ENA_BUILD (default build/ in this tree), plus what
# scripts/linux/lib.sh reads.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export ENA_BUILD="${ENA_BUILD:-$repo/build}"

runs=3
secs=5
kernel=6.1
nics="ena igb e1000e"
sizes="64 1518"
mode=io
out=""
while [ $# -gt 0 ]; do
    case $1 in
    -n|--runs) runs=$2; shift ;;
    -s|--secs) secs=$2; shift ;;
    -k|--kernel) kernel=$2; shift ;;
    --nics) nics=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --mode) mode=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '5,29p' "$0"; exit 0 ;;
    *) echo "dpdk-rate.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case $runs$secs in *[!0-9]*) echo "dpdk-rate.sh: --runs and --secs take integers" >&2; exit 2 ;; esac

[ -n "$out" ] || out="$ENA_BUILD/bench/dpdk-rate-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out/logs"
cp "${QEMU:-$ENA_BUILD/qemu-system-x86_64}" "$out/qemu-system-x86_64"
export QEMU="$out/qemu-system-x86_64"
# The DPDK packages, fetched once (as root).
if [ ! -f "${ENA_CACHE:-/var/cache/ena-dev}/linux/dpdk/.ena-stamp" ]; then
    "$repo/scripts/linux/fetch-kernels.sh" --dpdk >&2
fi
raw="$out/raw.tsv"
printf 'run\tnic\tsize\tpps\tbps\tstatus\n' > "$raw"

read -r -a nic_list <<< "$nics"
n_nics=${#nic_list[@]}
for r in $(seq 1 "$runs"); do
    for size in $sizes; do
        for i in $(seq 0 $((n_nics - 1))); do
            nic=${nic_list[$(((i + r - 1) % n_nics))]}
            log="$out/logs/$nic-$size-$r"
            st=PASS
            "$repo/scripts/linux/run-guest.sh" --dpdk --nics 2 --nic "$nic" \
                -k "$kernel" --smp 2 --mem 768 --timeout 300 -t testpmd \
                -p steps=rate -p "secs=$secs" -p "fwd=$mode" \
                -p "txpkts=$((size - 4))" --log "$log" > "$log.out" 2>&1 || st=FAIL
            pps=$(tr -d '\r' < "$log.log" | sed -n 's/.*ENATEST-VALUE rate1_pps=//p' | tail -n 1)
            bps=$(tr -d '\r' < "$log.log" | sed -n 's/.*ENATEST-VALUE rate1_bps=//p' | tail -n 1)
            [ -n "$pps" ] && [ -n "$bps" ] || st=FAIL
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$nic" "$size" "${pps:-0}" "${bps:-0}" "$st" >> "$raw"
            printf 'run %s %-7s %4s B: %s pps, %s bit/s (%s)\n' "$r" "$nic" "$size" \
                "${pps:-?}" "${bps:-?}" "$st" >&2
        done
    done
done

# Medians per device and size, then ena against the best of the others.
echo
echo "DPDK testpmd $mode forwarding, 2 ports on one hub, kernel $kernel, $runs run(s) of ${secs} s (median [min-max])"
awk -F'\t' -v nics="$nics" -v sizes="$sizes" '
    function med(a, n,    i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
        }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    NR > 1 && $6 == "PASS" { k = $2 SUBSEP $3; n[k]++; p[k, n[k]] = $4; b[k, n[k]] = $5 }
    END {
        nn = split(nics, N, " "); ns = split(sizes, S, " ")
        printf "%-8s", "nic"
        for (s = 1; s <= ns; s++) printf "  %26s", S[s] " B: Mpps / Gbit/s"
        printf "\n"
        for (i = 1; i <= nn; i++) {
            printf "%-8s", N[i]
            for (s = 1; s <= ns; s++) {
                k = N[i] SUBSEP S[s]
                if (!n[k]) { printf "  %26s", "-"; continue }
                lo = 1e18; hi = 0
                for (j = 1; j <= n[k]; j++) {
                    x[j] = p[k, j]; y[j] = b[k, j]
                    if (x[j] < lo) lo = x[j]
                    if (x[j] > hi) hi = x[j]
                }
                mp[k] = med(x, n[k]); mb[k] = med(y, n[k])
                printf "  %7.4f [%.4f-%.4f] / %6.3f", mp[k] / 1e6, lo / 1e6, hi / 1e6, mb[k] / 1e9
            }
            printf "\n"
        }
        for (s = 1; s <= ns; s++) {
            ke = "ena" SUBSEP S[s]; best = 0; bn = ""
            for (i = 1; i <= nn; i++) {
                if (N[i] == "ena") continue
                k = N[i] SUBSEP S[s]
                if (mp[k] > best) { best = mp[k]; bn = N[i] }
                if (mp[ke] && mp[k]) printf "%4s B: ena / %-7s = %.2fx\n", S[s], N[i], mp[ke] / mp[k]
            }
            if (mp[ke] && best) printf "%4s B: ena / best other (%s) = %.2fx\n", S[s], bn, mp[ke] / best
        }
    }' "$raw"
echo "raw results: $raw"
