#!/usr/bin/env bash
# Benchmark (not a test): iperf3 TCP throughput guest to guest for ena,
# e1000e, igb and virtio-net-pci under TCG, with one QEMU binary, one Debian
# kernel and one iperf3; several interleaved runs, printed as raw numbers,
# medians/min/max and ratios ena/other at MTU 1500 and 9000 (9001 for ena).
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: bench/throughput.sh [options]
#   -n, --runs N       runs per device and MTU (default 5)
#   -t, --time S       iperf3 duration per direction, seconds (default 10)
#   -k, --kernel K     6.12 (default) or 6.1 (or a KVER from kernels.conf)
#       --quick        sanity check: 3 runs of 5 s
#       --nics LIST    devices, space-separated
#                      (default "ena e1000e igb virtio-net-pci");
#                      "ena-timing-off" is ena with timing=off
#       --mtus LIST    MTUs (default "1500 9000"); ena uses 9001 where the
#                      others use 9000
#       --out DIR      raw results and guest logs
#                      (default $ENA_BUILD/bench/throughput-<date>)
#       --report RAW.TSV...  print the tables again from raw.tsv file(s) of
#                      earlier runs (pooled; give --nics/--mtus first if
#                      they differed from the defaults); runs nothing
#   -h, --help
#
# One run = two guests (-smp 1 each, 512 MB) on a -netdev stream link,
# scripts/linux/run-guest.sh --pair -t iperf: guest b runs iperf3 -c for
# S seconds b->a, then -R (a->b); both receiver-side figures are kept.
# Interleaving: for each run index, every MTU, every device (the device
# order rotates with the run index), so slow drift of the host (other QEMU
# processes, thermal) hits all devices alike. The QEMU binary and
# scripts/linux are copied to DIR once at the start (initramfs images are
# built there), so a rebuild or an edit during the benchmark does not mix
# versions. A failed run is reported and left out of the statistics.
#
# Environment: ENA_BUILD (default: build/ in this source tree; QEMU is
# $ENA_BUILD/qemu-system-x86_64), plus what scripts/linux/lib.sh reads.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export ENA_BUILD="${ENA_BUILD:-$repo/build}"

runs=5
dur=10
kernel=6.12
nics="ena e1000e igb virtio-net-pci"
mtus="1500 9000"
out=""
report_files=()
while [ $# -gt 0 ]; do
    case $1 in
    -n|--runs) runs=$2; shift ;;
    -t|--time) dur=$2; shift ;;
    -k|--kernel) kernel=$2; shift ;;
    --quick) runs=3; dur=5 ;;
    --nics) nics=$2; shift ;;
    --mtus) mtus=$2; shift ;;
    --out) out=$2; shift ;;
    --report) shift; report_files=("$@"); break ;;
    -h|--help) sed -n '8,36p' "$0"; exit 0 ;;
    *) echo "throughput.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case $runs$dur in *[!0-9]*) echo "throughput.sh: --runs and --time take integers" >&2; exit 2 ;; esac
if [ "$runs" -lt 1 ] || [ "$dur" -lt 1 ]; then
    echo "throughput.sh: --runs and --time must be >= 1" >&2
    exit 2
fi

# report RAW.TSV...: the raw table and the summary; several files are pooled
# (the rounds of each further file are numbered on).
report() {
    echo
    echo "Raw Mbit/s per round (receiver side; b->a/a->b):"
    awk -F'\t' -v nics="$nics" -v mtus="$mtus" '
        FNR == 1 { off = maxr; next }
        {
            r = $1 + off
            if (r > maxr) maxr = r
            v[$2, ($3 == 9001 ? 9000 : $3), r] = ($8 == "PASS" ? $4 "/" $5 : "FAIL")
        }
        END {
            nn = split(nics, N, " "); nm = split(mtus, M, " ")
            printf "%-15s %-5s", "device", "mtu"
            for (r = 1; r <= maxr; r++) printf " %9s", "r" r
            printf "\n"
            for (j = 1; j <= nm; j++) for (i = 1; i <= nn; i++) {
                mt = (N[i] ~ /^ena/ && M[j] == 9000) ? 9001 : M[j]
                printf "%-15s %-5s", N[i], mt
                for (r = 1; r <= maxr; r++) printf " %9s", ((N[i], M[j], r) in v ? v[N[i], M[j], r] : "-")
                printf "\n"
            }
        }' "$@"

    echo
    echo "Summary, Mbit/s: median/min/max over both directions (2 samples a round);"
    echo "ena/dev = ena median / device median; paired = median over rounds of"
    echo "ena's round mean / the device's mean in the same round. ena's 9000 rows are MTU 9001."
    awk -F'\t' -v nics="$nics" -v mtus="$mtus" '
        function median(a, n,   i, j, t) {
            for (i = 2; i <= n; i++) {
                t = a[i]
                for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
                a[j + 1] = t
            }
            return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        FNR == 1 { off = maxr; next }
        {
            r = $1 + off
            if (r > maxr) maxr = r
            k = $2 SUBSEP ($3 == 9001 ? 9000 : $3)
        }
        $8 == "PASS" {
            all[k, ++na[k]] = $4; all[k, ++na[k]] = $5
            ba[k, ++nb[k]] = $4; ab[k, ++nc[k]] = $5
            rm[k, r] = ($4 + $5) / 2
        }
        $8 != "PASS" { fails[k]++ }
        END {
            nn = split(nics, N, " "); nm = split(mtus, M, " ")
            printf "%-15s %-5s %6s %7s %7s %7s %8s %8s %8s %8s\n", "device", "mtu", "rounds",
                "median", "min", "max", "med b>a", "med a>b", "ena/dev", "paired"
            for (j = 1; j <= nm; j++) for (i = 1; i <= nn; i++) {
                k = N[i] SUBSEP M[j]
                e = "ena" SUBSEP M[j]
                mt = (N[i] ~ /^ena/ && M[j] == 9000) ? 9001 : M[j]
                n = na[k] + 0
                if (n == 0) { printf "%-15s %-5s %6s  no successful run\n", N[i], mt, 0; continue }
                split("", t); mn = 1e18; mx = 0
                for (x = 1; x <= n; x++) {
                    t[x] = all[k, x] + 0
                    if (t[x] < mn) mn = t[x]
                    if (t[x] > mx) mx = t[x]
                }
                med = median(t, n)
                split("", t); for (x = 1; x <= nb[k]; x++) t[x] = ba[k, x] + 0; mba = median(t, nb[k])
                split("", t); for (x = 1; x <= nc[k]; x++) t[x] = ab[k, x] + 0; mab = median(t, nc[k])
                split("", t); n = 0
                for (x = 1; x <= na[e]; x++) t[++n] = all[e, x] + 0
                emed = n ? median(t, n) : 0
                ratio = "-"; paired = "-"
                if (N[i] != "ena") {
                    ratio = emed ? sprintf("%.2fx", emed / med) : "n/a"
                    split("", t); np = 0
                    for (r = 1; r <= maxr; r++)
                        if (((e, r) in rm) && ((k, r) in rm) && rm[k, r] > 0) t[++np] = rm[e, r] / rm[k, r]
                    paired = np ? sprintf("%.2fx", median(t, np)) : "n/a"
                }
                printf "%-15s %-5s %6d %7.0f %7.0f %7.0f %8.0f %8.0f %8s %8s%s\n", N[i], mt, nb[k],
                    med, mn, mx, mba, mab, ratio, paired, (fails[k] ? "  (" fails[k] " failed)" : "")
            }
        }' "$@"
    echo
    echo "Aim at MTU 1500: ena >= 1.0x igb and >= 0.9x virtio-net-pci (see docs/performance.md)."
}

if [ "${#report_files[@]}" -gt 0 ]; then
    report "${report_files[@]}"
    exit 0
fi

read -ra nic_list <<< "$nics"
read -ra mtu_list <<< "$mtus"
[ -n "$out" ] || out="$ENA_BUILD/bench/throughput-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out/logs"
raw="$out/raw.tsv"

# One QEMU binary and one copy of scripts/linux (run-guest.sh, /init, the
# guest tests) for the whole benchmark, with its own initramfs cache, so
# that a rebuild or an edit elsewhere during the run cannot mix versions.
src_qemu="${QEMU:-$ENA_BUILD/qemu-system-x86_64}"
[ -x "$src_qemu" ] || { echo "throughput.sh: no QEMU at $src_qemu" >&2; exit 1; }
cp "$src_qemu" "$out/qemu-system-x86_64"
export QEMU="$out/qemu-system-x86_64"
rm -rf "$out/scripts-linux"
cp -a "$repo/scripts/linux" "$out/scripts-linux"
runner="$out/scripts-linux/run-guest.sh"
shared_work="${ENA_LINUX_WORK:-$ENA_BUILD/linux}"
export ENA_LINUX_WORK="$out/work"
mkdir -p "$ENA_LINUX_WORK"

# ena's jumbo MTU is EC2's 9001; the others get the MTU as asked.
mtu_of() {
    case $1:$2 in
    ena*:9000) echo 9001 ;;
    *) echo "$2" ;;
    esac
}
# "ena-timing-off" is ena with its timing model off (docs/timing.md): the
# cost of the model, measured in the same run.
nic_args() {
    case $1 in
    ena-timing-off) echo "--nic ena --device-opts timing=off" ;;
    *) echo "--nic $1" ;;
    esac
}

# Measured on the 2-core machine: a pair run takes about 2 x S + 10 s
# (two boots, module load, ping, two iperf3 sessions, power-off).
per_run=$((2 * dur + 10))
total_runs=$((runs * ${#nic_list[@]} * ${#mtu_list[@]}))
est=$((total_runs * per_run))
timeout_s=$((2 * dur + 120))

. "$out/scripts-linux/lib.sh"
kver=$(ena_resolve_kver "$kernel")
# the unpacked vmlinux is a pure function of the kernel package: reuse it
[ -s "$shared_work/vmlinux-$kver" ] && [ ! -e "$ENA_LINUX_WORK/vmlinux-$kver" ] &&
    cp -p "$shared_work/vmlinux-$kver" "$ENA_LINUX_WORK/"
qemu_ver=$("$QEMU" --version | head -n 1)
iperf_ver=$(sed -e 's/#.*//' "$out/scripts-linux/kernels.conf" | awk '$2 == "iperf3" { print $3 }')

echo "# throughput.sh: $total_runs pair runs ($runs x ${#nic_list[@]} devices x ${#mtu_list[@]} MTUs), iperf3 $dur s each way"
printf '# expected duration: about %d min %02d s (%d s a run); started %s\n' \
    $((est / 60)) $((est % 60)) "$per_run" "$(date '+%F %T')"
echo "# qemu: $qemu_ver (copy of $src_qemu, sha256 $(sha256sum "$QEMU" | cut -c1-16))"
echo "# kernel: $kver; iperf3 $iperf_ver (Debian); guests: -smp 1 -m 512, TCG; host: $(nproc) CPUs"
echo "# load at start:$(uptime | sed 's/.*load average://')"
echo "# results: $raw"
printf 'run\tdevice\tmtu\tb_to_a\ta_to_b\twall_s\tload1\tstatus\n' > "$raw"

t0=$(date +%s)
n=0
for ((r = 1; r <= runs; r++)); do
    for mtu in "${mtu_list[@]}"; do
        # rotate the device order with the run index
        order=()
        for ((i = 0; i < ${#nic_list[@]}; i++)); do
            order+=("${nic_list[$(((i + r - 1) % ${#nic_list[@]}))]}")
        done
        for nic in "${order[@]}"; do
            n=$((n + 1))
            m=$(mtu_of "$nic" "$mtu")
            lp="$out/logs/$nic-$m-r$r"
            t1=$(date +%s.%N)
            st=PASS
            read -ra nargs <<< "$(nic_args "$nic")"
            "$runner" --pair -k "$kver" "${nargs[@]}" -t iperf --tools "ethtool iperf3" \
                -p "mtu=$m" -p "time=$dur" --timeout "$timeout_s" --log "$lp" \
                > "$lp.run.txt" 2>&1 || st=FAIL
            wall=$(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
            load1=$(cut -d' ' -f1 /proc/loadavg)
            ba=$(tr -d '\r' < "$lp-b.log" 2>/dev/null | sed -n 's/.*ENATEST-VALUE mbps_b_to_a=//p' | tail -n 1 || true)
            ab=$(tr -d '\r' < "$lp-b.log" 2>/dev/null | sed -n 's/.*ENATEST-VALUE mbps_a_to_b=//p' | tail -n 1 || true)
            [ -n "$ba" ] && [ -n "$ab" ] || st=FAIL
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$nic" "$m" "${ba:--}" "${ab:--}" \
                "$wall" "$load1" "$st" >> "$raw"
            printf '[%2d/%d] run %d %-15s mtu %-4s b->a %6s a->b %6s Mbit/s  %5ss load %s %s\n' \
                "$n" "$total_runs" "$r" "$nic" "$m" "${ba:--}" "${ab:--}" "$wall" "$load1" \
                "$([ "$st" = PASS ] || echo "FAIL (see $lp.run.txt)")"
        done
    done
done
elapsed=$(($(date +%s) - t0))
printf '# finished %s after %d min %02d s; load at end:%s\n' "$(date '+%F %T')" \
    $((elapsed / 60)) $((elapsed % 60)) "$(uptime | sed 's/.*load average://')"

# the initramfs images and the vmlinux copy are large and can be rebuilt
rm -rf "$ENA_LINUX_WORK"
report "$raw"
