from datetime import date

import pytest

from sentinelle.registry.dates import PartialDate, parse_partial_date, read_date_field


@pytest.mark.parametrize(
    "text, expected, precision",
    [
        ("2016-07-08", PartialDate(2016, 7, 8), "day"),
        ("2012-11", PartialDate(2012, 11), "month"),
        ("2010", PartialDate(2010), "year"),
        ("08/07/16", PartialDate(2016, 7, 8), "day"),
        ("08/07/2016", PartialDate(2016, 7, 8), "day"),
        ("11/2013", PartialDate(2013, 11), "month"),
        # Spreadsheet serial: 43101 days after 1899-12-30 is 2018-01-01.
        ("43101", PartialDate(2018, 1, 1), "day"),
        ("Début 2019", PartialDate(2019), "year"),
        ("fin 2020", PartialDate(2020), "year"),
        ("2019-03-04T10:00:00Z", PartialDate(2019, 3, 4), "day"),
    ],
)
def test_dates_keep_their_precision(text, expected, precision):
    d = parse_partial_date(text)
    assert d == expected
    assert d.precision == precision


@pytest.mark.parametrize("text", ["inconnue", "#N/A", "<=2017", "2013/2014 (planned)", "?"])
def test_unknown_dates_are_none_and_keep_their_text(text):
    assert parse_partial_date(text) is None
    assert read_date_field(text) == (None, text)


def test_iso_text_keeps_no_raw_but_other_forms_do():
    assert read_date_field("2012-11") == (PartialDate(2012, 11), None)
    assert read_date_field("08/07/16") == (PartialDate(2016, 7, 8), "08/07/16")


def test_impossible_calendar_date_is_an_error():
    with pytest.raises(ValueError):
        parse_partial_date("31/02/2019")


def test_isoformat_and_storage_by_precision():
    assert PartialDate(2012, 11).isoformat() == "2012-11"
    assert PartialDate(2010).first_day == date(2010, 1, 1)
    assert PartialDate.from_stored(date(2012, 11, 1), "month") == PartialDate(2012, 11)
    assert PartialDate.from_stored(date(2012, 11, 1), "day") == PartialDate(2012, 11, 1)


def test_serial_number_origin_is_1899_12_30():
    # LibreOffice/Excel: serial 1 is 1899-12-31; 45658 is 2025-01-01.
    assert parse_partial_date("45658") == PartialDate(2025, 1, 1)
