"""What a chapter notebook works with: numbers for the text, tables, figures and maps.

``chapter`` opens an edition for a notebook (:func:`~sozialplanung.report.chapter.open_chapter`)
and hands out confidentiality-checked, German-formatted numbers, tables and figures; ``tables``,
``figures`` and ``maps`` build them; ``teilhabe``, ``sozialraum``, ``methods`` and ``profile`` hold
the code of one chapter each (Teilhabe, Sozialräumliche Analyse, Methodik, the district profile).

May import: core, data, statistics.
"""
