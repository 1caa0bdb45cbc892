"""An edition with the Sozialindex of districts under 2.000 residents pooled over three years
(``index.smoothing_years``): built and published like any other, its index table shows the pooled
rates the index standardises, and the publish gate's attacker, reading them across the years they
span, narrows down nothing."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sozialplanung.core.config import open_edition
from sozialplanung.core.formats import format_rate
from sozialplanung.data.load import read_districts, read_indicators
from sozialplanung.pipeline import build
from sozialplanung.site import attack
from sozialplanung.statistics.indicators import indicator

from conftest import copy_project, profile_only

pytestmark = pytest.mark.slow

YEARS = (2022, 2023, 2024)


@pytest.fixture(scope="module")
def smoothed(tmp_path_factory):
    project = profile_only(copy_project(tmp_path_factory.mktemp("geglaettet") / "project"))
    params = project / "params" / "2024.yaml"
    text = params.read_text(encoding="utf-8")
    # districts of 1.000 to 1.999 residents: in the sample, all their status values are published
    for entry, old, new in (("smoothing_years", "1", "3"), ("smoothing_population", "1000", "2000")):
        assert f"  {entry}: {old} " in text, f"the params file lost its index.{entry} entry"
        text = text.replace(f"  {entry}: {old} ", f"  {entry}: {new} ", 1)
    params.write_text(text, encoding="utf-8")
    edition = open_edition("2024", project)
    build(edition, engine="nbconvert", progress=lambda message: None)  # the publish gate runs in it
    return edition


def _index_rows(edition) -> dict[str, dict[str, object]]:
    """The index table of chapter 7 as a reader sees it: per district, its cells by header."""
    page = next(edition.paths.site_dir.glob("07_*.html"))
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in soup.find_all("table") if t.caption and "Statusindikatoren" in t.caption.text)
    headers = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    rows = {}
    for tr in table.tbody.find_all("tr"):
        cells = tr.find_all(["th", "td"])
        rows[cells[0].get_text(strip=True)] = dict(zip(headers, cells))
    return rows


def test_small_districts_show_the_rates_pooled_over_three_years(smoothed):
    rows = _index_rows(smoothed)
    pooled = {name: row for name, row in rows.items() if row["Werte aus"].get_text(strip=True) == "2022–2024"}
    assert pooled, "the sample has districts of 1.000 to 1.999 residents with published status values"
    assert all(row["Werte aus"].get_text(strip=True) in ("2024", "2022–2024") for row in rows.values())
    frame = read_indicators(smoothed.paths.indicators_file)
    codes = read_districts(smoothed.project.districts_file).set_index("stadtbezirk")["kennziffer"]
    spec = indicator("sgb2_quote")
    for name, row in pooled.items():
        kennziffer = int(codes[name])
        mine = frame[(frame["indikator"] == "sgb2_quote") & (frame["kennziffer"] == kennziffer)]
        mine = mine[mine["jahr"].isin(YEARS)]
        assert sorted(mine["jahr"]) == list(YEARS)
        expected = mine["zaehler"].sum() * spec.per / mine["nenner"].sum()
        cell = row[f"{spec.name}"]
        assert cell.get_text(strip=True) == format_rate(expected, 1), name
        assert cell["data-zelle"] == f"indikator/sgb2_quote/zusammengefasst/2022-2024/{kennziffer}"
    text = next(smoothed.paths.site_dir.glob("07_*.html")).read_text(encoding="utf-8")
    assert "zusammengefasst sind (Spalte „Werte aus“" in text


def test_the_gate_reads_the_pooled_rates_and_narrows_nothing(smoothed):
    facts = attack.read_facts(smoothed.paths.site_dir)
    assert any("/zusammengefasst/" in fact.key for fact in facts)
    assert attack.check_site(smoothed.paths.site_dir, smoothed) == []
