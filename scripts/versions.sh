# Pinned inputs, in one place. Sourced by the other scripts.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034  # read by the scripts that source it
#
# The Debian kernels of the Linux-guest tests are pinned in
# scripts/linux/kernels.conf.

# Debian's qemu source package; 10.0.x is in trixie (and its security suite).
QEMU_DEB_VERSION="1:10.0.13+ds-0+deb13u1"
QEMU_SRC_SUITES="trixie trixie-updates"
QEMU_SEC_SUITES="trixie-security"

# Where downloads are kept between clones (and between runs).
ENA_CACHE="${ENA_CACHE:-/var/cache/ena-dev}"
