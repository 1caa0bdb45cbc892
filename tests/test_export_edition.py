"""The export-style sample (as the BA, the register and the statistics office deliver their files:
titles, footnotes, names instead of codes, ``*`` for small BA values) builds the whole edition, and
every number it publishes is the tidy sample's, except where a cell anonymised at source is hidden.

Both sites are compared as a reader sees them: through the numbers the pages mark with their meaning
(``data-zelle``/``data-zellen``)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from sozialplanung.core.config import open_edition
from sozialplanung.core.formats import parse_number
from sozialplanung.data import load
from sozialplanung.data.sample import generate_sample_data
from sozialplanung.data.validate import run_validation
from sozialplanung.execution.chapters import execute_chapters
from sozialplanung.execution.profiles import execute_profiles
from sozialplanung.site.attack import read_facts
from sozialplanung.site.publish import publish
from sozialplanung.statistics.indicators import INDICATOR_CELLS, run_indicators

from conftest import copy_project, profile_only

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def export_edition(tmp_path_factory):
    project = profile_only(copy_project(tmp_path_factory.mktemp("export") / "project"))
    edition = open_edition("2024", project)
    generate_sample_data(edition, "export")
    run_validation(edition)
    run_indicators(edition)
    execute_chapters(edition, progress=lambda message: None)
    execute_profiles(edition, progress=lambda message: None)
    publish(edition, engine="nbconvert")  # with both publish gates
    return edition


def number(text: str) -> Decimal | str:
    """A published cell's number (``–`` is zero); symbols (``.``, ``x``) and words (a status class)
    as they are."""
    if text == "\u2013":
        return Decimal(0)
    try:
        return parse_number(text)
    except ValueError:
        return text


def shown(site) -> dict[str, Decimal | str]:
    """Every keyed number of ``site`` as its value, or ``.`` where hidden; a page, its CSV and its
    workbook write one number differently (``36,0``, ``36``), so they are compared as numbers, and
    they must agree."""
    values: dict[str, set[Decimal | str]] = {}
    for fact in read_facts(site):
        values.setdefault(fact.key, set()).add(number(fact.text))
    disagree = {key: found for key, found in values.items() if len(found) > 1}
    assert disagree == {}
    return {key: found.pop() for key, found in values.items()}


def test_every_number_is_the_tidy_samples_or_hidden(export_edition, built_sample):
    tidy_edition, _ = built_sample
    export, tidy = shown(export_edition.paths.site_dir), shown(tidy_edition.paths.site_dir)
    common = [k for k in export if k in tidy and not k.startswith("sozialindex/")]
    assert len(common) > 800  # the chapters and the three profiles both editions have (907 in 2024)
    differ = [k for k in common if export[k] != tidy[k] and "." not in (export[k], tidy[k])]
    assert differ == []
    # what the tidy edition hides and the export one shows must be the true value
    truth = load.read_indicators(tidy_edition.paths.indicators_file).set_index(["indikator", "jahr", "kennziffer"])
    opened = [k for k in common if tidy[k] == "." and export[k] != "."]
    for key in opened:
        kind, indicator_id, part, year, kennziffer = key.split("/")
        assert kind == "indikator", key
        value = truth.loc[(indicator_id, int(year), int(kennziffer)), part]
        expected = Decimal(str(value)).quantize(Decimal("0.1")) if part == "wert" else Decimal(int(value))
        assert export[key] == expected, key


def test_what_rests_on_a_cell_anonymised_at_source_is_hidden(export_edition):
    export = shown(export_edition.paths.site_dir)
    protected = pd.read_csv(export_edition.paths.tables_dir / load.PROTECTED_FILE)
    assert len(protected) > 50
    checked = 0
    for cell in protected.itertuples(index=False):
        for indicator_id, (numerator, denominator) in INDICATOR_CELLS.items():
            for part, side in (("zaehler", numerator), ("nenner", denominator)):
                if not any(c.table == cell.tabelle and cell.spalte in c.columns and not c.where for c in side):
                    continue
                for what in (part, "wert"):
                    key = f"indikator/{indicator_id}/{what}/{cell.jahr}/{cell.kennziffer}"
                    if key in export:
                        assert export[key] == ".", key
                        checked += 1
    assert checked > 20
