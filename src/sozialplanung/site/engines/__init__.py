"""Publishing engines: each renders the site model (:mod:`sozialplanung.site.model`) into HTML.

``nbconvert`` is built in (nbconvert's ``HTMLExporter`` with the project's template); ``quarto``
writes a Quarto website project and runs ``quarto render``. An engine imports the model and the
shared finishing helpers, never another engine or :mod:`sozialplanung.site.publish`.

May import: core, data, statistics, report, site.
"""
