"""How sure the Sozialindex classes are: pooled rates of small districts and borderline classes.

Used by :func:`sozialplanung.statistics.sozialindex.compute_sozialindex`:

* :func:`published_counts` sums the numerators and denominators of the status indicators over some
  years, counting only published cells (a hidden numerator, denominator or value in any of the years
  makes the sum unknown), so a pooled rate ``Σ Zähler · per / Σ Nenner`` is a function of published
  values and gives nothing hidden back.
* :func:`borderline` marks a district whose status score lies within ``borderline_margin`` standard
  deviations of a class limit (or exactly that far), or whose class changes when one of its status
  numerators has one case more or one case less (the whole index recomputed, all other districts
  unchanged). Only numerators and denominators that are published take part in that test, so the mark
  cannot reveal a hidden count either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from sozialplanung.core.config import IndexConfig

STATUS_COLUMNS = ("zaehler_status", "nenner_status", "wert_status")


def published_counts(
    districts: pd.DataFrame, ids: Sequence[str], years: Sequence[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numerators and denominators per district (rows) and indicator (columns), summed over ``years``.

    NaN where a year has no row, or where any of the year's numerator, denominator or value is hidden
    for confidentiality (frames without status columns count as published).
    """
    rows = districts[districts["jahr"].isin(list(years)) & districts["indikator"].isin(list(ids))].copy()
    hidden = pd.Series(False, index=rows.index)
    for column in STATUS_COLUMNS:
        if column in rows.columns:
            hidden |= rows[column].fillna("").astype(str) != ""
    rows["zaehler"] = rows["zaehler"].astype("float64").mask(hidden)
    rows["nenner"] = rows["nenner"].astype("float64").mask(hidden)
    grouped = rows.groupby(["kennziffer", "indikator"])
    complete = grouped["jahr"].nunique() == len(set(years))
    numerators = grouped["zaehler"].sum(min_count=len(set(years))).where(complete)
    denominators = grouped["nenner"].sum(min_count=len(set(years))).where(complete)
    wide = [s.unstack("indikator").reindex(columns=list(ids)).astype("float64") for s in (numerators, denominators)]
    return wide[0], wide[1]


def rate(numerator: float, denominator: float, per: int) -> float:
    """``numerator · per / denominator``, as the indicators stage computes it; NaN for denominator 0."""
    return numerator * per / denominator if denominator else float("nan")


def limit_distance(score: float, limits: Sequence[float]) -> float:
    """How far (in standard deviations) a score lies from the nearest class limit."""
    return float(min(abs(score - limit) for limit in limits))


def flip_classes(
    values: pd.DataFrame,
    numerators: pd.DataFrame,
    denominators: pd.DataFrame,
    per: dict[str, int],
    classes: pd.Series,
    classify: Callable[[pd.DataFrame], pd.Series],
) -> pd.Series:
    """For every district (row of ``values``), the other classes it falls into when one of its status
    numerators has one case more or one case less; "" when none.

    ``classify`` maps a frame of status values to the classes of its districts (the whole index
    recomputed). A numerator or denominator that is not published (NaN) is not varied; nor is a
    numerator below one case varied downwards.
    """
    flips = {}
    for kennziffer in values.index:
        found = []
        for indicator_id in values.columns:
            numerator = numerators.at[kennziffer, indicator_id] if kennziffer in numerators.index else np.nan
            denominator = denominators.at[kennziffer, indicator_id] if kennziffer in denominators.index else np.nan
            if pd.isna(numerator) or pd.isna(denominator) or denominator == 0:
                continue
            for step in (-1, 1):
                if numerator + step < 0:
                    continue
                varied = values.copy()
                varied.at[kennziffer, indicator_id] = rate(numerator + step, denominator, per[indicator_id])
                shifted = str(classify(varied)[kennziffer])
                if shifted != str(classes[kennziffer]) and shifted not in found:
                    found.append(shifted)
        flips[kennziffer] = ", ".join(found)
    return pd.Series(flips, dtype="str").reindex(values.index)


def borderline(scores: pd.Series, flips: pd.Series, config: IndexConfig) -> pd.DataFrame:
    """``limit_distance``, ``borderline`` (bool) and ``borderline_reason`` (German) per district."""
    distance = scores.map(lambda s: limit_distance(s, config.status_limits))
    near = distance <= config.borderline_margin
    reasons = []
    for kennziffer in scores.index:
        parts = []
        if near[kennziffer]:
            parts.append("nahe einer Klassengrenze")
        if flips[kennziffer]:
            shifted = " oder ".join(f"„{c}“" for c in flips[kennziffer].split(", "))
            parts.append(f"mit einem Fall mehr oder weniger {shifted}")
        reasons.append("; ".join(parts) if parts else pd.NA)
    frame = pd.DataFrame({"limit_distance": distance, "borderline": near | (flips != "")}, index=scores.index)
    frame["borderline_reason"] = pd.Series(reasons, index=scores.index, dtype="str")
    return frame
