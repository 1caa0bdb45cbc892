"""Statistical confidentiality (Geheimhaltung, § 16 BStatG): the one place that decides what is shown.

Every published count and rate — in tables, figure labels, downloads and report text — is turned
into text here. A count below the edition's threshold ``N`` (but above zero) is replaced by the German
symbol ``.``; a true zero shows ``–``; a rate is hidden when its numerator or denominator rests on
fewer cases than the threshold, and is ``x`` when it cannot be computed (no denominator).

**Primary and secondary suppression.** :func:`suppress` hides every count ``0 < n < N`` of a table
(primary) and then further cells (secondary) until no hidden cell can be worked out from the
published cells and totals. Zeros are never hidden: they are published as ``–`` and count as known.

**Protection criterion.** A hidden cell is protected when the published cells and totals, with
non-negativity, leave it an interval ``[lo, hi]`` (the exact minimum and maximum it can take) that

1. holds more than one value (``lo < hi``), so it cannot be recomputed, and
2. for a cell with fewer than ``N`` cases, reaches ``N`` (``hi >= N``). Without this, two hidden
   districts with 1 case each and a published total would give away "these two have 2 cases
   together", i.e. a statement about fewer than ``N`` people.

Tables with margins are network matrices, so ``lo`` and ``hi`` are whole numbers; they are computed
exactly as maximum flows (:func:`cell_intervals`, ``method="flow"``) or by linear programming
(``method="lp"``, :func:`scipy.optimize.linprog`), which the tests use to check each other.

**Choice of secondary cells.** Cells are checked in reading order; for the first unprotected one,
further cells closing a loop through it are hidden — one more cell of the same line in a vector with
a total, the other three corners of a rectangle in a table with both totals. Preferred: no totals if
avoidable, then the smallest sum of values, fewest cells, position. The first such set that protects
the cell on its own is taken, else the first set (the reason says so). This ends at the latest when
every non-zero cell is hidden, which is always protected; it is greedy, not minimal (NP-hard).

**Indicators** (:func:`protect_indicators`): the pattern of a count vector depends only on its values,
so the same vector (e.g. residents 65+ in two indicators) is hidden alike wherever it is shown.

**Limits.** Linear relations *between* different count vectors are not modelled, e.g. Leistungs-
berechtigte = ELB + NEF, or residents = under 65 + 65 and older: a hidden ELB count can be recovered
when LB and NEF of the same district are published. Such counts must be protected together (one 2-D
:func:`suppress`), and tables sharing a margin stay consistent only when cut from one
:class:`Suppression`. Pattern disclosure (an attacker who knows this algorithm) is not considered.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from sozialplanung.core.formats import SYMBOL_NOT_APPLICABLE, format_count, format_rate

SYMBOL_CONFIDENTIAL = "."
SYMBOL_ZERO = "\u2013"  # en dash, "nichts vorhanden"

LEGEND = {
    SYMBOL_CONFIDENTIAL: "Zahlenwert geheim zu halten (beruht auf weniger als {threshold} Fällen)",
    SYMBOL_ZERO: "nichts vorhanden (genau null)",
    SYMBOL_NOT_APPLICABLE: "Aussage nicht sinnvoll (keine Bezugsgröße)",
}

PUBLISHED, PRIMARY, SECONDARY, SOURCE_PROTECTED = "", "primaer", "sekundaer", "quelle"
"""Status of a cell: published, hidden because it is small, hidden to protect another cell, hidden
because it rests on a cell the source itself anonymised or withheld."""
TOTAL = "insgesamt"
CITY = 0  # kennziffer of the city-wide rows (indicators.CITY; not imported to keep this module low-level)
CITY_NAME = "Marburg gesamt"
PARTS = ("zaehler", "nenner", "wert")
PART_NAMES = {"zaehler": "Zähler", "nenner": "Nenner"}
_INT32_MAX = 2**31 - 1


def is_hidden(status: object) -> bool:
    """Whether a confidentiality status hides its cell (any status but published)."""
    return isinstance(status, str) and status != PUBLISHED


@dataclass(frozen=True)
class Confidentiality:
    """The confidentiality rule of one edition."""

    threshold: int = 3

    def is_confidential(self, count: float | int | None) -> bool:
        """True for a count that rests on more than zero but fewer than ``threshold`` cases."""
        if count is None or (isinstance(count, float) and math.isnan(count)):
            return False
        return 0 < count < self.threshold

    def count(self, value: int | float | None) -> str:
        """A published count: ``.`` when confidential, ``–`` for zero, else German format."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return SYMBOL_NOT_APPLICABLE
        if self.is_confidential(value):
            return SYMBOL_CONFIDENTIAL
        if value == 0:
            return SYMBOL_ZERO
        return format_count(int(value))

    def rate(self, value: float | None, numerator: int | float, denominator: int | float, decimals: int = 1) -> str:
        """A published rate; hidden when numerator or denominator is confidential."""
        if denominator == 0 or value is None or (isinstance(value, float) and math.isnan(value)):
            return SYMBOL_NOT_APPLICABLE
        if self.is_confidential(numerator) or self.is_confidential(denominator):
            return SYMBOL_CONFIDENTIAL
        if numerator == 0:
            return SYMBOL_ZERO
        return format_rate(value, decimals)

    def rate_or_none(self, value: float, numerator: int | float, denominator: int | float) -> float | None:
        """The rate as a number for figures, or None when it must not be shown (a gap, never 0)."""
        if self.rate(value, numerator, denominator) in (SYMBOL_CONFIDENTIAL, SYMBOL_NOT_APPLICABLE):
            return None
        return float(value)

    def count_or_none(self, value: int | float) -> float | None:
        """The count as a number for figures, or None when it is confidential."""
        if self.is_confidential(value):
            return None
        return float(value)

    def count_cell(self, value: int | float | None, status: object = PUBLISHED) -> str:
        """A pre-protected count: ``.`` for any suppression status, else as :meth:`count`."""
        return SYMBOL_CONFIDENTIAL if is_hidden(status) else self.count(value)

    def rate_cell(
        self,
        value: float | None,
        numerator: int | float,
        denominator: int | float,
        status: object = PUBLISHED,
        decimals: int = 1,
    ) -> str:
        """A pre-protected rate: ``.`` for any suppression status, else as :meth:`rate`."""
        return SYMBOL_CONFIDENTIAL if is_hidden(status) else self.rate(value, numerator, denominator, decimals)

    def count_cell_or_none(self, value: int | float, status: object = PUBLISHED) -> float | None:
        return None if is_hidden(status) else self.count_or_none(value)

    def rate_cell_or_none(
        self, value: float, numerator: int | float, denominator: int | float, status: object = PUBLISHED
    ) -> float | None:
        return None if is_hidden(status) else self.rate_or_none(value, numerator, denominator)

    def counts_column(self, values: pd.Series, statuses: pd.Series | None = None) -> pd.Series:
        statuses = [PUBLISHED] * len(values) if statuses is None else statuses
        return pd.Series([self.count_cell(v, s) for v, s in zip(values, statuses)], index=values.index, dtype="str")

    def rates_column(
        self,
        values: pd.Series,
        numerators: pd.Series,
        denominators: pd.Series,
        decimals: int = 1,
        statuses: pd.Series | None = None,
    ) -> pd.Series:
        statuses = [PUBLISHED] * len(values) if statuses is None else statuses
        return pd.Series(
            [self.rate_cell(v, n, d, s, decimals) for v, n, d, s in zip(values, numerators, denominators, statuses)],
            index=values.index,
            dtype="str",
        )

    def legend(self, symbols: set[str]) -> list[str]:
        """German explanation lines for the symbols that occur in a table."""
        return [
            f"{symbol} = {text.format(threshold=self.threshold)}"
            for symbol, text in LEGEND.items()
            if symbol in symbols
        ]


# --- the intervals hidden cells can take ----------------------------------------------------------


class _Table:
    """A table with its margins as an array, and the linear relations its totals publish.

    With ``row_total`` the last column holds each row's sum, with ``column_total`` the last row holds
    each column's sum (and the corner the grand total). As a network, every row and column with a
    total is a node and every cell an edge between its row and its column (a side without totals is
    one node); a change of the hidden cells that keeps all totals is a circulation in that network.
    """

    def __init__(self, values: np.ndarray, row_total: bool, column_total: bool):
        self.m, self.rt, self.ct = values, row_total, column_total
        rows, cols = values.shape
        margin_row = np.arange(rows) == rows - 1 if column_total else np.zeros(rows, bool)
        margin_col = np.arange(cols) == cols - 1 if row_total else np.zeros(cols, bool)
        self.margin = margin_row[:, None] | margin_col[None, :]
        self.sign = np.where(margin_row[:, None] ^ margin_col[None, :], -1, 1)  # totals enter with -1
        self.row_node = np.arange(rows) if row_total else np.zeros(rows, int)
        row_nodes = rows if row_total else 1
        self.col_node = row_nodes + (np.arange(cols) if column_total else np.zeros(cols, int))
        self.nodes = row_nodes + (cols if column_total else 1)
        if (row_total and (values[:, :-1].sum(axis=1) != values[:, -1]).any()) or (
            column_total and (values[:-1, :].sum(axis=0) != values[-1, :]).any()
        ):
            raise ValueError("The totals of the table are not the sums of its cells.")

    def interval(self, hidden: np.ndarray, cell: tuple[int, int], method: str = "flow") -> tuple[float, float]:
        """``(lo, hi)`` of a hidden cell; ``hi`` is ``inf`` when nothing bounds it from above."""
        if method not in ("flow", "lp"):
            raise ValueError(f"Unknown method {method!r}; use 'flow' or 'lp'.")
        if not (self.rt or self.ct):
            return 0.0, math.inf
        big = int(self.m[hidden].sum()) + 1  # more than any finite flow: stands for "unbounded"
        if method == "lp" or big * 2 * (int(hidden.sum()) + 1) > _INT32_MAX:  # flows must fit int32
            return self._lp_interval(hidden, cell)
        others = hidden.copy()
        others[cell] = False
        rows, cols = np.nonzero(others)
        u, v, value = self.row_node[rows], self.col_node[cols], self.m[rows, cols]
        up = self.sign[rows, cols] > 0  # raising the cell: row → column for a cell, the reverse for a total
        capacity = np.zeros((self.nodes, self.nodes), np.int64)
        np.add.at(capacity, (u, v), np.where(up, big, value))
        np.add.at(capacity, (v, u), np.where(up, value, big))
        graph = csr_matrix(np.minimum(capacity, big).astype(np.int32))
        a, b = self.row_node[cell[0]], self.col_node[cell[1]]
        if self.sign[cell] < 0:
            a, b = b, a
        rise = maximum_flow(graph, b, a).flow_value  # the rest of a circulation that raises the cell
        fall = maximum_flow(graph, a, b).flow_value
        value = int(self.m[cell])
        return float(value - min(value, fall)), (math.inf if rise >= big else float(value + rise))

    def _lp_interval(self, hidden: np.ndarray, cell: tuple[int, int]) -> tuple[float, float]:
        rows, cols = self.m.shape
        lines = [np.zeros((rows, cols)) for _ in range((rows if self.rt else 0) + (cols if self.ct else 0))]
        for k, line in enumerate(lines):  # each published total minus the cells it sums is zero
            if self.rt and k < rows:
                line[k, :-1], line[k, -1] = 1, -1
            else:
                j = k - (rows if self.rt else 0)
                line[:-1, j], line[-1, j] = 1, -1
        a, flat = np.array([line.ravel() for line in lines]), hidden.ravel()
        b = -a[:, ~flat] @ self.m.ravel()[~flat]
        target = np.flatnonzero(flat) == np.ravel_multi_index(cell, self.m.shape)
        bounds = []
        for direction in (1.0, -1.0):
            result = linprog(direction * target, A_eq=a[:, flat], b_eq=b, bounds=(0, None), method="highs")
            if result.status not in (0, 3):  # 3: unbounded
                raise ValueError(f"The table's totals admit no solution ({result.message}).")
            bounds.append(math.inf if result.status == 3 else float(round(direction * result.fun)))
        return bounds[0], bounds[1]

    def problem(self, hidden: np.ndarray, cell: tuple[int, int], threshold: int, method: str = "flow") -> str | None:
        """Why a hidden cell is not protected (``exact``, ``below_threshold``), or None."""
        lo, hi = self.interval(hidden, cell, method)
        if lo == hi:
            return "exact"
        if 0 < self.m[cell] < threshold and hi < threshold:
            return "below_threshold"
        return None

    def options(self, hidden: np.ndarray, cell: tuple[int, int]) -> list[tuple[tuple[int, int], ...]]:
        """Sets of published non-zero cells that would close a loop through ``cell``, cheapest first."""
        i, j = cell
        open_ = ~hidden & (self.m > 0)
        rows, cols = self.m.shape
        if self.rt and self.ct:  # the other corners of a rectangle
            corners = [((i, c), (r, j), (r, c)) for r in range(rows) for c in range(cols) if r != i and c != j]
            found = [tuple(x for x in rect if open_[x]) for rect in corners if all(self.m[x] > 0 for x in rect)]
        else:  # one more cell of the same line
            line = [(i, c) for c in range(cols)] if self.rt else [(r, j) for r in range(rows)] if self.ct else []
            found = [(x,) for x in line if x != cell and open_[x]]
        if not any(found):  # nothing closes a loop here: the smallest published cell of the table
            found = [(x,) for x in zip(*np.nonzero(open_))]
        return sorted(
            {f for f in found if f},
            key=lambda f: (sum(self.margin[x] for x in f), sum(int(self.m[x]) for x in f), len(f), sorted(f)),
        )


def cell_intervals(
    table: pd.DataFrame, hidden: pd.DataFrame, *, row_total: bool, column_total: bool, method: str = "flow"
) -> pd.DataFrame:
    """For every hidden cell of ``table`` (cells *with* margins): the values it can still take.

    Columns ``row``, ``column``, ``value``, ``lo``, ``hi`` (``inf`` when unbounded), in reading order.
    """
    if hidden.shape != table.shape:
        raise ValueError(f"The hidden mask has shape {hidden.shape}, the table {table.shape}.")
    grid, mask = _Table(table.to_numpy(np.int64), row_total, column_total), hidden.to_numpy(bool)
    rows = [
        (table.index[i], table.columns[j], int(grid.m[i, j]), *grid.interval(mask, (i, j), method))
        for i, j in zip(*np.nonzero(mask))
    ]
    return pd.DataFrame(rows, columns=["row", "column", "value", "lo", "hi"])


def recoverable_cells(
    table: pd.DataFrame,
    hidden: pd.DataFrame,
    threshold: int,
    *,
    row_total: bool,
    column_total: bool,
    method: str = "flow",
) -> pd.DataFrame:
    """Hidden cells that are not protected (see the module docstring), with ``problem``:

    ``exact`` when the interval holds one value only, ``below_threshold`` when a count below
    ``threshold`` is known to be below ``threshold``. An empty frame means the pattern is safe.
    """
    intervals = cell_intervals(table, hidden, row_total=row_total, column_total=column_total, method=method)
    exact = intervals["lo"] == intervals["hi"]
    narrow = intervals["value"].between(1, threshold - 1) & (intervals["hi"] < threshold)
    problem = np.where(exact, "exact", "below_threshold")
    return intervals.assign(problem=problem)[exact | narrow].reset_index(drop=True)


# --- suppression of one table ---------------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    """A table with margins and the status of every cell (``""``, ``"primaer"``, ``"sekundaer"``)."""

    table: pd.DataFrame
    status: pd.DataFrame
    reasons: Mapping[tuple[Hashable, Hashable], str]
    threshold: int
    row_total: bool
    column_total: bool

    @property
    def hidden(self) -> pd.DataFrame:
        return self.status != PUBLISHED

    def published(self) -> pd.DataFrame:
        """The values a reader sees, NaN where hidden."""
        return self.table.astype("float64").mask(self.hidden)

    def texts(self) -> pd.DataFrame:
        """The cells as German text (``.``, ``–``, ``1.234``)."""
        rule = Confidentiality(self.threshold)
        return pd.DataFrame(
            {c: [rule.count_cell(v, s) for v, s in zip(self.table[c], self.status[c])] for c in self.table.columns},
            index=self.table.index,
            dtype="str",
        )

    def audit(self) -> pd.DataFrame:
        """One row per hidden cell: row, column, value, status, reason (reading order)."""
        return pd.DataFrame(
            [
                (r, c, int(self.table.loc[r, c]), self.status.loc[r, c], reason)
                for (r, c), reason in self.reasons.items()
            ],
            columns=["row", "column", "value", "status", "reason"],
        )

    def recoverable(self) -> pd.DataFrame:
        return recoverable_cells(
            self.table, self.hidden, self.threshold, row_total=self.row_total, column_total=self.column_total
        )


def suppress(
    cells: pd.DataFrame,
    threshold: int,
    *,
    row_total: bool = False,
    column_total: bool = True,
    total_label: Hashable = TOTAL,
) -> Suppression:
    """Primary and secondary suppression of a table of counts whose totals are published.

    ``cells`` holds the inner cells (non-negative whole numbers); the totals are added as a last
    column (``row_total``) and a last row (``column_total``) labelled ``total_label``. A vector of
    districts with the city total is a one-column frame with ``column_total=True`` (the default).
    """
    if threshold < 1:
        raise ValueError(f"The threshold must be at least 1, not {threshold}.")
    if cells.isna().any().any() or (cells < 0).any().any() or (cells % 1 != 0).any().any():
        raise ValueError("Suppression needs non-negative whole counts without gaps.")
    full = cells.astype("int64")
    if (row_total and total_label in full.columns) or (column_total and total_label in full.index):
        raise ValueError(f"The label {total_label!r} of the totals is already used in the table.")
    if row_total:
        full[total_label] = full.sum(axis=1)
    if column_total:
        full.loc[total_label] = full.sum(axis=0)
    grid = _Table(full.to_numpy(np.int64), row_total, column_total)
    status = np.where((grid.m > 0) & (grid.m < threshold), PRIMARY, PUBLISHED).astype(object)

    def name(cell: tuple[int, int]) -> str:
        row, column = full.index[cell[0]], full.columns[cell[1]]
        return str(row) if full.shape[1] == 1 else f"{row} / {column}"

    reasons = {x: f"primär: Fallzahl {grid.m[x]} unter {threshold}" for x in zip(*np.nonzero(status == PRIMARY))}
    while True:
        hidden = status != PUBLISHED
        exposed = next(((x, p) for x in zip(*np.nonzero(hidden)) if (p := grid.problem(hidden, x, threshold))), None)
        if exposed is None:
            break
        cell, problem = exposed
        options = grid.options(hidden, cell)
        if not options:  # cannot happen: with every non-zero cell hidden, each can grow without bound
            raise RuntimeError(f"No cell left to protect {name(cell)}.")

        def protects(option: tuple[tuple[int, int], ...], hidden=hidden, cell=cell) -> bool:
            trial = hidden.copy()
            trial[tuple(zip(*option))] = True
            return grid.problem(trial, cell, threshold) is None

        pool = [o for o in options if not any(grid.margin[x] for x in o)] or options  # totals last
        chosen = next((o for o in pool if protects(o)), None)
        enough, chosen = chosen is not None, chosen or pool[0]
        why = (
            f"sonst wäre {name(cell)} aus den veröffentlichten Werten und Summen genau berechenbar"
            if problem == "exact"
            else f"sonst wäre erkennbar, dass {name(cell)} weniger als {threshold} Fälle hat"
        )
        how = (
            "auch eine Summe, weil keine Einzelzellen ungleich null die Lücke schließen können"
            if any(grid.margin[x] for x in chosen)
            else "kleinste geeignete Zellen"
        )
        if not enough:
            how += "; reicht allein nicht aus, weitere folgen"
        for x in chosen:
            status[x] = SECONDARY
            reasons[x] = f"sekundär: {why}; {how}"
    frame = pd.DataFrame(status, index=full.index, columns=full.columns, dtype="str")
    ordered = {(full.index[x[0]], full.columns[x[1]]): reasons[x] for x in sorted(reasons)}
    return Suppression(full, frame, ordered, threshold, row_total, column_total)


# --- indicators -----------------------------------------------------------------------------------


def set_rate_statuses(status: dict[str, np.ndarray], reason: dict[str, np.ndarray], denominators: np.ndarray) -> None:
    """Each rate's status and reason (``status["wert"]``, ``reason["wert"]``) from its numerator's and
    denominator's: hidden when either is, unless the denominator is 0 (then there is no rate), with
    the weightiest cause (at source, else primary, else secondary)."""
    hidden = ((status["zaehler"] != PUBLISHED) | (status["nenner"] != PUBLISHED)) & (denominators != 0)
    status["wert"] = np.full(len(hidden), PUBLISHED, object)
    reason["wert"] = np.full(len(hidden), "", object)
    for k in np.flatnonzero(hidden):
        causes = [status[part][k] for part in ("zaehler", "nenner") if status[part][k] != PUBLISHED]
        status["wert"][k] = next((s for s in (SOURCE_PROTECTED, PRIMARY) if s in causes), SECONDARY)
        names = " und ".join(PART_NAMES[part] for part in ("zaehler", "nenner") if status[part][k] != PUBLISHED)
        reason["wert"][k] = f"{names} geheim gehalten; die Quote würde {'sie' if ' und ' in names else 'ihn'} verraten"


def protect_indicators(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The indicator frame plus ``<part>_status`` and ``<part>_grund`` for zaehler, nenner and wert.

    Per (indikator, jahr) the district numerators with the city numerator as their total are one
    vector suppressed by :func:`suppress` (likewise the denominators); ``wert`` is hidden whenever its
    numerator or denominator is (status ``primaer`` if one of them is, else ``sekundaer``), except
    when the denominator is 0: then there is no rate (``x``) and nothing to hide.
    """
    if frame.duplicated(["indikator", "jahr", "kennziffer"]).any():
        raise ValueError("The indicator frame has several rows for one indikator, jahr and kennziffer.")
    status = {part: np.full(len(frame), PUBLISHED, object) for part in PARTS}
    reason = {part: np.full(len(frame), "", object) for part in PARTS}
    cache: dict[tuple, Suppression] = {}
    for (indikator, jahr), group in frame.assign(_pos=np.arange(len(frame))).groupby(["indikator", "jahr"]):
        group = group.sort_values("kennziffer")
        districts, city = group[group["kennziffer"] != CITY], group[group["kennziffer"] == CITY]
        with_total = not districts.empty and not city.empty
        rows = districts if not districts.empty else city
        positions = [*rows["_pos"], *city["_pos"]] if with_total else list(rows["_pos"])
        for part in ("zaehler", "nenner"):
            if with_total and districts[part].sum() != city[part].iloc[0]:
                raise ValueError(
                    f"{indikator} {jahr}: the city's {part} ({city[part].iloc[0]}) is not the sum of "
                    f"the districts ({districts[part].sum()}); pass the complete indicator frame."
                )
            key = (tuple(rows["kennziffer"]), tuple(rows[part]), with_total)
            if key not in cache:  # the same vector gets the same pattern wherever it appears
                labels = [CITY_NAME if k == CITY else f"Kennziffer {k}" for k in rows["kennziffer"]]
                cells = pd.DataFrame({"n": rows[part].to_numpy()}, index=labels)
                cache[key] = suppress(cells, threshold, column_total=with_total, total_label=CITY_NAME)
            result = cache[key]
            status[part][positions] = result.status["n"].to_numpy()
            reason[part][positions] = [result.reasons.get((label, "n"), "") for label in result.table.index]
    set_rate_statuses(status, reason, frame["nenner"].to_numpy())
    columns = {
        f"{part}_{kind}": pd.Series(values[part], index=frame.index, dtype="str")
        for part in PARTS
        for kind, values in (("status", status), ("grund", reason))
    }
    return frame.assign(**columns)


def audit_frame(protected: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """The internal audit (never published): one row per hidden numerator, denominator or rate.

    Columns jahr, kennziffer, stadtbezirk, indikator, part, value, status, reason; sorted by jahr,
    indikator, kennziffer and part (zaehler, nenner, wert).
    """
    names = {**dict(zip(districts["kennziffer"], districts["stadtbezirk"])), CITY: CITY_NAME}
    frames = []
    for order, part in enumerate(PARTS):
        rows = protected[protected[f"{part}_status"] != PUBLISHED]
        frames.append(
            pd.DataFrame(
                {
                    "jahr": rows["jahr"].astype("int64"),
                    "kennziffer": rows["kennziffer"].astype("int64"),
                    "stadtbezirk": [names.get(k, f"Kennziffer {k}") for k in rows["kennziffer"]],
                    "indikator": rows["indikator"].astype("str"),
                    "part": part,
                    "value": rows[part].astype(object),
                    "status": rows[f"{part}_status"].astype("str"),
                    "reason": rows[f"{part}_grund"].astype("str"),
                    "_order": order,
                }
            )
        )
    audit = pd.concat(frames, ignore_index=True)
    audit = audit.sort_values(["jahr", "indikator", "kennziffer", "_order"], kind="stable")
    return audit.drop(columns="_order").reset_index(drop=True)
