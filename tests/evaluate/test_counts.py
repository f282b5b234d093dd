"""Reading and validating the counts CSV: good files, and bad rows named by line and column."""

from __future__ import annotations

import numpy as np
import pytest

from sentinelle.errors import ImportRejected, InputError
from sentinelle.evaluate.counts import CountsTable, read_counts

HEADER = "area,treated_before,treated_after,control_before,control_after"


def test_reads_the_example(example_counts):
    t = read_counts(example_counts)
    assert len(t) == 9
    assert t.has_buffer and not t.has_harm_weight
    assert t.areas[0] == "Place Sainte-Anne"
    first = t.rows[0]
    assert (first.treated_before, first.treated_after) == (142, 118)
    assert (first.buffer_control_before, first.buffer_control_after) == (260, 251)
    assert first.line == 2 and first.harm_weight == 1.0
    np.testing.assert_array_equal(t.column("treated_before")[:3], [142.0, 88.0, 35.0])


def test_semicolons_bom_blank_lines_and_harm_weight(tmp_path):
    path = tmp_path / "fr.csv"
    text = (
        "\ufeffarea;treated_before;treated_after;control_before;control_after;harm_weight\n"
        "\n"
        "Gare;10;8;40;44;2.5\n"
        "Gare vols;3;0;12;10;1\n"
    )
    path.write_text(text, encoding="utf-8")
    t = read_counts(path)
    assert t.areas == ["Gare", "Gare vols"]
    assert t.has_harm_weight and not t.has_buffer
    assert t.rows[0].harm_weight == 2.5
    assert t.rows[0].line == 3  # the blank line 2 is skipped but counted
    assert t.rows[1].treated_after == 0  # a single zero is allowed (continuity correction later)


def test_counts_written_as_decimals_are_accepted_when_whole(write_csv):
    t = read_counts(write_csv(f"{HEADER}\nA,12.0,8,30,31"))
    assert t.rows[0].treated_before == 12


def test_negative_count_names_line_and_column(write_csv):
    path = write_csv(f"{HEADER}\nA,12,8,30,31\nB,5,-3,20,22")
    with pytest.raises(ImportRejected) as info:
        read_counts(path)
    msg = str(info.value)
    assert "line 3" in msg and "`treated_after`" in msg and "negative" in msg
    assert str(path) in msg
    assert [(e.line, e.field) for e in info.value.errors] == [(3, "treated_after")]


def test_missing_column_is_named(write_csv):
    path = write_csv("area,treated_before,treated_after,control_before\nA,1,2,3")
    with pytest.raises(InputError) as info:
        read_counts(path)
    msg = str(info.value)
    assert "missing column control_after" in msg and "line 1" in msg


def test_all_zero_row_is_rejected(write_csv):
    path = write_csv(f"{HEADER}\nA,12,8,30,31\nB,0,0,0,0")
    with pytest.raises(ImportRejected, match=r"line 3: all counts are zero for area `B`"):
        read_counts(path)


def test_all_zero_row_counts_buffer_columns_too(write_csv):
    header = HEADER + ",buffer_before,buffer_after,buffer_control_before,buffer_control_after"
    # Treated and control are zero but the buffer is not: the row is kept.
    t = read_counts(write_csv(f"{header}\nA,0,0,0,0,5,6,20,21"))
    assert t.rows[0].buffer_before == 5
    with pytest.raises(ImportRejected, match="all counts are zero"):
        read_counts(write_csv(f"{header}\nA,0,0,0,0,0,0,0,0"))


def test_non_numeric_and_fractional_counts(write_csv):
    path = write_csv(f"{HEADER}\nA,douze,8,30,31\nB,5,2.5,20,22")
    with pytest.raises(ImportRejected) as info:
        read_counts(path)
    errors = info.value.errors
    assert [(e.line, e.field) for e in errors] == [(2, "treated_before"), (3, "treated_after")]
    assert "'douze'" in errors[0].reason and "whole number" in errors[1].reason
    assert "2 problems" in str(info.value)


def test_every_bad_row_is_reported_at_once(write_csv):
    path = write_csv(f"{HEADER}\nA,1,2,3,\n,1,2,3,4\nA,1,2,3,4")
    with pytest.raises(ImportRejected) as info:
        read_counts(path)
    reasons = [(e.line, e.field, e.reason) for e in info.value.errors]
    assert reasons[0][:2] == (2, "control_after") and "missing" in reasons[0][2]
    assert reasons[1][:2] == (3, "area") and "empty" in reasons[1][2]
    assert reasons[2][:2] == (4, "area") and "already appears on line 2" in reasons[2][2]


def test_unknown_column_lists_valid_ones(write_csv):
    with pytest.raises(InputError, match=r"unknown column harm_wieght; valid columns: area,"):
        read_counts(write_csv(f"{HEADER},harm_wieght\nA,1,2,3,4,1"))


def test_buffer_columns_come_in_fours(write_csv):
    with pytest.raises(InputError, match="missing buffer_control_before, buffer_control_after"):
        read_counts(write_csv(f"{HEADER},buffer_before,buffer_after\nA,1,2,3,4,5,6"))


def test_harm_weight_must_be_positive(write_csv):
    with pytest.raises(ImportRejected, match=r"line 2, field `harm_weight`: .*positive"):
        read_counts(write_csv(f"{HEADER},harm_weight\nA,1,2,3,4,0"))


def test_wrong_number_of_values(write_csv):
    with pytest.raises(InputError, match=r"line 2: 4 values for 5 columns"):
        read_counts(write_csv(f"{HEADER}\nA,1,2,3"))


def test_empty_file_header_only_and_missing_file(tmp_path, write_csv):
    empty = tmp_path / "empty.csv"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        read_counts(empty)
    with pytest.raises(InputError, match="no data rows"):
        read_counts(write_csv(HEADER))
    with pytest.raises(InputError, match="no such file"):
        read_counts(tmp_path / "absent.csv")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\nCl\u00f4teaux,1,2,3,4\n").encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_counts(path)


def test_from_records_uses_the_same_checks():
    t = CountsTable.from_records(
        [
            {
                "area": "A",
                "treated_before": 3,
                "treated_after": 4,
                "control_before": 5,
                "control_after": 6,
            }
        ]
    )
    assert t.rows[0].control_after == 6 and t.rows[0].line == 2
    with pytest.raises(ImportRejected, match="line 2, field `treated_before`: a count cannot be"):
        CountsTable.from_records(
            [
                {
                    "area": "A",
                    "treated_before": -1,
                    "treated_after": 4,
                    "control_before": 5,
                    "control_after": 6,
                }
            ]
        )


def test_column_checks_its_name(example_counts):
    t = read_counts(example_counts)
    with pytest.raises(InputError, match="unknown column `treated`"):
        t.column("treated")
