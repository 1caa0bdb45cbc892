"""Publishing: executed notebooks become the German HTML edition.

``sitemap`` says which pages exist; ``model`` reads and cleans the executed notebooks into one
engine-neutral site model (pages, tables, downloads, navigation, provenance); an engine in
``engines`` renders that model (``nbconvert`` built in, ``quarto`` through its command);
``install`` finishes every engine's output the same way (downloads, ``provenance.json``,
``manifest.json``, the publish ``gate``) and swaps it in atomically; ``publish`` chooses the engine.
``pages`` renders what the generated pages say, ``downloads`` the CSV and XLSX files; ``diff``
compares two built sites as a reviewer reads them (``sozialbericht diff``).

May import: core, data, statistics, report.
"""
