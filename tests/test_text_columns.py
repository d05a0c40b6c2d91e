"""Text columns that hold numbers or dates in disguise, as ``read_table`` converts them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autometa._io import read_table
from autometa._text_columns import (
    PROBE_VALUES,
    formatted_numbers,
    numeric_dates,
    stray_words,
)
from knowledge_base.portfolio import DATE_FORMATS


def _read(tmp_path, text: str, name: str = "t.csv") -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_table(path)


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) and not pd.api.types.is_numeric_dtype(column)


def test_currencies_thousands_percents_and_dashes_become_numbers(tmp_path):
    read = _read(tmp_path, 'price,share,delta,y\n'
                           '"$1,234.50",12.5%,-,a\n'
                           '$-7,0%,3.25,b\n'
                           '-$0.99,-100%,.5,a\n'
                           ',,"1,000,000",b\n')
    np.testing.assert_allclose(read["price"], [1234.5, -7.0, -0.99, np.nan])
    np.testing.assert_allclose(read["share"], [0.125, 0.0, -1.0, np.nan])
    np.testing.assert_allclose(read["delta"], [np.nan, 3.25, 0.5, 1e6])
    assert read["y"].tolist() == ["a", "b", "a", "b"]


def test_columns_in_mixed_units_or_with_a_word_stay_text(tmp_path):
    read = _read(tmp_path, 'two,mixed,word,dashes,sizes,y\n'
                           '$5,50%,12,-,"1,5",a\n'
                           '€5,0.5,n/a now,--,"12,3456",b\n'
                           '$6,7%,13,-,"1,500",a\n')
    for name in ("two", "mixed", "word", "dashes"):
        assert _is_text(read[name]), name
    assert read["two"].tolist() == ["$5", "€5", "$6"]
    # "1,5" cannot hold a thousands separator: the column's commas are decimal commas
    assert read["sizes"].tolist() == [1.5, 12.3456, 1.5]


def test_semicolon_files_read_european_amounts(tmp_path):
    read = _read(tmp_path, "amount;rate;plain;y\n"
                           "1.234,50 €;12,5 %;1,5;a\n"
                           "12 €;-3 %;-;b\n"
                           "1 000,25 €;0 %;2;a\n")
    np.testing.assert_allclose(read["amount"], [1234.5, 12.0, 1000.25])
    np.testing.assert_allclose(read["rate"], [0.125, -0.03, 0.0])
    np.testing.assert_allclose(read["plain"], [1.5, np.nan, 2.0])


def test_tab_separated_files_read_formatted_numbers_too(tmp_path):
    read = _read(tmp_path, "price\ty\n$1,000\ta\n$2.50\tb\n", name="t.tsv")
    assert read["price"].tolist() == [1000.0, 2.5]


def test_a_bad_value_after_the_probed_rows_keeps_the_column_text(tmp_path):
    rows = [f"${i},{i}/12/2024,y" for i in range(1, PROBE_VALUES + 10)]
    rows[-1] = "$5 each,15/13/2024,y"
    read = _read(tmp_path, "price,day,y\n" + "\n".join(rows) + "\n")
    assert _is_text(read["price"]) and _is_text(read["day"])


@pytest.mark.parametrize("values, expected", [
    (["31/01/2024", "01/02/2024", None], ["2024-01-31", "2024-02-01", None]),  # day first
    (["01/31/2024", "02/01/2024"], ["2024-01-31", "2024-02-01"]),  # month first
    (["31.1.2024", "1.2.2024"], ["2024-01-31", "2024-02-01"]),  # German, no leading zeros
    (["2024/01/31", "2024/02/01"], ["2024-01-31", "2024-02-01"]),  # year first
    (["31-01-2024 10:30", "01-02-2024 9:05"], ["2024-01-31 10:30", "2024-02-01 09:05"]),
    (["13/01/2024 10:30:15", "01/02/2024 09:05:00"],
     ["2024-01-13 10:30:15", "2024-02-01 09:05:00"]),
])
def test_dates_whose_values_tell_day_from_month_become_datetimes(values, expected):
    frame = pd.DataFrame({"d": pd.Series(values, dtype="str")})
    read = numeric_dates(frame)
    got = read["d"]
    assert pd.api.types.is_datetime64_any_dtype(got)
    assert got.tolist() == [pd.NaT if e is None else pd.Timestamp(e) for e in expected]
    # the format is kept, for a pipeline to read a new file's ambiguous dates the same way
    date_format = read.attrs[DATE_FORMATS]["d"]
    assert pd.to_datetime(frame["d"], format=date_format).tolist() == got.tolist()


@pytest.mark.parametrize("values", [
    ["01/02/2024", "02/01/2024"],  # day or month first: the values do not say
    ["31/01/2024", "01/31/2024"],  # both orders at once
    ["31/01/2024", "01.02.2024"],  # two separators
    ["31/02/2024", "01/02/2024"],  # no 31 February
    ["31/01/2024 10:30", "01/02/2024"],  # a time on some values only
    ["31/01/24", "01/02/24"],  # two-digit years
])
def test_ambiguous_or_invalid_dates_stay_text(values):
    frame = pd.DataFrame({"d": pd.Series(values, dtype="str")})
    assert numeric_dates(frame)["d"].tolist() == values


def test_plain_numbers_as_text_convert_and_a_later_nan_or_inf_word_keeps_them_text():
    plain = [f"{i * 0.25 - 3:g}" for i in range(PROBE_VALUES + 10)] + [" 1e3 ", None]
    frame = pd.DataFrame({"plain": plain,
                          "word": plain[:-2] + ["inf", "2"], "nan": plain[:-2] + ["nan", "1"]})
    out = formatted_numbers(frame)
    assert out["plain"].iloc[-2] == 1000.0 and np.isnan(out["plain"].iloc[-1])
    assert out["plain"].iloc[0] == -3.0
    assert _is_text(out["word"]) and _is_text(out["nan"])


def test_numbers_and_categorical_columns_pass_through_unchanged():
    frame = pd.DataFrame({"x": [1.5, 2.0], "c": pd.Categorical(["$1", "$2"]),
                          "o": pd.Series(["-", "-"], dtype=object)})
    out = formatted_numbers(numeric_dates(frame))
    pd.testing.assert_frame_equal(out, frame)


STYLES = {  # how a spreadsheet might write a number: (formatter, decimal mark, scale)
    "dollars": (lambda v: f"-${-v:,.2f}" if v < 0 else f"${v:,.2f}", ".", 1.0),
    "thousands": (lambda v: f"{v:,.3f}", ".", 1.0),
    "percent": (lambda v: f"{v * 100:.2f}%", ".", 100.0),
    "euros": (lambda v: f"{v:,.2f} €".replace(",", " ").replace(".", ","), ",", 1.0),
}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(style=st.sampled_from(sorted(STYLES)),
       values=st.lists(st.one_of(st.floats(-1e7, 1e7, allow_nan=False), st.none()),
                       min_size=1, max_size=30))
def test_formatted_numbers_read_back_as_the_numbers_written(tmp_path_factory, style, values):
    formatter, decimal, scale = STYLES[style]
    if all(v is None for v in values):
        values[0] = 1.0
    cells = ["-" if v is None else formatter(v) for v in values]
    sep = ";" if decimal == "," else ","
    path = tmp_path_factory.mktemp("t") / "t.csv"
    pd.DataFrame({"v": cells, "y": ["a"] * len(cells)}).to_csv(path, index=False, sep=sep)
    read = read_table(path)["v"]
    assert pd.api.types.is_float_dtype(read), cells[:3]
    written = np.array([np.nan if v is None else v for v in values])
    # the cells hold 2-3 decimals of the value (of the percentage for percents)
    np.testing.assert_allclose(read.to_numpy(), written, atol=0.006 / scale, rtol=0)


def test_read_table_is_public_and_reads_what_the_cli_reads(tmp_path):
    import autometa

    assert autometa.read_table is read_table
    assert "read_table" in autometa.__all__
    read = _read(tmp_path, 'price,y\n"$1,200",a\n$3,b\n')
    assert read["price"].tolist() == [1200.0, 3.0]


def test_numbers_with_a_few_stray_words_are_found_and_noted():
    from autometa._validation import check_table

    numbers = [f"{v:.2f}" for v in np.linspace(-5, 5, 200)]
    frame = pd.DataFrame({
        "footer": numbers[:-1] + ["Total"],  # a spreadsheet's total row
        "codes": ["unknown"] * 3 + numbers[3:-1] + ["#DIV/0!"],  # words first: still found
        "wordy": ["n.a."] * 20 + numbers[20:],  # 10 % words: a text column after all
        "clean": numbers,  # every value a number: read_table's job, not this one
        "text": ["alpha", "beta"] * 100,
        "target": [0, 1] * 100})
    found = stray_words(frame.drop(columns="target"))
    assert list(found) == ["footer", "codes"]
    assert found["codes"].to_dict() == {"unknown": 3, "#DIV/0!": 1}
    notes = [note for note in check_table(frame, "target")[2] if "few words" in note]
    assert notes == ["2 text feature column(s) hold numbers but for a few words: 'footer' "
                     "('Total' x1); 'codes' ('unknown' x3, '#DIV/0!' x1); the numbers are "
                     "used as categories: if the column measures a quantity, make those "
                     "cells empty (missing) to have it read as numbers"]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(n=st.integers(100, 400), seed=st.integers(0, 2**16),
       words=st.lists(st.sampled_from(["unknown", "Total", "#DIV/0!", "error", "tbd", "x"]),
                      min_size=1, max_size=5),
       kind=st.sampled_from(["str", "object"]))
def test_stray_words_anywhere_among_numbers_are_counted_exactly(n, seed, words, kind):
    rng = np.random.default_rng(seed)
    values = [f"{v:g}" if kind == "str" else float(v) for v in rng.normal(size=n) * 100]
    positions = rng.choice(n, size=len(words), replace=False)
    for position, word in zip(positions, words, strict=True):
        values[position] = word
    found = stray_words(pd.DataFrame({"x": pd.Series(values, dtype=object)}))
    assert found["x"].to_dict() == pd.Series(words).value_counts().to_dict()


def test_words_for_no_value_and_spreadsheet_errors_leave_numbers_numbers(tmp_path):
    # pandas knows 'N/A' and 'NULL' but not 'n.a.', 'unknown' or Excel's '#DIV/0!': the
    # column was text, its numbers categories (diabetes' bmi: R2 0.45 -> 0.37)
    read = _read(tmp_path, 'bmi,ratio,delta,label,y\n'
                           '21.5,1.5,−3.5,x,a\n'
                           'n.a.,#DIV/0!,−1,unknown,b\n'
                           'Unknown,2.5,2,y,a\n'
                           'missing,#VALUE!,0.25,z,b\n')
    np.testing.assert_allclose(read["bmi"], [21.5, np.nan, np.nan, np.nan])
    np.testing.assert_allclose(read["ratio"], [1.5, np.nan, 2.5, np.nan])
    np.testing.assert_allclose(read["delta"], [-3.5, -1.0, 2.0, 0.25])  # Unicode minus
    assert _is_text(read["label"])  # words among words: categories, 'unknown' one of them
    # a German export: decimal commas and Excel's German error value
    semicolons = _read(tmp_path, "a;b;y\n1,5;#WERT!;a\nn.a.;2;b\n2,5;−3;a\n")
    np.testing.assert_allclose(semicolons["a"], [1.5, np.nan, 2.5])
    np.testing.assert_allclose(semicolons["b"], [np.nan, 2.0, -3.0])


def test_accounting_negatives_and_currency_codes_are_amounts(tmp_path):
    # finance exports: negatives in parentheses or with a trailing minus (SAP), ISO codes
    # for the currency; each kept its column as text
    read = _read(tmp_path, 'a,b,c,d,y\n'
                           '"(1,234.00)",1234.00-,EUR 1.5,12.5 USD,x\n'
                           '"$1,000.50",99.5,EUR 2,"1,000.25 USD",y\n'
                           '(3),-2,EUR -3.25,7 USD,x\n')
    np.testing.assert_allclose(read["a"], [-1234.0, 1000.5, -3.0])
    np.testing.assert_allclose(read["b"], [-1234.0, 99.5, -2.0])
    np.testing.assert_allclose(read["c"], [1.5, 2.0, -3.25])
    np.testing.assert_allclose(read["d"], [12.5, 1000.25, 7.0])
    german = _read(tmp_path, "a;b;y\nEUR 1.234,56;1.234,56-;x\nEUR 12,50;(7,25);y\n")
    np.testing.assert_allclose(german["a"], [1234.56, 12.5])
    np.testing.assert_allclose(german["b"], [-1234.56, -7.25])
    # two currencies are two units: left as text
    mixed = _read(tmp_path, "a,y\nEUR 5,x\nUSD 3,y\n")
    assert _is_text(mixed["a"])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(columns=st.lists(st.lists(st.one_of(
    st.none(), st.sampled_from(["1", " 2.5 ", "-3e2", "\xa04\xa0", "٣", "unknown", "Total",
                                "a1", "x", ".5"])), min_size=0, max_size=500),
    min_size=1, max_size=4))
def test_the_stray_words_screen_keeps_every_column_the_full_probe_finds(columns):
    # the probe is screened for all columns at once (no digit, no number): the screen
    # must never drop a column the column-by-column probe would find
    from unittest import mock

    from autometa import _text_columns

    n = max(len(column) for column in columns)
    frame = pd.DataFrame({f"c{i}": pd.Series(column + [None] * (n - len(column)),
                                             dtype=object)
                          for i, column in enumerate(columns)})
    screened = _text_columns.stray_words(frame)
    with mock.patch.object(_text_columns, "_mostly_numbers",
                           lambda frame, positions: positions):
        full = _text_columns.stray_words(frame)
    assert screened.keys() == full.keys()
    for name in full:
        pd.testing.assert_series_equal(screened[name], full[name])
