import pandas as pd
import pytest

from sozialplanung.data.ages import POPULATION_GROUPS, AgeRange, band_limits, population
from sozialplanung.data.contract import AGE_GROUPS


def test_age_range_labels():
    assert AgeRange(0, 15).label == "unter 15 Jahren"
    assert AgeRange(15, 65).label == "15 bis unter 65 Jahren"
    assert AgeRange(65, None).label == "65 Jahre und älter"
    assert AgeRange(0, None).label == "insgesamt"
    assert AgeRange(3, 6).residents == "Einwohner von 3 bis unter 6 Jahren"


def test_age_range_bands():
    assert POPULATION_GROUPS["unter_15"].age_groups == ("0-2", "3-5", "6-9", "10-14")
    assert POPULATION_GROUPS["3_bis_5"].age_groups == ("3-5",)
    assert POPULATION_GROUPS["18_bis_64"].age_groups[0] == "18-19"
    assert POPULATION_GROUPS["65_plus"].age_groups == ("65-69", "70-74", "75-79", "80+")
    assert POPULATION_GROUPS["80_plus"].age_groups == ("80+",)
    assert POPULATION_GROUPS["gesamt"].age_groups == AGE_GROUPS
    assert POPULATION_GROUPS["15_bis_64"].age_groups == AGE_GROUPS[4:15]  # 15-17 … 60-64


@pytest.mark.parametrize(("lower", "upper"), [(0, 16), (67, None), (15, 66), (10, 5), (-1, 3)])
def test_age_range_that_the_bands_cannot_give_raises(lower, upper):
    with pytest.raises(ValueError):
        _ = AgeRange(lower, upper).age_groups


@pytest.mark.parametrize(
    ("band", "limits"), [("0-2", (0, 3)), ("15-17", (15, 18)), ("80+", (80, None)), ("75+", (75, None))]
)
def test_band_limits(band, limits):
    assert band_limits(band) == limits


def test_population_sums_the_bands_and_keeps_empty_groups_as_zero():
    bevoelkerung = pd.DataFrame(
        {
            "jahr": [2024] * 5,
            "kennziffer": [211, 211, 211, 212, 212],
            "altersgruppe": ["0-2", "10-14", "15-17", "65-69", "80+"],
            "geschlecht": ["w", "m", "w", "w", "m"],
            "staatsangehoerigkeit": ["deutsch", "nichtdeutsch", "deutsch", "deutsch", "deutsch"],
            "anzahl": [10, 7, 5, 40, 3],
        }
    )
    under_15 = population(bevoelkerung, AgeRange(0, 15))
    assert under_15.to_dict() == {(2024, 211): 17, (2024, 212): 0}  # 10 + 7; none in 212
    assert population(bevoelkerung, "65_plus", by=("jahr",)).to_dict() == {2024: 43}  # 40 + 3
    assert population(bevoelkerung, "gesamt", by=("jahr", "geschlecht")).to_dict() == {(2024, "m"): 10, (2024, "w"): 55}
    assert population(bevoelkerung, "gesamt", nationality="nichtdeutsch").to_dict() == {(2024, 211): 7, (2024, 212): 0}
