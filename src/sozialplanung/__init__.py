"""sozialplanung: the reproducible reporting pipeline behind Marburg's Sozialbericht.

The subpackages are the pipeline's steps, in the order the data flows through them:

``core``        shared foundations: typed edition config, paths, errors, German number and date
                formats, atomic writes, the git and DVC command wrappers
``data``        the data contract and the raw data: table specs, loading, validation with
                cross-table rules, the synthetic sample generator
``statistics``  indicators, the Sozialindex and statistical confidentiality
``report``      what a chapter notebook works with: the chapter context, tables, figures, maps and
                each chapter's own helpers
``execution``   running chapter and district profile notebooks with Papermill
``site``        publishing: executed notebooks become a site model, an engine (nbconvert or
                Quarto) renders it, downloads, provenance, manifest and the publish gate finish it
``editions``    the life of an edition: a new edition, the DVC data store, release and verify

``pipeline`` runs every step in one process and ``cli`` is the ``sozialbericht`` command; both may
import every step. Each subpackage's docstring ends with the subpackages it may import, and
``tests/test_layout.py`` fails on an import against that order or on any import cycle.
"""

import sys

# jsonschema (imported by nbformat, hence by Papermill and nbconvert) loads ``rfc3987_syntax`` when
# it is installed (JupyterLab's jupyter-events pulls it in) to check the "iri" string format. That
# package builds a parser while it is imported: about 4 s for every ``sozialbericht`` process, a
# dozen per ``dvc repro`` (python-jsonschema/jsonschema#1428). Nothing here validates IRIs; marked
# as absent, the import fails and jsonschema leaves out that one format checker.
sys.modules.setdefault("rfc3987_syntax", None)
