import math

import pandas as pd
import pytest

from sozialplanung.data.contract import AGE_GROUPS
from sozialplanung.report.teilhabe import TOTAL, band_label, disability_rates, measures_by_field, status_changes


@pytest.mark.parametrize(("band", "label"), [("0-17", "unter 18"), ("18-24", "18 bis 24"), ("75+", "75 und älter")])
def test_band_labels(band, label):
    assert band_label(band) == label


def _population(year=2024):
    rows = []
    for group in AGE_GROUPS:
        for sex in ("m", "w"):
            rows.append((year, 211, group, sex, "deutsch", 10))
    frame = pd.DataFrame(
        rows, columns=["jahr", "kennziffer", "altersgruppe", "geschlecht", "staatsangehoerigkeit", "anzahl"]
    )
    frame.loc[(frame["altersgruppe"] == "80+") & (frame["geschlecht"] == "w"), "anzahl"] = 30
    return frame


def test_disability_rates_per_band_and_sex():
    disabled = pd.DataFrame(
        {
            "jahr": [2024, 2024, 2024],
            "altersgruppe": ["0-17", "75+", "75+"],
            "geschlecht": ["m", "m", "w"],
            "anzahl": [1, 6, 12],
        }
    )
    rates = disability_rates(disabled, _population(), 2024).set_index(["altersgruppe", "geschlecht"])
    # under 18: bands 0-2, 3-5, 6-9, 10-14, 15-17 -> 5 x 10 = 50 men; 1 / 50 * 100 = 2.0
    assert rates.loc[("0-17", "m"), ["anzahl", "einwohner"]].tolist() == [1, 50]
    assert rates.loc[("0-17", "m"), "quote"] == pytest.approx(2.0)
    # 75+: 75-79 (10) + 80+ (30) = 40 women; 12 / 40 * 100 = 30.0
    assert rates.loc[("75+", "w"), "einwohner"] == 40
    assert rates.loc[("75+", "w"), "quote"] == pytest.approx(30.0)
    # no one recorded: a true zero, not missing
    assert rates.loc[("25-44", "w"), "anzahl"] == 0 and rates.loc[("25-44", "w"), "quote"] == 0.0


def test_disability_rate_without_residents_is_not_computable():
    population = _population()
    population.loc[population["altersgruppe"].isin(["18-19", "20-24"]), "anzahl"] = 0
    rates = disability_rates(pd.DataFrame(columns=["jahr", "altersgruppe", "geschlecht", "anzahl"]), population, 2024)
    row = rates[(rates["altersgruppe"] == "18-24") & (rates["geschlecht"] == "m")].iloc[0]
    assert row["einwohner"] == 0 and math.isnan(row["quote"])


def _plan():
    rows = [
        (2023, 1, "Wohnen", "nicht_begonnen"),
        (2024, 1, "Wohnen", "in_umsetzung"),
        (2023, 2, "Wohnen", "in_umsetzung"),
        (2024, 2, "Wohnen", "umgesetzt"),
        (2023, 3, "Politische Teilhabe", "umgesetzt"),
        (2024, 3, "Politische Teilhabe", "umgesetzt"),
    ]
    frame = pd.DataFrame(rows, columns=["jahr", "massnahme_nr", "handlungsfeld", "status"])
    return frame.assign(titel=frame["massnahme_nr"].map(lambda n: f"Maßnahme {n}"), zustaendigkeit="Fachdienst")


def test_measures_by_field_counts_status_with_totals():
    counts = measures_by_field(_plan(), 2024)
    assert counts.loc[
        "Wohnen", ["umgesetzt", "in_umsetzung", "nicht_begonnen", "entfallen", "massnahmen"]
    ].tolist() == [1, 1, 0, 0, 2]
    assert counts.loc["Bildung und Erziehung", "massnahmen"] == 0  # every field is listed, also without measures
    assert counts.loc[TOTAL, ["umgesetzt", "in_umsetzung", "massnahmen"]].tolist() == [2, 1, 3]
    assert len(counts) == 10  # nine fields and the total


def test_status_changes_since_previous_year():
    changes = status_changes(_plan(), 2024, 2023)
    assert changes[["massnahme_nr", "vorher", "jetzt"]].values.tolist() == [
        [1, "nicht_begonnen", "in_umsetzung"],
        [2, "in_umsetzung", "umgesetzt"],
    ]
