"""Shared foundations every step builds on.

The typed edition config read from ``params/`` (``config``), every path the project reads or
writes (``paths``), the project's errors (``errors``), German number and date formats
(``formats``), atomic file and folder replacement (``atomic``) and the git and DVC command
wrappers (``scm``).

May import: nothing else of sozialplanung.
"""
