#!/usr/bin/env bash
# Build QEMU's libFuzzer target (ASan, UBSan) and fuzz the ena device.
#
# usage: fuzz.sh [--build DIR] [--target NAME] [--smoke SECONDS | --time SECONDS]
#                [-- LIBFUZZER_ARGS...]
#   --build DIR   sanitizer build tree (default build/san), built with
#                 scripts/qemu-build.sh --profile sanitize
#   --target NAME generic-fuzz config, ena or ena-pair (default ena)
#   --smoke S     CI check: every seed of qtest/fuzz-corpus/NAME once, then
#                 S seconds of fuzzing from them into a scratch corpus;
#                 fails on any crash, leak or sanitizer report
#   --time S      campaign (default): fuzz for S seconds (0: until killed)
#                 into DIR/fuzz/corpus-NAME, seeded from the corpus;
#                 crashes go to DIR/fuzz/artifacts-NAME and the fuzzer is
#                 restarted after each; totals in DIR/fuzz/campaign-NAME.log;
#                 SIGINT to qemu-fuzz-x86_64 ends it early (counted)
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# `nice` orders tasks only inside their scheduler autogroup (one per
# session, with setsid), so a campaign started nice in its own session
# would still take half the CPUs from a build or a test run beside it.
# Give the group the campaign's niceness.
niceness=$(nice)
if [ "$niceness" -gt 0 ] && [ -w /proc/self/autogroup ]; then
    echo "$niceness" > /proc/self/autogroup 2>/dev/null || true
fi
build=$repo/build/san
target=ena
mode=campaign
seconds=0
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --smoke) mode=smoke; seconds=$2; shift 2 ;;
    --time) mode=campaign; seconds=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
log() { printf '[fuzz] %s\n' "$*" >&2; }

# Sanitizer reports are fatal, leaks included; libFuzzer turns them into
# crash artifacts.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

if [ "${ENA_FUZZ_NO_BUILD:-}" != 1 ]; then
    bash "$repo/scripts/setup.sh" --sanitize >&2
    bash "$repo/scripts/qemu-build.sh" --profile sanitize "$build" >&2
fi
bin=$build/qemu-build/qemu-fuzz-x86_64
[ -x "$bin" ] || { echo "fuzz.sh: $bin not built" >&2; exit 1; }
seeds=$repo/qtest/fuzz-corpus/$target
work=$build/fuzz
mkdir -p "$work"
fuzz=("$bin" "--fuzz-target=generic-fuzz-$target")

if [ "$mode" = smoke ]; then
    # TAP, for meson: one test per seed, then the timed run.
    scratch=$(mktemp -d "$work/smoke.XXXXXX")
    trap 'rm -rf "$scratch"' EXIT
    mapfile -t files < <(find "$seeds" -type f | sort)
    reach=$seeds.reach
    echo "1..$((${#files[@]} + 1))"
    n=0 rc=0
    for f in "${files[@]}"; do
        n=$((n + 1))
        # alone in a corpus directory: libFuzzer then records what the
        # seed covered, and the seed must reach the device functions
        # fuzz-seeds.py names for it
        one=$scratch/seed
        rm -rf "$one" && mkdir "$one" && cp "$f" "$one/"
        want=$(awk -v s="${f##*/}" '$1 == s { $1 = ""; print }' "$reach")
        if ! out=$("${fuzz[@]}" -runs=0 -print_coverage=1 "$one" 2>&1); then
            echo "not ok $n seed ${f#"$repo"/}"
            tail -n 60 <<<"$out" | sed 's/^/# /'
            rc=1
            continue
        fi
        missed=()
        [ -n "$want" ] || missed=("(no entry in ${reach#"$repo"/})")
        for fn in $want; do
            grep -q "^COVERED_FUNC: .* $fn " <<<"$out" || missed+=("$fn")
        done
        if [ ${#missed[@]} -eq 0 ]; then
            echo "ok $n seed ${f#"$repo"/} reaches$want"
        else
            echo "not ok $n seed ${f#"$repo"/} stops short of ${missed[*]}"
            rc=1
        fi
    done
    rm -rf "$scratch/seed"
    n=$((n + 1))
    if out=$("${fuzz[@]}" -max_total_time="$seconds" -rss_limit_mb=4096 \
                 -artifact_prefix="$scratch/" "$@" "$scratch" "$seeds" 2>&1)
    then
        runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' <<<"$out")
        echo "ok $n fuzz ${seconds}s: ${runs:-?} executions"
    else
        echo "not ok $n fuzz ${seconds}s"
        tail -n 80 <<<"$out" | sed 's/^/# /'
        find "$scratch" -name 'crash-*' -o -name 'leak-*' | sed 's/^/# /'
        rc=1
    fi
    exit $rc
fi

# Campaign: restart after each finding until the time is up.
corpus=$work/corpus-$target
artifacts=$work/artifacts-$target
total_log=$work/campaign-$target.log
mkdir -p "$corpus" "$artifacts"
start=$(date +%s)
round=0
while :; do
    left=0
    if [ "$seconds" -gt 0 ]; then
        left=$((seconds - ($(date +%s) - start)))
        [ "$left" -gt 0 ] || break
    fi
    round=$((round + 1))
    out=$work/round-$target-$round.log
    log "round $round, log $out"
    rc=0
    # The search runs without libFuzzer's leak check: QEMU keeps state
    # across inputs (a machine reset, not a new process), so most inputs
    # end with more allocations than frees and each would trigger a full
    # LSan heap scan, which took 80% of the time (40 executions a second
    # instead of 240). Every input the search keeps is replayed below
    # with the leak check on.
    "${fuzz[@]}" -max_total_time="$left" -rss_limit_mb=4096 \
        -detect_leaks=0 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" \
        "$corpus" "$seeds" > "$out" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out")
    printf '%s round %d rc %d executions %s\n' "$(date -u +%FT%TZ)" \
        "$round" "$rc" "${runs:-0}" >> "$total_log"
    # 0: the time is up; 72: libFuzzer's exit on SIGINT (pkill -INT
    # qemu-fuzz), which ends a campaign early with its count kept
    case $rc in 0 | 72) break ;; esac
done
# The leak check over everything the campaign kept: each input once.
out=$work/leakcheck-$target.log
log "leak check over $(find "$corpus" -type f | wc -l) inputs, log $out"
rc=0
"${fuzz[@]}" -runs=0 -rss_limit_mb=4096 -artifact_prefix="$artifacts/" \
    "$@" "$corpus" > "$out" 2>&1 || rc=$?
printf '%s leakcheck rc %d\n' "$(date -u +%FT%TZ)" "$rc" >> "$total_log"
awk '$2 == "round" { n += $7 } END { print "executions " n }' "$total_log" >&2
exit "$rc"
