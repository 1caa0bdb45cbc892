"""Views of the Sozialindex a reader compares: status × dynamics, the districts that need attention,
and class changes since the previous edition.

Like Berlin's Monitoring Soziale Stadtentwicklung, a district *needs attention* when its social status
is low or very low and its dynamics are negative: disadvantage is high and still rising relative to
the other districts. The previous edition is the index of the year before, computed with the same
method from this edition's data (the data hold the earlier years), so a class change reflects a
change in the data, not in the method.
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.statistics.sozialindex import DYNAMICS_CLASSES, STATUS_CLASSES, SozialindexResult

ATTENTION_STATUS = ("niedrig", "sehr niedrig")
ATTENTION_DYNAMICS = "negativ"
NO_DYNAMICS = "ohne Dynamik"
"""The matrix column of districts without a dynamics class (too few cases or values hidden)."""


def status_dynamics_matrix(result: SozialindexResult) -> pd.DataFrame:
    """Kennziffern per status class (rows, in class order) and dynamics class (columns, then
    :data:`NO_DYNAMICS`); each cell a sorted list, empty where no district falls."""
    columns = [*DYNAMICS_CLASSES, NO_DYNAMICS]
    matrix = pd.DataFrame([[[] for _ in columns] for _ in STATUS_CLASSES], index=list(STATUS_CLASSES), columns=columns)
    for row in result.values.sort_values("kennziffer").itertuples(index=False):
        dynamics = row.dynamics_class if isinstance(row.dynamics_class, str) else NO_DYNAMICS
        matrix.at[str(row.status_class), dynamics].append(int(row.kennziffer))
    return matrix


def attention(result: SozialindexResult) -> list[int]:
    """Kennziffern of the districts with low or very low status and negative dynamics, most
    disadvantaged first (by rank, then kennziffer)."""
    values = result.values
    chosen = values[
        values["status_class"].astype(str).isin(ATTENTION_STATUS) & (values["dynamics_class"] == ATTENTION_DYNAMICS)
    ]
    return [int(k) for k in chosen.sort_values(["rank", "kennziffer"])["kennziffer"]]


def class_changes(current: SozialindexResult, previous: SozialindexResult) -> pd.DataFrame:
    """Districts whose status class differs from ``previous`` (``kennziffer``, ``before``, ``after``,
    ``direction``: "ungünstiger" when the class is more disadvantaged now, else "günstiger"), and
    districts in only one of the two indexes (``before`` or ``after`` is "nicht einbezogen")."""
    order = {name: place for place, name in enumerate(STATUS_CLASSES)}
    before = previous.values.set_index("kennziffer")["status_class"].astype(str)
    after = current.values.set_index("kennziffer")["status_class"].astype(str)
    rows = []
    for kennziffer in sorted(set(before.index) | set(after.index)):
        old, new = before.get(kennziffer), after.get(kennziffer)
        if old == new:
            continue
        if old is None or new is None:
            direction = "neu einbezogen" if old is None else "nicht mehr einbezogen"
        else:
            direction = "ungünstiger" if order[new] > order[old] else "günstiger"
        rows.append(
            {
                "kennziffer": int(kennziffer),
                "before": old or "nicht einbezogen",
                "after": new or "nicht einbezogen",
                "direction": direction,
            }
        )
    return pd.DataFrame(rows, columns=["kennziffer", "before", "after", "direction"]).astype({"kennziffer": "int64"})
