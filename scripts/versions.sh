# Pinned inputs, in one place. Sourced by the other scripts.
# SPDX-License-Identifier: GPL-2.0-or-later

# Debian's qemu source package; 10.0.x is in trixie (and its security suite).
QEMU_DEB_VERSION="1:10.0.13+ds-0+deb13u1"
QEMU_UPSTREAM_VERSION="10.0.13"
QEMU_SRC_SUITES="trixie trixie-updates"
QEMU_SEC_SUITES="trixie-security"

# Debian kernels whose in-tree ena.ko we test against.
KERNEL_61_PKG="linux-image-6.1.0-*-amd64"
KERNEL_612_PKG="linux-image-6.12.*+deb12-amd64"

# Where downloads are kept between clones (and between runs).
ENA_CACHE="${ENA_CACHE:-/var/cache/ena-dev}"
