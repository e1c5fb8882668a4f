# Where the ENA source tree and its meson build are.
# SPDX-License-Identifier: GPL-2.0-or-later
"""REPO is the source tree; BUILD the meson build directory ($ENA_BUILD,
default REPO/build), which holds qemu-system-x86_64 and qemu-build/."""

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.environ.get('ENA_BUILD', os.path.join(REPO, 'build'))
PYTHON = '/usr/bin/python3'


def src(*parts):
    """A path in the source tree."""
    return os.path.join(REPO, *parts)


def build(*parts):
    """A path in the build directory."""
    return os.path.join(BUILD, *parts)


def qemu_binary():
    """The QEMU with -device ena that the build links at its top."""
    return build('qemu-system-x86_64')
