"""The life of an edition: start it, store its data, release it, verify it.

``new_edition`` writes a new parameter file and points the pipeline at it; ``new_chapter``
scaffolds a chapter notebook and registers it in the parameters; ``datastore`` adds raw
data to DVC and its remote; ``release`` tags an edition once everything for an exact rebuild is
there; ``verify`` rebuilds a tagged edition and compares every published file; ``gitguard`` keeps
raw data out of git.

May import: core, data, statistics, site.
"""
