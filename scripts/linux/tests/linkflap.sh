#!/usr/bin/env bash
# Linux-guest test: QMP set_link off/on reaches the driver as carrier off/on; QMP qom-get works during a run.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: linkflap.sh KERNEL   prints TAP.
# This is also the template for fault-injection tests: a --hook script
# waits for a guest marker, then drives the device over QMP.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || ena_die "usage: $0 KERNEL"
t_setup linkflap "$1"

qmp_out="$t_logs/linkflap-$t_kver.qmp"
rm -f "$qmp_out"
L=$ena_linux_dir
hook="set -e
$L/wait-log.sh \"\$ENA_LOG_A\" ENATEST-READY
$L/qmp.py \"\$ENA_QMP_A\" set_link '{\"name\": \"nic0\", \"up\": false}' >/dev/null
sleep 2
$L/qmp.py \"\$ENA_QMP_A\" qom-get nic0 ${ENA_QOM_PROP:-keepalives-sent} > '$qmp_out.tmp'
$L/qmp.py \"\$ENA_QMP_A\" set_link '{\"name\": \"nic0\", \"up\": true}' >/dev/null
mv '$qmp_out.tmp' '$qmp_out'"
[ "$t_nic" = ena ] || hook=${hook//keepalives-sent/type}
guest_run linkflap -t linkflap --qmp auto \
    --hook "$hook" || true
log=$(glog linkflap)
check "guest: carrier dropped and came back" passed "$log"
diag "carrier down after $(lv "$log" carrier_down_cs)0 ms, up after $(lv "$log" carrier_up_cs)0 ms"
check "QMP hook ran: qom-get during the run returned '$(cat "$qmp_out" 2>/dev/null)'" test -s "$qmp_out"
if [ "$t_nic" = ena ]; then
    check "device posted keep-alives (keepalives-sent > 0)" [ "$(cat "$qmp_out" 2>/dev/null || echo 0)" -gt 0 ]
fi
check_clean "no ena warning/error, no kernel warning" "$log"
t_done
