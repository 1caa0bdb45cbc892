"""Running the notebooks: chapters and district profiles executed with Papermill.

``kernels`` is a pool of warm kernels that each execute notebook after notebook (``namespace``
resets a kernel between two); ``notebook`` runs one notebook with Papermill, in a warm kernel or a
fresh one, with the parameters every notebook gets;
``chapters`` is the ``chapter@<id>`` stages (one executed notebook per chapter) and ``profiles``
the ``profiles`` stage (the profile notebook once per district, written as one folder).

May import: core, data.
"""
