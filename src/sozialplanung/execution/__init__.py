"""Running the notebooks: chapters and district profiles executed with Papermill.

``notebook`` runs one notebook in a fresh kernel with the parameters every notebook gets;
``chapters`` is the ``chapter@<id>`` stages (one executed notebook per chapter) and ``profiles``
the ``profiles`` stage (the profile notebook once per district, written as one folder).

May import: core, data.
"""
