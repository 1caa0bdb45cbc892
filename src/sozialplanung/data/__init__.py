"""The data contract and the raw data: from an agency's files to checked tables.

``contract`` declares every raw table (columns, codes, ranges, keys) and builds its pandera
schema; ``ages`` the age bands shared by tables and indicators; ``load`` reads raw CSV and XLSX
files (``files``: names, encodings, cells; ``layout``: header, source note, source symbols;
``districts``: names and total rows) and writes and reads the processed tables; ``validate`` checks
every table against its schema and the cross-table ``rules``, reports every ``problems`` entry at
once, within bounds, and writes the validation ``report``; ``sample`` writes the synthetic sample
edition, tidy or as the sources deliver it.

May import: core.
"""
