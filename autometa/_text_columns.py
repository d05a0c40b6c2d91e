"""Text columns of a read table that hold numbers or dates in disguise.

A CSV carries no types: pandas reads a column as numbers only when every cell is a plain
number.  Spreadsheets and reports write numbers with decimal commas (``1,5``), thousands
separators (``1,234``), currency symbols (``$12.50``, ``12 €``), percent signs (``45%``)
and dashes for "none" (``-``), and dates as ``31/01/2024``.  Left as text, such a column
becomes a categorical feature with one level per value and loses its order.  Each
function below converts the columns whose every value is unambiguous and leaves any
other column as it is (text in, text out; never a half-converted column).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from knowledge_base.portfolio import DATE_FORMATS

__all__ = ["decimal_commas", "formatted_numbers", "is_text", "iso_dates", "numbers_and_dates",
           "numeric_dates", "stray_words"]

#: Values of a text column matched before trying to parse it as numbers or dates.
PROBE_VALUES = 100
#: A number written with a decimal comma (``-1,5``, ``,25``, ``3,1e-4``) or without a
#: fraction (``12``, ``-4e-05``).
_DECIMAL_COMMA = r"[+-]?(?:\d+,\d*|,\d+|\d+)(?:[eE][+-]?\d+)?"
#: A decimal comma no thousands separator could be: a whole part of 0 (``0,860``, ``,25``)
#: or a fraction of other than three digits (``1,5``, ``12,3456``).
_PROVEN_DECIMAL_COMMA = r"[+-]?(?:0?,\d+|\d+,(?:\d{1,2}|\d{4,}))(?:[eE][+-]?\d+)?"
#: An ISO 8601 date or date-time (``2024-03-01``, ``2024-03-01T12:30:00.5+01:00``).
_ISO_DATE = (r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
             r"(?:Z|[+-]\d{2}:?\d{2})?)?")
#: A plain number (``-1.5``, ``.25``, ``3e-4``), as Arrow's regular expressions match it.
_PLAIN_NUMBER = r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*"
#: At most this share of a text column's values, of at most :data:`STRAY_VALUES` distinct
#: words, may be other than numbers for :func:`stray_words` to name the column.
STRAY_SHARE = 0.05
STRAY_VALUES = 5
#: Cells that stand for "no value" in a column of formatted numbers (a lone dash or dot),
#: and words for it that pandas does not know (any case), with spreadsheets' error values.
PLACEHOLDERS = ("-", "--", "\u2013", "\u2014", ".")
MISSING_WORDS = ("na", "n/a", "n.a.", "none", "null", "nil", "missing", "unknown", "#n/a",
                 "#nv")
#: Those words in any case, or a spreadsheet's error value in any language (``#DIV/0!``,
#: ``#VALUE!``, ``#WERT!``, ``#NAME?``).
_MISSING = "(?i:" + "|".join(map(re.escape, MISSING_WORDS)) + r"|#[a-z/0]{1,10}[!?])"
#: Currency symbols written before or after an amount.
CURRENCIES = "$€£¥₹"
#: ISO 4217 codes of common currencies, written before or after an amount (``EUR 12,50``).
CURRENCY_CODES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "SEK", "NOK",
                  "DKK", "PLN", "CZK", "HUF", "BRL", "MXN", "ZAR", "KRW", "NZD", "SGD", "HKD")
#: A currency as matched (three capitals: a code, checked against the list afterwards).
_CURRENCY = "(?:[" + CURRENCIES + "]|[A-Z]{3})"
#: What is removed from an amount to leave its number: currencies, percent signs, spaces.
_UNITS = "[" + CURRENCIES + "%\\s]|[A-Z]{3}"
#: A date written with its day and month as one or two digits and a four-digit year,
#: day and month in either order (``31/01/2024``, ``1.2.2024``, ``01-31-2024 10:30``).
_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})"
    r"(?P<time>[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
#: The same, year first (``2024/01/31``): never ambiguous.
_YEAR_FIRST_DATE = re.compile(
    r"\d{4}(?P<sep>[/.])\d{1,2}(?P=sep)\d{1,2}(?P<time>[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


def _formatted_number(decimal: str) -> str:
    """A number with an optional currency, thousands separators and percent sign.

    ``decimal`` is the decimal mark (``.``: thousands are separated by ``,``; ``,``:
    by ``.``, a space or a narrow no-break space).  Signs may stand before or after the
    currency symbol (``-$5``, ``$-5``).
    """
    thousands = "," if decimal == "." else r"[. \u202f\u00a0]"
    sign = "[+\u2212-]"  # U+2212, the minus sign some exports write
    # a first group of 0 is no thousands (``0,860`` is a decimal comma)
    digits = rf"(?:[1-9]\d{{0,2}}(?:{thousands}\d{{3}})+|\d+)"
    number = rf"(?:{digits}(?:{re.escape(decimal)}\d*)?|{re.escape(decimal)}\d+)"
    # accountants write a negative amount in parentheses, (1,234.00), or with a trailing
    # minus, 1234.00- (SAP); unbalanced parentheses are refused when converting
    return (rf"\(?{sign}?(?:{_CURRENCY}\s?)?{sign}?{number}(?:[eE][+-]?\d+)?"
            rf"(?:\s?%|\s?{_CURRENCY})?\)?-?")


def _text_columns_matching(frame: pd.DataFrame, pattern: str | re.Pattern[str]
                           ) -> Iterator[tuple[Hashable, pd.Series, pd.Series]]:
    """``(name, column, stripped text)`` of the text columns whose values match ``pattern``.

    Only the first :data:`PROBE_VALUES` values are matched (a regular expression over
    every cell of a large table costs more than reading it); the caller's parser then
    checks every value and leaves the column as text if one does not parse.
    """
    positions = _text_positions(frame)
    # the first row read once: taking each column out of a wide table costs more
    firsts = frame.iloc[0, positions].tolist() if len(frame) else [None] * len(positions)
    for position, first in zip(positions, firsts, strict=True):
        if isinstance(first, str) and not re.fullmatch(pattern, first.strip()):
            continue  # most text columns end here, at a fraction of the probe's cost
        column = frame.iloc[:, position]
        probe = column.head(4 * PROBE_VALUES).dropna()
        if len(probe) < PROBE_VALUES:
            probe = column.dropna()
        probe = probe.head(PROBE_VALUES).astype(str).str.strip()
        if not probe.empty and probe.str.fullmatch(pattern).all():
            yield frame.columns[position], column, column.dropna().astype(str).str.strip()


def _text_positions(frame: pd.DataFrame) -> list[int]:
    """Positions of the columns of ``frame`` that hold text (see :func:`is_text`)."""
    return [position for position, dtype in enumerate(frame.dtypes) if is_text(dtype)]


def is_text(dtype: object) -> bool:
    """Whether a column of this type holds text (categories are a type someone chose)."""
    return (not isinstance(dtype, pd.CategoricalDtype)
            and not pd.api.types.is_numeric_dtype(dtype)
            and pd.api.types.is_string_dtype(dtype))


def stray_words(frame: pd.DataFrame) -> dict[Hashable, pd.Series]:
    """Text columns of plain numbers but for a few words (``"unknown"``, ``"Total"``).

    Such a column (a footer row, an error code, a word for "no value" that pandas does not
    know) is read as text, so its numbers become categories.  Returns, per column, how
    often each of its words occurs: at most :data:`STRAY_VALUES` distinct words, in at
    most :data:`STRAY_SHARE` of its values, the majority of its first
    :data:`PROBE_VALUES` values numbers.
    """
    found: dict[Hashable, pd.Series] = {}
    positions = _text_positions(frame)
    for position in _mostly_numbers(frame, positions):
        column = frame.iloc[:, position].dropna()
        probe = column.head(PROBE_VALUES).astype(str)
        if probe.empty or probe.str.fullmatch(_PLAIN_NUMBER).mean() <= 0.5:
            continue
        text = pa.array(column.astype(str), type=pa.string())
        numeric = pc.match_substring_regex(text, f"^{_PLAIN_NUMBER}$").to_numpy(
            zero_copy_only=False)
        words = column[~numeric].astype(str)
        if 0 < len(words) <= STRAY_SHARE * len(column) and words.nunique() <= STRAY_VALUES:
            found[frame.columns[position]] = words.value_counts()
    return found


def _mostly_numbers(frame: pd.DataFrame, positions: list[int]) -> list[int]:
    """Of the columns at ``positions``, those whose probe may be mostly plain numbers.

    A screen for :func:`stray_words`: columns whose probe (a column's first
    :data:`PROBE_VALUES` values, gaps left out) is mostly values without a digit are left
    out, for all columns at once on the table's first rows (a table of 5,000 text columns
    took 2 s column by column).  Columns whose probe reaches beyond those rows are kept
    for the caller to decide.
    """
    if not positions:
        return []
    cells = frame.iloc[:4 * PROBE_VALUES, positions].to_numpy(dtype=object)
    present = ~pd.isna(cells)
    taken = present & (np.cumsum(present, axis=0) <= PROBE_VALUES)
    texts = pa.array([str(value) for value in cells.T[taken.T]], type=pa.string())
    matched = np.zeros(cells.shape[::-1], dtype=bool)  # column-major, as the texts
    # a value holding no digit of any script is no number (the caller then matches
    # _PLAIN_NUMBER as Python does, whose \d and \s are wider than Arrow's)
    matched[taken.T] = pc.match_substring_regex(texts, r"\p{N}").to_numpy(
        zero_copy_only=False)
    n_taken, n_matched = taken.sum(axis=0), matched.sum(axis=1)
    beyond = (n_taken < PROBE_VALUES) & (len(frame) > cells.shape[0])
    return [position for position, n, hits, more
            in zip(positions, n_taken, n_matched, beyond, strict=True)
            if more or (n > 0 and hits / n > 0.5)]


def numbers_and_dates(frame: pd.DataFrame, *, decimal: str = ".") -> pd.DataFrame:
    """Text columns that hold numbers (any style above) or numeric dates, converted."""
    # in a file with decimal points, a quoted decimal comma counts only where a value proves
    # it (``"0,860"``, ``"1,5"``); ``"1,250"`` alone is a thousands separator
    frame = decimal_commas(frame, proven=decimal == ".")
    return numeric_dates(formatted_numbers(frame, decimal=decimal))


def iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose every value is an ISO 8601 date or date-time, as datetimes."""
    converted = {}
    for name, column, _ in _text_columns_matching(frame, _ISO_DATE):
        for utc in (False, True):  # mixed UTC offsets need utc=True to be compared
            try:
                converted[name] = pd.to_datetime(column, format="ISO8601", utc=utc)
                break
            except (ValueError, TypeError):  # a value that is no ISO date (2024-13-45)
                continue
    return frame.assign(**converted) if converted else frame


def decimal_commas(frame: pd.DataFrame, *, proven: bool = False) -> pd.DataFrame:
    """Text columns whose every value is a number with a decimal comma, as numbers.

    With ``proven``, only columns where some value cannot be a number with a thousands
    separator (``0,860``, ``1,5``; not ``1,250``) are converted: in a file whose decimal
    mark is a point, ``"1,250"`` means 1250.
    """
    converted = {}
    for name, column, text in _text_columns_matching(frame, _DECIMAL_COMMA):
        if not text.str.contains(",", regex=False).any():
            continue  # integers only: no decimal comma to read
        if proven and not text.str.fullmatch(_PROVEN_DECIMAL_COMMA).any():
            continue
        try:  # Arrow's string-to-float cast: 30x faster than pandas' through objects
            numbers = _to_float(text.str.replace(",", ".", regex=False))
        except pa.ArrowInvalid:
            continue  # a value that is no number: the column is text
        converted[name] = pd.Series(numbers, index=text.index).reindex(column.index)
    return frame.assign(**converted) if converted else frame


def formatted_numbers(frame: pd.DataFrame, *, decimal: str = ".") -> pd.DataFrame:
    """Text columns of numbers written with currencies, separators or percent signs.

    A column is converted when every value is such a number (``$1,234.50``, ``-12.5%``,
    ``12 €``, ``EUR 12.50``, ``−3.5`` with a Unicode minus, an accountant's negative
    ``(1,234.00)`` or ``1234.00-``) or a placeholder for "no value"
    (:data:`PLACEHOLDERS`, and in any case :data:`MISSING_WORDS` such as ``n.a.`` or
    ``unknown``, or a spreadsheet's error value such as ``#DIV/0!``; they become missing),
    at least one value is a number, and the column is in one unit: at most one currency, and
    either every number or none has a percent sign.  Percentages become fractions (``45%``
    is 0.45).  Any other column is returned as it was.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    decimal : {".", ","}, default="."
        The decimal mark; thousands are then separated by ``,`` (with ``.``) or by ``.``
        or a space (with ``,``, as in ``1.234,50 €``).
    """
    pattern = re.compile(_formatted_number(decimal) + "|" +
                         "|".join(map(re.escape, PLACEHOLDERS)) + "|" + _MISSING)
    thousands = re.compile("," if decimal == "." else r"[. \u202f\u00a0]")
    converted = {}
    for name, column, text in _text_columns_matching(frame, pattern):
        plain_numbers = _plain_numbers(text) if decimal == "." else None
        if plain_numbers is not None:  # the common case, without a regular expression
            converted[name] = pd.Series(plain_numbers, index=text.index).reindex(column.index)
            continue
        if len(text) > PROBE_VALUES and not text.str.fullmatch(pattern).all():
            continue
        numbers = text[~(text.isin(PLACEHOLDERS) | text.str.fullmatch(_MISSING))]
        if numbers.empty:
            continue
        joined = "\n".join(numbers.tolist())  # one search of the whole column's text
        negative = None
        if "(" in joined or ")" in joined or "-\n" in joined + "\n":  # (5) or 5-
            opened, closed = numbers.str.startswith("("), numbers.str.contains(")", regex=False)
            if (opened != closed).any():
                continue  # "(5" or "5)": no accountant's negative
            negative = opened | numbers.str.endswith("-")
            numbers = numbers.str.strip("()").str.rstrip("-")
        percent = numbers.str.endswith("%")
        currencies = set(re.findall(_CURRENCY, joined))
        if len(currencies) > 1 or not currencies <= set(CURRENCIES) | set(CURRENCY_CODES):
            continue  # amounts in two currencies, or three capitals that are no currency
        if 0 < percent.sum() < len(numbers):
            continue  # mixed units: fractions beside percents
        plain = (numbers.str.replace(_UNITS, "", regex=True)
                 .str.replace(thousands, "", regex=True).str.replace("\u2212", "-"))
        if negative is not None:
            plain = plain.where(~negative, "-" + plain)
        if decimal == ",":
            plain = plain.str.replace(",", ".", regex=False)
        try:
            values = _to_float(plain)
        except pa.ArrowInvalid:
            continue
        if percent.any():
            values = values / 100.0
        converted[name] = pd.Series(values, index=numbers.index).reindex(column.index)
    return frame.assign(**converted) if converted else frame


def numeric_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns of dates written with digits (``31/01/2024``), as datetimes.

    Day and month come in either order; a column is converted only when its values say
    which: some value has a first field above 12 and none a second (day first), or the
    other way round (month first).  A column where every field could be a day or a month
    (``01/02/2024``) stays text, as do mixed separators.  Year-first dates
    (``2024/01/31``) are never ambiguous.
    """
    converted, formats = {}, {}
    for name, column, text in _text_columns_matching(frame, _YEAR_FIRST_DATE):
        parsed = _parse_dates(column, text, "%Y{sep}%m{sep}%d",
                              text.str.extract(_YEAR_FIRST_DATE))
        if parsed is not None:
            converted[name], formats[name] = parsed
    for name, column, text in _text_columns_matching(frame, _NUMERIC_DATE):
        if name in converted:
            continue
        parts = text.str.extract(_NUMERIC_DATE)
        if parts["a"].isna().any():
            continue  # a later value is no date
        first, second = parts["a"].astype(int), parts["b"].astype(int)
        if (first > 12).any() and not (second > 12).any():
            order = "%d{sep}%m{sep}%Y"
        elif (second > 12).any() and not (first > 12).any():
            order = "%m{sep}%d{sep}%Y"
        else:
            continue  # day or month first? the values do not say
        parsed = _parse_dates(column, text, order, parts)
        if parsed is not None:
            converted[name], formats[name] = parsed
    if not converted:
        return frame
    frame = frame.assign(**converted)
    # kept for a pipeline fitted on the table: a new file whose dates do not tell day
    # from month stays text, and the pipeline reads it with the same format
    frame.attrs[DATE_FORMATS] = {**frame.attrs.get(DATE_FORMATS, {}), **formats}
    return frame


def _parse_dates(column: pd.Series, text: pd.Series, order: str,
                 parts: pd.DataFrame) -> tuple[pd.Series, str] | None:
    """``column`` parsed with ``order`` (one separator, times optional) and the format, or None.

    ``parts`` holds the date pattern's groups of each value of ``text`` (``sep`` and
    ``time`` among them).
    """
    separators = parts["sep"].unique()
    if len(separators) != 1 or pd.isna(separators[0]):
        return None
    date_format = order.format(sep=separators[0])
    times = parts["time"].dropna()
    if not times.empty:
        if len(times) != len(text) or times.str.strip().str.count(":").nunique() != 1:
            return None  # some values with a time, some without
        date_format += f"{times.iloc[0][0]}%H:%M" + (
            ":%S" if times.iloc[0].count(":") == 2 else "")
    try:
        parsed = pd.to_datetime(text, format=date_format)
    except (ValueError, TypeError):  # 31/02/2024, 10:75
        return None
    return parsed.reindex(column.index), date_format


def _plain_numbers(text: pd.Series) -> np.ndarray | None:
    """``text`` as floats when every value is a plain finite number (``-1.5e3``), else None.

    Arrow's cast also reads ``nan`` and ``inf``; those are left to the slower path, which
    does not take them for numbers.
    """
    try:
        values = _to_float(text)
    except pa.ArrowInvalid:
        return None
    return values if np.isfinite(values).all() else None


def _to_float(text: pd.Series) -> np.ndarray:
    """Arrow's string-to-float cast (30x faster than pandas' through objects)."""
    return pc.cast(pa.array(text, type=pa.string()), pa.float64()).to_numpy(
        zero_copy_only=False)
