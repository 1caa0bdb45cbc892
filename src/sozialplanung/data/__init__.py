"""The data contract and the raw data: from an agency's files to checked tables.

``contract`` declares every raw table (columns, codes, ranges, keys) and builds its pandera
schema; ``ages`` the age bands shared by tables and indicators; ``load`` reads raw CSV and XLSX
files and writes and reads the processed tables; ``validate`` checks every table against its
schema and the cross-table ``rules`` and reports every ``problems`` entry at once; ``sample``
writes the synthetic sample edition.

May import: core.
"""
