"""Runs inside a kernel: give the next notebook the namespace of a kernel that was just started.

A warm kernel (see :mod:`sozialplanung.execution.kernels`) executes several notebooks one after
another. Before each, :func:`fresh_namespace` empties the user namespace and the history (so
execution counts start at 1 again) and puts back what a notebook may change process-wide: the
matplotlib settings and the warning filters (with their "shown once" memory, so a warning appears in
every notebook that causes it, as it would in a fresh kernel). Imported modules stay: that is the
time saved.

This module is imported by the kernel, not by the pipeline; it imports nothing of the package.
"""

from __future__ import annotations

import sys
import warnings

import matplotlib

# Taken when the kernel imports this module, before its first notebook runs.
_RC_PARAMS = matplotlib.rcParams.copy()
_WARNING_FILTERS = list(warnings.filters)


def fresh_namespace() -> None:
    """Reset the running IPython kernel to its state before any notebook ran (imports aside)."""
    from IPython import get_ipython

    get_ipython().reset(new_session=True)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_RC_PARAMS)
    warnings.resetwarnings()  # also forgets which warnings were already shown
    warnings.filters[:] = _WARNING_FILTERS
