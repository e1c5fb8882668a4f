#!/usr/bin/python3
# Run ENA fault scenarios (scenarios/*.scn): the entry point of the enascn
# package (scripts/enascn), which build/ena-scenario and meson call.
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enascn.cli import main  # noqa: E402

sys.exit(main())
