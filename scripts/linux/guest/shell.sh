# Guest "test": an interactive shell on the serial console (run-guest.sh --console -t shell).
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Params: ip=, mtu= (optional: configure the interface first).
IF=$(nic_if 5) || IF=
if [ -n "$IF" ] && [ -n "${P_ip:-}" ]; then
    net_setup "$IF" "$P_ip" "${P_mtu:-}" || echo "no carrier on $IF"
fi
echo "interface: ${IF:-none}. Helpers from /init are not available here."
echo "Leave with 'exit' (then the log is printed and the guest powers off)."
setsid cttyhack sh
