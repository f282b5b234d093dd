"""The area × month panel CSV: layout, zeros filled in, and clear errors naming line and column."""

from __future__ import annotations

import numpy as np
import pytest

from sentinelle.errors import ImportRejected, InputError
from sentinelle.evaluate.panel import NEVER, Panel, read_panel


def test_reads_a_small_panel(write_csv):
    path = write_csv(
        """
        area,period,count,treated_from
        A,2012-01,4,2012-03
        A,2012-02,5,2012-03
        A,2012-04,2,2012-03
        B,2012-01,10,
        B,2012-02,12,
        B,2012-03,9,
        B,2012-04,11,
        """,
        "panel.csv",
    )
    panel = read_panel(path)
    assert panel.areas == ("A", "B")
    assert panel.month_labels == ["2012-01", "2012-02", "2012-03", "2012-04"]
    assert panel.counts.tolist() == [[4, 5, 0, 2], [10, 12, 9, 11]]
    assert panel.filled_zeros == 1  # A in 2012-03 was absent
    assert panel.treated_from[0] == 2012 * 12 + 2 and panel.treated_from[1] == NEVER
    assert panel.treated.tolist() == [[False, False, True, True], [False] * 4]
    assert panel.cohorts() == {"2012-03": ["A"], "never": ["B"]}


def test_round_trip_and_semicolons(tmp_path, write_csv):
    panel = Panel.from_arrays(
        np.array([[1, 2, 3], [4, 5, 6]]), treated_from=[2013 * 12 + 1, None],
        first_month=2013 * 12, areas=["Gare", "Colombier"],
    )
    out = panel.write_csv(tmp_path / "p.csv")
    again = read_panel(out)
    assert again.counts.tolist() == panel.counts.tolist()
    assert again.treated_from.tolist() == panel.treated_from.tolist()
    semi = write_csv("area;period;count\nA;2020-01;3\nA;2020-02;4", "semi.csv")
    assert read_panel(semi).counts.tolist() == [[3, 4]]


def test_every_bad_row_is_named(write_csv):
    path = write_csv(
        """
        area,period,count,treated_from
        A,2012-01,4,2012-03
        A,2012-13,5,2012-03
        A,2012-02,-1,2012-03
        A,2012-02,2.5,2012-03
        ,2012-02,2,
        A,2012-01,3,2012-03
        A,2012-05,3,2012-04
        B,2012-01,3,mars 2012
        """,
        "bad.csv",
    )
    with pytest.raises(ImportRejected) as info:
        read_panel(path)
    where = {(e.line, e.field) for e in info.value.errors}
    assert (3, "period") in where  # month 13
    assert (4, "count") in where  # negative
    assert (5, "count") in where  # fractional
    assert (6, "area") in where  # empty name
    assert (7, "period") in where  # same area and month as line 2
    assert (8, "treated_from") in where  # changes within the area
    assert (9, "treated_from") in where  # not YYYY-MM
    text = "\n".join(str(e) for e in info.value.errors)
    assert "bad.csv, line 3, field `period`" in text
    assert "already appear on line 2" in text
    assert "2012-03 on line 2" in text


def test_missing_column_and_empty_file(write_csv, tmp_path):
    with pytest.raises(InputError, match="line 1, field `count`: missing column count"):
        read_panel(write_csv("area,period\nA,2012-01", "p.csv"))
    with pytest.raises(InputError, match="unknown column treated"):
        read_panel(write_csv("area,period,count,treated\nA,2012-01,1,", "q.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        read_panel(empty)
    with pytest.raises(InputError, match="no such file"):
        read_panel(tmp_path / "absent.csv")
