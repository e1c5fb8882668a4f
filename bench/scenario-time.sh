#!/usr/bin/env bash
# Benchmark (not a test): how fast the qtest target covers virtual time.
# Runs every scenario in scenarios/ on the qtest target and prints, per
# scenario, the wall time of its qtest process (QEMU's start and exit
# included), the virtual time the run covered and their ratio, then the
# suite's totals. The host's load average is printed before and after:
# on a busy host each qtest round trip waits for a CPU, and the ratios
# grow with it.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: bench/scenario-time.sh [-n RUNS] [SCENARIO.scn...]
#   -n RUNS   runs per scenario; the median wall time is printed (default 3)
#
# Environment: ENA_BUILD (default: build/ in this source tree).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${ENA_BUILD:-$repo/build}
runs=3

while [ $# -gt 0 ]; do
    case $1 in
    -n) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "scenario-time.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || set -- "$repo"/scenarios/*.scn
[ -x "$build/ena-scenario" ] || {
    echo "scenario-time.sh: $build/ena-scenario not built" >&2; exit 2; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %10s %12s %8s\n' scenario 'wall s' 'virtual s' ratio
tot_wall=0
tot_virt=0
for scn in "$@"; do
    name=$(basename "$scn" .scn)
    walls=()
    virt=
    for ((i = 0; i < runs; i++)); do
        # a scenario without the qtest target prints no such note
        line=$("$build/ena-scenario" --target qtest "$scn" |
               sed -n 's/.*note *wall \([0-9.]*\) s for \([0-9.]*\) s.*/\1 \2/p' ||
               true)
        [ -n "$line" ] || continue
        walls+=("${line% *}")
        virt=${line#* }
    done
    if [ ${#walls[@]} -eq 0 ]; then
        printf '%-26s %10s\n' "$name" 'not run'
        continue
    fi
    wall=$(printf '%s\n' "${walls[@]}" | sort -n |
           awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
    printf '%-26s %10.2f %12.2f %7.1f%%\n' "$name" "$wall" "$virt" \
        "$(echo "100 * $wall / $virt" | bc -l)"
    tot_wall=$(echo "$tot_wall + $wall" | bc -l)
    tot_virt=$(echo "$tot_virt + $virt" | bc -l)
done
printf '%-26s %10.2f %12.2f %7.1f%%\n' total "$tot_wall" "$tot_virt" \
    "$(echo "if ($tot_virt > 0) 100 * $tot_wall / $tot_virt else 0" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
