#!/usr/bin/env bash
# Wait until a guest's serial log contains a line matching a regex (for run-guest.sh --hook scripts).
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: wait-log.sh LOG REGEX [SECS]   (default 60 s; exit 1 on timeout)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 LOG REGEX [SECS]" >&2; exit 2; }
end=$((SECONDS + ${3:-60}))
while [ "$SECONDS" -lt "$end" ]; do
    if [ -f "$1" ] && [ "$(tr -d '\r' < "$1" | grep -cE -e "$2")" -gt 0 ]; then
        exit 0
    fi
    sleep 0.1
done
echo "wait-log.sh: '$2' not in $1 after ${3:-60} s" >&2
exit 1
