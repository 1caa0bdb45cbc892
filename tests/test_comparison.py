"""The district comparison's "similar districts", computed by hand on a small index."""

import pandas as pd

from sozialplanung.core.config import IndexConfig
from sozialplanung.site.comparison import similar_districts
from sozialplanung.statistics.sozialindex import SozialindexResult


def _index(z_values: dict[int, tuple[float, float]]) -> SozialindexResult:
    values = pd.DataFrame([{"kennziffer": code, "z_a": a, "z_b": b} for code, (a, b) in z_values.items()])
    return SozialindexResult(2024, values, pd.DataFrame({"kennziffer": [], "reason": []}), IndexConfig())


def test_nearest_districts_by_euclidean_distance_of_the_z_values_ties_by_kennziffer():
    index = _index({11: (0, 0), 12: (1, 0), 13: (0, 2), 14: (3, 4), 15: (-1, 0)})
    similar = similar_districts(index, shown=3)
    # from 11: 12 and 15 at 1 (tie: lower kennziffer first), 13 at 2, 14 at 5
    assert similar[11] == (12, 15, 13)
    # from 14: 13 at sqrt(13) = 3.61, 12 at sqrt(20) = 4.47, 11 at 5, 15 at sqrt(32) = 5.66
    assert similar[14] == (13, 12, 11)
    # from 13: 11 at 2, 12 and 15 at sqrt(5) (tie), 14 at sqrt(13)
    assert similar[13] == (11, 12, 15)
    assert all(code not in others for code, others in similar.items())


def test_similarity_uses_the_z_values_as_published_rounded_to_two_decimals():
    # unrounded, 16 (0.996 from 11) would come before 12 (1.0); published, both are 1,00 from 11
    index = _index({11: (0, 0), 12: (1, 0), 16: (0.996, 0), 13: (0, 3)})
    assert similar_districts(index, shown=2)[11] == (12, 16)
