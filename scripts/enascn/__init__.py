# The ENA fault-scenario tooling: a .scn file in, a timeline and PASS/FAIL out.
# SPDX-License-Identifier: GPL-2.0-or-later
"""enascn: run ENA fault scenarios against a driver and check them.

Modules:
  paths    where the source tree and the build are
  cdefs    names read from the C side: fault points (hw/ena/ena_fault.h),
           reset reasons (hw/ena/ena_hw.h), kernels
           (scripts/linux/kernels.conf)
  model    the scenario model and the .scn parser, times included
  qmp      the one QMP client of the project
  check    expectations against a run's result; the report
  targets  one module per target (qtest, guest, linux); adding a target is
           adding a module there (targets/__init__.py says what it holds)
  cli      the command line of build/ena-scenario
"""
