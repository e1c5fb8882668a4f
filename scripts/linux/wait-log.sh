#!/usr/bin/env bash
# Wait until a guest's serial log contains a line matching a regex (for run-guest.sh --hook scripts).
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Usage: wait-log.sh LOG REGEX [SECS]   (exit 1 after SECS; 0, the default:
#        no limit of its own, as a hook is stopped with its guests and
#        run-guest.sh ends guests that make no progress)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 LOG REGEX [SECS]" >&2; exit 2; }
limit=${3:-0}
end=$((SECONDS + limit))
while [ "$limit" = 0 ] || [ "$SECONDS" -lt "$end" ]; do
    if [ -f "$1" ] && [ "$(tr -d '\r' < "$1" | grep -cE -e "$2")" -gt 0 ]; then
        exit 0
    fi
    sleep 0.1
done
echo "wait-log.sh: '$2' not in $1 after $limit s" >&2
exit 1
