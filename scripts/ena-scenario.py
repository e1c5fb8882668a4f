#!/usr/bin/python3
# Run ENA fault scenarios: the entry point of the scripts/enascn package.
# SPDX-License-Identifier: GPL-2.0-or-later
# (build/ena-scenario and meson call this file.)
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enascn.cli import main  # noqa: E402

sys.exit(main())
