"""From checked tables to published numbers: indicators, the Sozialindex and confidentiality.

``indicators`` computes every rate per district and year from the processed tables;
``confidentiality`` decides which counts and rates may be published (primary and secondary
suppression) and how hidden values are shown; ``sozialindex`` classifies the districts by status
and dynamics.

May import: core, data.
"""
