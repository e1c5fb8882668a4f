#!/usr/bin/env bash
# Linux-guest test: a guest is saved to a file in the middle of a TCP stream and goes on in a new QEMU; the data is verified by SHA-256.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: migration.sh KERNEL   prints TAP.
# Two guests (guest/migrate.sh): while guest b receives the paced a->b
# stream, the hook waits for b's progress markers, stops b, saves
# it with QMP migrate to a file, quits that QEMU and has run-guest.sh
# --respawn start a new one with -incoming from the file; `cont` there,
# and the streams go on both ways. Checks: both streams whole (SHA-256),
# the move happened mid-stream, no device reset, a clean kernel log.
# ENA_TEST_LINES sets the stream size (default 400000 lines: 2.7 MB a->b,
# 4.4 MB b->a).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || ena_die "usage: $0 KERNEL"
lines=${ENA_TEST_LINES:-400000}
t_setup migration "$1"

tag=migration
out="$t_logs/$tag-$t_kver.hook"
mig="$t_logs/$tag-$t_kver-b.state"
hook_sh="$t_logs/$tag-$t_kver.hook.sh"
# The hook's waits are bounded only by run-guest.sh's own limit (4 x the
# no-progress timeout): a loaded host makes them long, not failed.
bound=$((4 * ${ENA_TEST_TIMEOUT:-120}))
rm -f "$out" "$mig"
cat > "$hook_sh" <<EOF
set -euo pipefail
L=$ena_linux_dir
qmp() { "\$L/qmp.py" "\$ENA_QMP_B" "\$@"; }
# wait_for DESC SECS COMMAND...: poll COMMAND (5 per second) until it holds
wait_for() {
    local desc=\$1 n=\$((\$2 * 5))
    shift 2
    until "\$@"; do
        n=\$((n - 1))
        [ "\$n" -gt 0 ] || { echo "hook: no \$desc" >&2; exit 1; }
        sleep 0.2
    done
}
migrate_status() { qmp query-migrate | grep -q "\"status\": \"\$1\""; }

# 100 kB or more of the a->b stream arrived on b: stop b there
"\$L/wait-log.sh" "\$ENA_LOG_B" 'ENATEST-PROGRESS rx_bytes=[0-9]{6,}' $bound
qmp stop > /dev/null
resets=\$(qmp qom-get nic0 reset-count)
at=\$(tr -d '\r' < "\$ENA_LOG_B" | sed -n 's/.*ENATEST-PROGRESS rx_bytes=//p' |
     tail -n 1)
qmp migrate '{"uri": "file:$mig"}' > /dev/null
wait_for "completed save" $bound migrate_status completed
echo "file:$mig" > "\$ENA_RESPAWN_B"
qmp quit > /dev/null || true
# the request is taken once the old QEMU is gone; the new one loads
wait_for "new QEMU" $bound test ! -e "\$ENA_RESPAWN_B"
"\$L/qmp.py" --wait $bound "\$ENA_QMP_B" query-status > /dev/null
wait_for "completed load" $bound migrate_status completed
qmp cont > /dev/null
echo "migrated_at=\$at"
echo "state_bytes=\$(stat -c %s "$mig")"
echo "resets_before=\$resets"
# the stream the move interrupted is complete: did the driver reset?
"\$L/wait-log.sh" "\$ENA_LOG_B" 'ENATEST-VALUE rx_sha_5000=' $bound
echo "resets_after=\$(qmp qom-get nic0 reset-count)"
EOF
guest_run "$tag" --pair -t migrate --smp 1 -p "lines=$lines" \
    --qmp auto --respawn --hook "bash '$hook_sh' > '$out'" || true
rm -f "$mig"
for g in a b; do
    check "guest $g: streams sent and received" passed "$(glog "$tag" "$g")"
done
check_streams "$tag" "$lines" 1
hv() { sed -n "s/^$1=//p" "$out" 2>/dev/null | tail -n 1; }
total=$(seq 1 "$lines" | wc -c)
at=$(hv migrated_at)
diag "guest b saved ($(hv state_bytes) bytes) and loaded with ${at:-?} of $total bytes of the a->b stream received"
mid_stream() { [ "${at:-0}" -gt 0 ] && [ "${at:-0}" -lt "$total" ]; }
no_reset() {
    [ -n "$(hv resets_after)" ] && [ "$(hv resets_before)" = "$(hv resets_after)" ]
}
check "guest b moved to a new QEMU in the middle of the a->b stream" mid_stream
check "no device reset across the move (reset-count $(hv resets_before) -> $(hv resets_after))" \
    no_reset
for g in a b; do
    check_clean "guest $g: no ena warning/error, no kernel warning" "$(glog "$tag" "$g")"
done
t_done
