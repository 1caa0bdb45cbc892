"""Running the notebooks: chapters and district profiles executed with Papermill.

``kernel`` executes one chapter (the ``chapter@<id>`` stages) or every district profile (the
``profiles`` stage) with the edition's parameters and writes the executed notebooks atomically.

May import: core, data.
"""
