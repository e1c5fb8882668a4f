# The targets a scenario runs on, one module each.
# SPDX-License-Identifier: GPL-2.0-or-later
"""A target is a module in this package; adding one (say dpdk.py) is all
it takes for the parser, `targets:`, `expect[...]` and the command line to
know it. A target module defines:

  NAME           its name in scenarios and on the command line
  ORDER          its place among the targets (default `targets:` order)
  CANNOT_CHECK   {expectation kind: why} for kinds it cannot observe
                 (e.g. {'log': 'kernel log lines are checked on linux'})
  variants(sc, kernel)
                 the runs one scenario makes on it: a list of labels
                 (kernels for linux, [None] elsewhere); @kernel is the
                 --kernel option or None
  skip(sc, kernel)
                 why the scenario cannot run with that --kernel, or None
  run(sc, variant, verbose)
                 run the scenario once; a model.Result, or None when the
                 target is not available here (not built)
  GOLDEN         (optional) True when a run is exactly reproducible, so
                 that Result.trace can be kept as a golden file
  OPT_IN         (optional) True when a scenario runs on it only if its
                 `targets:` names it (its log lines need expectations of
                 their own); such a target is not in the default list
"""

import functools
import importlib
import pkgutil


@functools.lru_cache(maxsize=None)
def _modules():
    mods = [importlib.import_module('%s.%s' % (__name__, m.name))
            for m in pkgutil.iter_modules(__path__) if not m.ispkg and
            not m.name.startswith('_')]
    return tuple(sorted(mods, key=lambda m: (m.ORDER, m.NAME)))


def names():
    """Every target's name, in ORDER."""
    return tuple(m.NAME for m in _modules())


def defaults():
    """The targets of a scenario without `targets:`, in ORDER."""
    return tuple(m.NAME for m in _modules()
                 if not getattr(m, 'OPT_IN', False))


def get(name):
    """The module of target @name."""
    for m in _modules():
        if m.NAME == name:
            return m
    raise KeyError(name)
