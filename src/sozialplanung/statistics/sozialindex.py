"""The Sozialindex: a social-status index of the statistical districts, with a dynamics index.

Modelled on Berlin's Monitoring Soziale Stadtentwicklung and Hamburg's Sozialmonitoring. Every
setting (status indicators, weights, minimum population, class limits, period of the dynamics)
comes from the edition's :class:`~sozialplanung.core.config.IndexConfig`, and :func:`method_text`
describes the method from the same object, so the method page and the computation cannot disagree.

Method decisions:

* Standardisation uses the population standard deviation (``ddof=0``) over the included districts,
  each district counting once (unweighted by residents), as Berlin and Hamburg do over all areas.
* Values that are all equal (up to a relative rounding tolerance of 1e-12) have no spread: their
  z-values are 0, so such an indicator (or score) adds nothing and nothing is divided by zero.
* Only published values enter (confidentiality): a district with a hidden status indicator is left
  out with that reason, and one whose earlier value is hidden gets no dynamics class. Means, standard
  deviations, z-values, scores, classes and ranks are then functions of published values alone and
  cannot give a hidden value back.
* Standardised scores are rounded to :data:`SCORE_DECIMALS` decimals before they are classed, so a
  score that lies on a class limit is classed by the convention of :func:`class_of`, not by
  floating-point noise.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sozialplanung.core.config import IndexConfig
from sozialplanung.core.errors import ConfigError, DataError
from sozialplanung.core.formats import format_count, format_number
from sozialplanung.statistics.index_robustness import borderline, flip_classes, published_counts, rate
from sozialplanung.statistics.indicators import CITY, indicator

STATUS_CLASSES = ("hoch", "mittel", "niedrig", "sehr niedrig")
"""Social-status classes, from least to most disadvantaged."""
DYNAMICS_CLASSES = ("positiv", "stabil", "negativ")
"""Dynamics classes: disadvantage falling, about the same, rising (relative to the other districts)."""
SCORE_DECIMALS = 10
RESIDENTS_INDICATOR = "auslaenderanteil"  # its denominator counts all residents
_EQUAL_TOLERANCE = 1e-12


@dataclass(frozen=True)
class SozialindexResult:
    """The index of one year.

    ``values`` has one row per included district, sorted by ``kennziffer``: the status indicator
    values (column = indicator id), ``z_<id>``, ``status_sum`` (weighted sum of the z-values),
    ``status_score`` (that sum standardised), ``status_class``, ``change_<id>`` (percentage points
    since :attr:`earlier_year`), ``dynamics_sum``, ``dynamics_score``, ``dynamics_class``,
    ``dynamics_reason`` (German, why a district has no dynamics class) and ``rank``
    (1 = most disadvantaged). ``excluded`` lists the districts left out, with a German reason.
    ``dynamics_reason`` says (in German) why no district has a dynamics class, else it is None.
    """

    year: int
    values: pd.DataFrame
    excluded: pd.DataFrame
    config: IndexConfig
    dynamics_reason: str | None = None

    @property
    def earlier_year(self) -> int:
        return self.year - self.config.dynamics_years

    def class_counts(self, column: str = "status_class") -> pd.Series:
        """Number of districts per class (every class listed, in class order)."""
        classes = STATUS_CLASSES if column == "status_class" else DYNAMICS_CLASSES
        return self.values[column].value_counts().reindex(list(classes), fill_value=0).astype("int64")


def class_of(score: float, limits: Sequence[float]) -> str:
    """The class of a standardised score.

    Three limits ``(a, b, c)`` give the status class: ``score < a`` "hoch", ``a <= score < b``
    "mittel", ``b <= score < c`` "niedrig", ``score >= c`` "sehr niedrig" (a score on a limit falls
    in the more disadvantaged class). Two limits ``(a, b)`` give the dynamics class:
    ``score < a`` "positiv", ``a <= score <= b`` "stabil", ``score > b`` "negativ" (a score on a
    limit is "stabil").
    """
    bounds = [float(limit) for limit in limits]
    if bounds != sorted(bounds):
        raise ValueError(f"Class limits must be ascending, got {tuple(limits)}")
    if score is None or math.isnan(score):
        raise ValueError("A missing score has no class")
    if len(bounds) == 3:
        return STATUS_CLASSES[bisect.bisect_right(bounds, score)]
    if len(bounds) == 2:
        low, high = bounds
        return "positiv" if score < low else "negativ" if score > high else "stabil"
    raise ValueError(f"Expected 3 status limits or 2 dynamics limits, got {len(bounds)}")


def standardise(values: pd.Series) -> pd.Series:
    """z-values ``(x - mean) / sd`` with the population SD (ddof=0); 0 when all values are equal."""
    x = values.to_numpy(dtype="float64")
    if np.isnan(x).any():
        raise ValueError("Cannot standardise missing values")
    if len(x) == 0 or np.ptp(x) <= _EQUAL_TOLERANCE * max(1.0, float(np.abs(x).max())):
        return pd.Series(0.0, index=values.index, dtype="float64")
    return pd.Series((x - x.mean()) / x.std(ddof=0), index=values.index, dtype="float64")


def _weighted_score(values: pd.DataFrame, config: IndexConfig) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """z-values per column, their weighted sum and the standardised (rounded) sum."""
    z = values.apply(standardise)
    total = sum((config.weight(i) * z[i] for i in values.columns), start=pd.Series(0.0, index=values.index))
    return z, total, standardise(total).round(SCORE_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _names(config: IndexConfig) -> dict[str, str]:
    names = {}
    for indicator_id in config.status_indicators:
        try:
            definition = indicator(indicator_id)
        except KeyError as exc:
            raise ConfigError(f"index.status_indicators: {exc.args[0]}") from None
        if definition.level != "stadtbezirk":
            raise ConfigError(f"index.status_indicators: {indicator_id} has no district values (city level only)")
        names[indicator_id] = definition.name
    return names


def _wide(districts: pd.DataFrame, ids: Sequence[str], year: int, column: str = "wert") -> pd.DataFrame:
    """``column`` per district (rows) and indicator (columns) of one year."""
    rows = districts[(districts["jahr"] == year) & districts["indikator"].isin(ids)]
    wide = rows.pivot(index="kennziffer", columns="indikator", values=column)
    return wide.reindex(columns=list(ids))


def _published(districts: pd.DataFrame, ids: Sequence[str], year: int) -> pd.DataFrame:
    """``wert`` per district and indicator of one year as published: NaN where it cannot be computed
    or is hidden for confidentiality (a ``wert_status``; frames without one count as published)."""
    values = _wide(districts, ids, year).astype("float64")
    if "wert_status" in districts.columns:
        hidden = _wide(districts, ids, year, "wert_status").fillna("").astype(str) != ""
        values = values.mask(hidden)
    return values


def _hidden(districts: pd.DataFrame, ids: Sequence[str], year: int) -> pd.DataFrame:
    if "wert_status" not in districts.columns:
        return pd.DataFrame(False, index=_wide(districts, ids, year).index, columns=list(ids))
    return _wide(districts, ids, year, "wert_status").fillna("").astype(str) != ""


def _default_residents(indicators: pd.DataFrame, year: int) -> pd.Series:
    rows = indicators[(indicators["indikator"] == RESIDENTS_INDICATOR) & (indicators["jahr"] == year)]
    if rows.empty:
        raise DataError(f"No values of {RESIDENTS_INDICATOR} for {year} to count residents; pass residents.")
    return rows.set_index("kennziffer")["nenner"]


def _exclusions(
    current: pd.DataFrame,
    hidden: pd.DataFrame,
    districts: pd.DataFrame,
    residents: pd.Series,
    names: dict[str, str],
    config: IndexConfig,
    year: int,
) -> dict[int, str]:
    """German reasons for every district left out of the index, by kennziffer."""
    reasons = {}
    candidates = sorted((set(current.index) | set(residents.index)) - {CITY})
    present = districts[districts["jahr"] == year].set_index(["kennziffer", "indikator"]).index
    for kennziffer in candidates:
        count = residents.get(kennziffer)
        if count is None or pd.isna(count):
            reasons[kennziffer] = "Einwohnerzahl fehlt"
            continue
        if count < config.min_population:
            reasons[kennziffer] = (
                f"weniger als {format_count(config.min_population)} Einwohner ({format_count(int(count))})"
            )
            continue
        notes = []
        for indicator_id, name in names.items():
            if (kennziffer, indicator_id) not in present:
                notes.append(f"{name}: kein Wert für {year}")
            elif hidden.at[kennziffer, indicator_id]:
                notes.append(f"{name} aus Gründen der Geheimhaltung nicht ausgewiesen")
            elif pd.isna(current.at[kennziffer, indicator_id]):
                notes.append(f"{name} nicht berechenbar (Bezugsgröße 0)")
        if notes:
            reasons[kennziffer] = "; ".join(notes)
    return reasons


def _few_cases(
    kennziffern: Sequence[int], districts: pd.DataFrame, names: dict[str, str], config: IndexConfig, year: int
) -> dict[int, str]:
    """Districts with a status indicator whose published numerator is below ``dynamics_min_cases`` in
    both years of the dynamics, with those indicators' names (a hidden count is never compared)."""
    ids = list(names)
    rows = districts[districts["kennziffer"].isin(list(kennziffern))]
    now = published_counts(rows, ids, [year])[0]
    then = published_counts(rows, ids, [year - config.dynamics_years])[0]
    few = (now < config.dynamics_min_cases) & (then.reindex_like(now) < config.dynamics_min_cases)
    return {int(k): ", ".join(names[i] for i in ids if few.at[k, i]) for k in few.index if few.loc[k].any()}


def _dynamics(
    current: pd.DataFrame, districts: pd.DataFrame, names: dict[str, str], config: IndexConfig, year: int
) -> tuple[pd.DataFrame, str | None]:
    """Changes, z-values, sum, score, class and per-district reason of the dynamics index."""
    earlier = year - config.dynamics_years
    ids = list(names)
    frame = pd.DataFrame(index=current.index)
    frame[[f"change_{i}" for i in ids]] = np.nan
    frame[["dynamics_sum", "dynamics_score"]] = np.nan
    frame["dynamics_class"] = pd.Categorical([None] * len(frame), categories=DYNAMICS_CLASSES, ordered=True)
    frame["dynamics_reason"] = pd.Series(pd.NA, index=frame.index, dtype="str")
    years = districts.loc[districts["indikator"].isin(ids), ["indikator", "jahr"]]
    lacking = [names[i] for i in ids if not ((years["indikator"] == i) & (years["jahr"] == earlier)).any()]
    if lacking:
        reason = f"Die Dynamik ist nicht berechenbar, weil für {earlier} keine Werte vorliegen: {', '.join(lacking)}."
        frame["dynamics_reason"] = reason
        return frame, reason
    change = current - _published(districts, ids, earlier).reindex(current.index)
    frame[[f"change_{i}" for i in ids]] = change.to_numpy()
    complete = change.notna().all(axis=1)
    hidden = _hidden(districts, ids, earlier).reindex(change.index, fill_value=False)
    for kennziffer in change.index[~complete]:
        gaps = [i for i in ids if pd.isna(change.at[kennziffer, i])]
        secret = ", ".join(names[i] for i in gaps if hidden.at[kennziffer, i])
        missing = ", ".join(names[i] for i in gaps if not hidden.at[kennziffer, i])
        reasons = [f"{missing}: kein berechenbarer Wert für {earlier}"] if missing else []
        reasons += [f"{secret}: Wert für {earlier} aus Gründen der Geheimhaltung nicht ausgewiesen"] if secret else []
        frame.at[kennziffer, "dynamics_reason"] = "; ".join(reasons)
    for kennziffer, few in _few_cases(change.index[complete], districts, names, config, year).items():
        complete[kennziffer] = False
        frame.at[kennziffer, "dynamics_reason"] = (
            f"zu wenige Fälle für eine belastbare Veränderung: {few} in {earlier} und {year} jeweils weniger als "
            f"{format_count(config.dynamics_min_cases)}"
        )
    if complete.sum() < 2:
        reason = (
            f"Die Dynamik ist nicht berechenbar, weil weniger als zwei Stadtbezirke Werte für {earlier} "
            f"und {year} haben."
        )
        frame["dynamics_reason"] = frame["dynamics_reason"].fillna(reason)
        return frame, reason
    _, total, score = _weighted_score(change[complete], config)
    frame.loc[complete, "dynamics_sum"] = total
    frame.loc[complete, "dynamics_score"] = score
    frame.loc[complete, "dynamics_class"] = [class_of(s, config.dynamics_limits) for s in score]
    return frame, None


def smoothing_span(config: IndexConfig, year: int) -> list[int]:
    """The years over which the status values of a small district are pooled for ``year``."""
    return list(range(year - config.smoothing_years + 1, year + 1))


def _smoothed(
    current: pd.DataFrame,
    districts: pd.DataFrame,
    residents: pd.Series,
    names: dict[str, str],
    config: IndexConfig,
    year: int,
    reasons: dict[int, str],
) -> tuple[pd.DataFrame, set[int]]:
    """The status values with those of small districts pooled over ``smoothing_years`` (a district
    whose pooled value cannot be formed from published counts is added to ``reasons`` and dropped)."""
    if config.smoothing_years == 1:
        return current, set()
    small = [k for k in current.index if residents[k] < config.smoothing_population]
    if not small:
        return current, set()
    years = smoothing_span(config, year)
    numerators, denominators = published_counts(districts[districts["kennziffer"].isin(small)], list(names), years)
    pooled = current.copy()
    for kennziffer in small:
        gaps = []
        for indicator_id, name in names.items():
            numerator = numerators.at[kennziffer, indicator_id] if kennziffer in numerators.index else np.nan
            denominator = denominators.at[kennziffer, indicator_id] if kennziffer in denominators.index else np.nan
            if pd.isna(numerator) or pd.isna(denominator) or denominator == 0:
                gaps.append(name)
            else:
                pooled.at[kennziffer, indicator_id] = rate(numerator, denominator, indicator(indicator_id).per)
        if gaps:
            reasons[kennziffer] = (
                f"{', '.join(gaps)}: kein über {years[0]}–{years[-1]} zusammengefasster Wert, weil nicht "
                "für jedes Jahr ein veröffentlichter Wert vorliegt"
            )
    dropped = [k for k in small if k in reasons]
    return pooled.drop(index=dropped), {k for k in small if k not in reasons}


def _status_flips(
    current: pd.DataFrame,
    classes: pd.Series,
    districts: pd.DataFrame,
    smoothed: set[int],
    config: IndexConfig,
    year: int,
) -> pd.Series:
    """The other status classes each district reaches with one case more or less (see index_robustness)."""
    ids = list(current.columns)
    numerators, denominators = published_counts(districts, ids, [year])
    if smoothed:
        pooled = published_counts(districts[districts["kennziffer"].isin(smoothed)], ids, smoothing_span(config, year))
        for mine, theirs in zip((numerators, denominators), pooled):
            mine.loc[theirs.index] = theirs
    per = {i: indicator(i).per for i in ids}

    def classify(frame: pd.DataFrame) -> pd.Series:
        scores = _weighted_score(frame, config)[2]
        return scores.map(lambda s: class_of(s, config.status_limits))

    return flip_classes(current, numerators, denominators, per, classes.set_axis(current.index), classify)


_COMPUTED: dict[tuple[str, str, int], SozialindexResult] = {}
_COMPUTED_MAX = 4


def sozialindex_once(indicators: pd.DataFrame, config: IndexConfig, year: int) -> SozialindexResult:
    """:func:`compute_sozialindex`, computed once per process for the same inputs.

    A warm kernel executes one district profile after another, and each asks for the same index of
    its edition (about 1.5 s, most of it the robustness check). The key is the content of the
    indicator frame, the index parameters and the year, so changed data never meet a stale index;
    every caller gets frames of its own, so one notebook cannot change what the next one reads.
    """
    digest = hashlib.sha256(pd.util.hash_pandas_object(indicators, index=True).to_numpy().tobytes())
    digest.update(repr([(str(c), str(t)) for c, t in indicators.dtypes.items()]).encode())
    key = (digest.hexdigest(), config.model_dump_json(), year)
    if key not in _COMPUTED:
        while len(_COMPUTED) >= _COMPUTED_MAX:
            del _COMPUTED[next(iter(_COMPUTED))]  # the oldest first
        _COMPUTED[key] = compute_sozialindex(indicators, config, year)
    result = _COMPUTED[key]
    return replace(result, values=result.values.copy(deep=True), excluded=result.excluded.copy(deep=True))


def compute_sozialindex(
    indicators: pd.DataFrame, config: IndexConfig, year: int, residents: pd.Series | None = None
) -> SozialindexResult:
    """The Sozialindex of ``year`` from the indicator file (long format, see ``load.read_indicators``).

    ``residents`` (all residents per kennziffer in ``year``) decides which districts are too small;
    by default the denominators of the Ausländeranteil (all residents) are used.
    """
    names = _names(config)
    ids = list(names)
    districts = indicators[indicators["kennziffer"] != CITY]
    if districts[(districts["jahr"] == year) & districts["indikator"].isin(ids)].empty:
        raise DataError(f"No district values of the status indicators for {year}.")
    current = _published(districts, ids, year)
    residents = _default_residents(indicators, year) if residents is None else residents
    reasons = _exclusions(current, _hidden(districts, ids, year), districts, residents, names, config, year)
    included = [k for k in sorted(current.index) if k not in reasons]
    if len(included) < 2:
        raise DataError(
            f"The Sozialindex {year} needs at least 2 districts; {len(included)} remain after leaving out "
            f"{len(reasons)} (fewer than {config.min_population} residents or a status indicator not computable)."
        )
    single = current.loc[included]
    current, smoothed = _smoothed(single, districts, residents, names, config, year, reasons)
    included = list(current.index)
    if len(included) < 2:
        raise DataError(f"The Sozialindex {year} needs at least 2 districts; {len(included)} remain after smoothing.")
    z, total, score = _weighted_score(current, config)
    values = current.rename_axis(columns=None).copy()
    values[[f"z_{i}" for i in ids]] = z.to_numpy()
    values["status_sum"] = total
    values["status_score"] = score
    values["status_class"] = pd.Categorical(
        [class_of(s, config.status_limits) for s in score], categories=STATUS_CLASSES, ordered=True
    )
    values["smoothed"] = [k in smoothed for k in included]
    values["status_flips"] = _status_flips(current, values["status_class"], districts, smoothed, config, year)
    values = values.join(borderline(score, values["status_flips"], config))
    dynamics, dynamics_reason = _dynamics(single.loc[included], districts, names, config, year)
    values = values.join(dynamics)
    values["rank"] = score.rank(ascending=False, method="min").astype("int64")
    values = values.rename_axis("kennziffer").reset_index().astype({"kennziffer": "int64"})
    excluded = pd.DataFrame(
        {
            "kennziffer": pd.Series(list(reasons), dtype="int64"),
            "reason": pd.Series(list(reasons.values()), dtype="str"),
        }
    )
    return SozialindexResult(year, values, excluded, config, dynamics_reason)


def _decimal(value: float) -> str:
    """A weight or limit in German format with one decimal, more when needed (``0,25``)."""
    decimals = next((d for d in range(1, 4) if round(value, d) == value), 4)
    return format_number(value, decimals)


@dataclass(frozen=True)
class MethodTable:
    """A small table of the method description (published with a caption)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def method_parts(config: IndexConfig) -> list[str | MethodTable]:
    """The method in German, as Markdown paragraphs and captioned tables, from the configuration."""
    names = _names(config)
    a, b, c = (_decimal(x) for x in config.status_limits)
    low, high = (_decimal(x) for x in config.dynamics_limits)
    minimum = format_count(config.min_population)
    return [
        "Der Sozialindex beschreibt die soziale Lage der Stadtbezirke im Vergleich zueinander. Er folgt dem "
        "Monitoring Soziale Stadtentwicklung in Berlin und dem Sozialmonitoring in Hamburg.\n\n"
        f"**Statusindikatoren.** Der Index beruht auf {len(names)} Indikatoren, bei denen ein höherer Wert "
        "eine stärkere soziale Benachteiligung anzeigt.",
        MethodTable(
            "Statusindikatoren des Sozialindex und ihre Gewichte",
            ("Indikator", "Einheit", "Gewicht"),
            tuple((name, indicator(i).unit, _decimal(config.weight(i))) for i, name in names.items()),
        ),
        f"**Einbezogene Stadtbezirke.** Stadtbezirke mit weniger als {minimum} Einwohnern bleiben "
        "unberücksichtigt, weil Quoten dort schon durch wenige Personen stark schwanken. Ebenso bleibt ein "
        "Stadtbezirk unberücksichtigt, für den ein Statusindikator nicht berechnet werden kann (Bezugsgröße 0) "
        "oder aus Gründen der Geheimhaltung nicht ausgewiesen wird: So gehen nur veröffentlichte Werte in den "
        "Index ein, und aus z-Werten, Statuswerten, Klassen und Rängen lässt sich kein geheim gehaltener Wert "
        "zurückrechnen. Aus demselben Grund erhält ein Stadtbezirk keine Dynamik, wenn einer seiner Werte "
        "des Vergleichsjahres nicht ausgewiesen ist.\n\n"
        "**Berechnung.** Jeder Indikator wird über die einbezogenen Stadtbezirke standardisiert: "
        "z = (Wert − Mittelwert) / Standardabweichung. Mittelwert und Standardabweichung (der Grundgesamtheit) "
        "werden über die Stadtbezirke berechnet, jeder Stadtbezirk zählt gleich, unabhängig von seiner "
        "Einwohnerzahl. Haben alle Stadtbezirke denselben Wert, ist z = 0. Die z-Werte werden mit ihren "
        "Gewichten multipliziert und addiert; die Summe wird erneut standardisiert. Dieser Statuswert gibt an, "
        "um wie viele Standardabweichungen ein Stadtbezirk vom Durchschnitt der Stadtbezirke abweicht.\n\n"
        "**Statusklassen.** Ein Wert genau auf einer Grenze zählt zur ungünstigeren Klasse.",
        MethodTable(
            "Klassen des sozialen Status",
            ("Sozialer Status", "Statuswert"),
            (
                ("hoch", f"unter {a}"),
                ("mittel", f"{a} bis unter {b}"),
                ("niedrig", f"{b} bis unter {c}"),
                ("sehr niedrig", f"{c} und mehr"),
            ),
        ),
        "**Sicherheit der Einstufung.** Als Grenzfall gilt ein Stadtbezirk, dessen Statuswert höchstens "
        f"{_decimal(config.borderline_margin)} Standardabweichungen von einer Klassengrenze entfernt liegt, oder "
        "dessen Klasse wechselt, wenn bei einem Statusindikator ein Fall mehr oder weniger gezählt wird (der "
        "Index wird dafür vollständig neu berechnet). Für diese Probe werden nur veröffentlichte Fallzahlen "
        "verändert."
        + (
            f" Für Stadtbezirke mit weniger als {format_count(config.smoothing_population)} Einwohnern werden die "
            f"Statusindikatoren über {config.smoothing_years} Jahre zusammengefasst: Die Zähler und die "
            "Bezugsgrößen dieser Jahre werden addiert und durcheinander geteilt; das setzt veröffentlichte Werte "
            "in jedem dieser Jahre voraus."
            if config.smoothing_years > 1
            else ""
        ),
        f"**Dynamik.** Für jeden Statusindikator wird die Veränderung in Prozentpunkten über "
        f"{config.dynamics_years} Jahre berechnet, ebenso standardisiert, gewichtet addiert und erneut "
        "standardisiert. Ein Wert genau auf einer Grenze zählt als stabil. Eine Dynamik erhält nur ein "
        "Stadtbezirk, bei dem jeder Statusindikator in mindestens einem der beiden Jahre auf "
        f"{format_count(config.dynamics_min_cases)} oder mehr Fällen beruht; sonst bestimmen wenige Fälle die "
        "Veränderung.",
        MethodTable(
            "Klassen der Dynamik",
            ("Dynamik", "Dynamikwert"),
            (
                ("positiv (Benachteiligung nimmt relativ ab)", f"unter {low}"),
                ("stabil", f"{low} bis {high}"),
                ("negativ (Benachteiligung nimmt relativ zu)", f"über {high}"),
            ),
        ),
        "**Handlungsbedarf.** Wie im Berliner Monitoring Soziale Stadtentwicklung besteht besonderer "
        "Handlungsbedarf, wo ein niedriger oder sehr niedriger Status mit einer negativen Dynamik zusammentrifft.\n\n"
        "**Vergleich mit dem Vorjahr.** Die Statusklassen werden mit dem Sozialindex des Vorjahres verglichen, "
        "der mit demselben Verfahren aus den Daten dieses Berichts berechnet wird; eine andere Klasse zeigt so "
        "eine Veränderung der Lage, nicht des Verfahrens.\n\n"
        "Der Index ist ein relatives Maß: Er zeigt die Lage eines Stadtbezirks im Verhältnis zu den anderen "
        "Stadtbezirken Marburgs, nicht das Ausmaß von Armut oder Benachteiligung an sich. Eine Klasse ist nur "
        "besetzt, wenn ein Stadtbezirk so weit vom Durchschnitt abweicht, wie ihre Grenzen verlangen. Auch ein "
        "Stadtbezirk mit „hohem“ Status kann Haushalte in schwierigen Lagen haben.",
    ]
