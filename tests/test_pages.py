"""What the pages say: page list, key figures and their confidentiality, shared by both engines."""

from __future__ import annotations

import pandas as pd
import pytest
from publish_helpers import indicator_frame, make_edition

from sozialplanung.errors import PublishError
from sozialplanung.pages import chapter_number, key_figures, render_start, site_pages


@pytest.fixture
def edition(tmp_path):
    return make_edition(tmp_path / "projekt")


def test_pages_in_navigation_order(edition):
    pages = site_pages(edition.config)
    assert [p.filename for p in pages] == [
        "index.html", "01_bevoelkerung.html", "02_existenzsicherung.html", "methodik.html", "barrierefreiheit.html",
    ]  # fmt: skip
    assert [p.chapter_id for p in pages] == [None, "01_bevoelkerung", "02_existenzsicherung", None, None]
    assert pages[2].heading == "2 Existenzsicherung und Armut" and pages[2].title == "Existenzsicherung und Armut"
    assert chapter_number("12_wohnen") == 12


def _with_city(frame: pd.DataFrame, year: int, indicator: str, zaehler: int, nenner: int) -> pd.DataFrame:
    mask = (frame["jahr"] == year) & (frame["indikator"] == indicator) & (frame["kennziffer"] == 0)
    frame = frame.copy()
    frame.loc[mask, ["zaehler", "nenner"]] = [zaehler, nenner]
    frame.loc[mask, "wert"] = zaehler * 100 / nenner
    return frame


def test_true_zero_shows_its_symbol_and_meaning(edition):
    frame = _with_city(indicator_frame(), 2024, "kinderarmut", 0, 9100)
    card = {f.name: f for f in key_figures(edition.config, frame)}["Kinderarmut (SGB II)"]
    assert (card.value, card.unit, card.note) == ("\u2013", "", "nichts vorhanden (genau null)")
    assert card.change == "\u221214,3 Prozentpunkte gegenüber 2023"  # 0 against 14,333


def test_change_is_hidden_when_the_previous_value_is_confidential(edition):
    frame = _with_city(indicator_frame(), 2023, "sgb2_quote", 2, 65800)
    card = {f.name: f for f in key_figures(edition.config, frame)}["SGB-II-Quote"]
    assert card.value == "7,6"
    assert card.change == "Veränderung gegenüber 2023 nicht ausweisbar"


def test_missing_city_value_for_the_year_is_an_error(edition):
    frame = indicator_frame()
    frame = frame[~((frame["indikator"] == "sgb2_quote") & (frame["jahr"] == 2024))]
    with pytest.raises(PublishError, match=r"no city value of 'sgb2_quote' for 2024.*indicators stage"):
        render_start(edition, frame)
