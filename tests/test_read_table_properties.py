"""Properties of ``read_table``: any table written as a CSV dialect reads back; a binary file
or a broken row is refused with one clear line."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autometa._exceptions import InvalidInputError
from autometa._io import read_table

# text cells start with a letter (so they never look like numbers, dates or NA tokens)
# and may hold every delimiter, quotes, spaces, non-ASCII letters and line breaks
LETTERS = "abcxyzÄéü"
TEXT = st.builds(lambda head, tail: head + tail, st.sampled_from(LETTERS),
                 st.text(alphabet=LETTERS + ",;|\t\"' -.#\n", max_size=8))
NA_LIKE = {"n", "na", "nan", "null", "none", "n/a", "nat"}
DIALECTS = [  # (to_csv keywords, file name)
    ({}, "t.csv"),
    ({"sep": ";", "decimal": ","}, "t.csv"),
    ({"sep": ";"}, "t.csv"),
    ({"sep": "\t"}, "t.csv"),
    ({"sep": "|"}, "t.csv"),
    ({"sep": "\t"}, "t.tsv"),
    ({"encoding": "latin-1"}, "t.csv"),
    ({"encoding": "cp1252", "sep": ";"}, "t.csv"),  # Excel on western Windows
    ({"encoding": "utf-8-sig"}, "t.csv"),
    ({"encoding": "utf-16", "sep": ";"}, "t.csv"),
    ({"encoding": "utf-32"}, "t.csv"),  # its little-endian mark starts as UTF-16's
    ({}, "t.csv.gz"),
]


@st.composite
def tables(draw) -> pd.DataFrame:
    n_rows = draw(st.integers(1, 25))
    kinds = draw(st.lists(st.sampled_from(["float", "int", "text"]), min_size=2, max_size=5))
    columns = {}
    for position, kind in enumerate(kinds):
        name = f"{draw(st.sampled_from(['x', 'Größe', 'col b', '#id', 'm (a, b)', 'y']))}{position}"
        if kind == "float":
            values = draw(st.lists(st.one_of(
                st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 4)),
                st.just(np.nan)), min_size=n_rows, max_size=n_rows))
        elif kind == "int":
            values = draw(st.lists(st.integers(-10**6, 10**6), min_size=n_rows,
                                   max_size=n_rows))
        else:
            values = draw(st.lists(st.one_of(TEXT, st.none()), min_size=n_rows,
                                   max_size=n_rows))
            values = [None if v is not None and v.strip().lower() in NA_LIKE else v
                      for v in values]
            values = [v.strip() if v is not None else v for v in values]
            if all(v is None for v in values):  # an empty text column reads back as float
                values[0] = "a"
        columns[name] = values
    # at least two columns: a one-column CSV writes a missing cell as a blank line, which
    # no reader keeps, and a lone '#id' header line cannot be told from a comment
    return pd.DataFrame(columns)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(frame=tables(), dialect=st.sampled_from(DIALECTS))
def test_any_table_written_in_a_usual_dialect_reads_back_unchanged(tmp_path, frame, dialect):
    options, name = dialect
    path = tmp_path / name
    frame.to_csv(path, index=False, **options)
    read = read_table(path)
    assert list(read.columns) == list(frame.columns)
    assert len(read) == len(frame)
    for column in frame.columns:
        expected, got = frame[column], read[column]
        if pd.api.types.is_numeric_dtype(expected):
            np.testing.assert_allclose(got.to_numpy(dtype=float),
                                       expected.to_numpy(dtype=float), equal_nan=True)
        else:
            assert got.isna().tolist() == expected.isna().tolist(), column
            assert got.dropna().tolist() == expected.dropna().tolist(), column


def _xlsx_bytes() -> bytes:
    """A ZIP laid out as an Excel workbook (openpyxl is not a dependency)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


SMALL = pd.DataFrame({"x": np.arange(50) / 4, "y": ["a", "b"] * 25})
BINARIES = {  # name: (writes such a file, the message refusing it named misnamed.csv)
    "parquet": (lambda path: SMALL.to_parquet(path),
                r"misnamed.csv: it is not a text table \(it starts like a Parquet file; "
                r"rename it to misnamed.parquet\)"),
    "feather": (lambda path: SMALL.to_feather(path),
                r"misnamed.csv: it is not a text table \(it starts like a Feather \(Arrow IPC\) "
                r"file; rename it to misnamed.feather\)"),
    "png": (lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
            r"misnamed.csv: it is not a text table \(it starts like a PNG image\)"),
    "pdf": (lambda path: path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n" + bytes(400)),
            r"misnamed.csv: it is not a text table \(it starts like a PDF document\)"),
    "xlsx": (lambda path: path.write_bytes(_xlsx_bytes()),
             r"misnamed.csv: it is not a text table \(it is an Excel workbook \(.xlsx\); "
             r"save it from the spreadsheet as CSV\)"),
    "random-bytes": (lambda path: path.write_bytes(np.random.default_rng(0).bytes(5000)),
                     r"misnamed.csv: it is not a text table \(its first bytes hold control "
                     r"bytes such as NUL"),
}


@pytest.mark.parametrize("kind", list(BINARIES))
def test_a_binary_file_named_as_a_text_table_is_refused_naming_its_format(tmp_path, kind):
    # pandas read a Parquet file as a table of garbage ('ßOÝ?é&1…' the target), and a
    # PNG or random bytes failed with its raw "Error tokenizing data"
    write, message = BINARIES[kind]
    path = tmp_path / "misnamed.csv"
    write(path)
    with pytest.raises(InvalidInputError, match=message) as raised:
        read_table(path)
    assert "\n" not in str(raised.value).strip()
    for suffix in re.findall(r"rename it to misnamed(\.\w+)", str(raised.value)):
        assert read_table(path.rename(path.with_suffix(suffix))).equals(SMALL)  # as advised


@pytest.mark.parametrize("compression", [".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("kind", ["parquet", "png", "random-bytes"])
def test_a_compressed_binary_file_named_as_a_text_table_is_refused(tmp_path, kind,
                                                                    compression):
    # only uncompressed files were checked: a gzipped Parquet file named t.csv.gz failed
    # with pandas' "Error tokenizing data", gzipped random bytes read as a table of garbage
    write, _ = BINARIES[kind]
    write(tmp_path / "raw")
    path = tmp_path / f"misnamed.csv{compression}"
    path.write_bytes(_compress((tmp_path / "raw").read_bytes(), compression))
    with pytest.raises(InvalidInputError, match=r"misnamed.csv.* is not a text table \((it "
                       r"decompresses to|its first bytes hold)"):
        read_table(path)


def test_a_file_that_is_not_compressed_as_its_name_says_is_refused(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_text(SMALL.to_csv(index=False))
    with pytest.raises(InvalidInputError, match=r"t.csv.gz: it is not gz data as its name says"):
        read_table(path)
    SMALL.to_csv(tmp_path / "wide.csv.gz", index=False, encoding="utf-16")
    assert read_table(tmp_path / "wide.csv.gz").equals(SMALL)


def _compress(data: bytes, compression: str) -> bytes:
    import bz2
    import gzip
    import lzma

    return {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[compression](data)


def test_text_that_merely_looks_binary_still_reads(tmp_path):
    # a header starting like a Parquet file's magic number, UTF-16 with its NUL bytes, and
    # a stray NUL in a long file are text tables as before
    (tmp_path / "par.csv").write_text("PAR1,PAR2,y\n1,2,a\n3,4,b\n")
    assert list(read_table(tmp_path / "par.csv").columns) == ["PAR1", "PAR2", "y"]
    SMALL.to_csv(tmp_path / "wide.csv", index=False, encoding="utf-16")
    assert read_table(tmp_path / "wide.csv").equals(SMALL)
    text = SMALL.to_csv(index=False).replace("a\n", "a\x00\n", 1)
    (tmp_path / "stray.csv").write_text(text)
    assert read_table(tmp_path / "stray.csv")["x"].tolist() == SMALL["x"].tolist()


def _rows(sep: str, decimal: str, end: str) -> list[str]:
    rng = np.random.default_rng(0)
    header = sep.join(["age", "income", "city", "y"])
    return [header] + [sep.join([str(rng.integers(20, 70)),
                                 f"{rng.normal(5e4, 1e4):.2f}".replace(".", decimal),
                                 str(rng.choice(["NY", "LA"])),
                                 str(rng.choice(["yes", "no"]))]) + end for _ in range(80)]


@pytest.mark.parametrize("sep, decimal, end, name", [
    (",", ".", "", "t.csv"),
    (";", ",", "", "t.csv"),  # decimal commas: ',' splits rows unevenly too
    ("\t", ".", "", "t.csv"),
    ("|", ".", "", "t.csv"),
    (",", ".", ",", "t.csv"),  # a trailing delimiter on every row but the header
    (",", ".", "", "t.data"),  # may be split on runs of spaces instead
], ids=["comma", "semicolon", "tab", "pipe", "trailing-delimiters", "data"])
def test_a_row_with_a_field_too_many_is_a_parse_error_wherever_it_is(tmp_path, sep, decimal,
                                                                     end, name):
    # near the top, the delimiter failed on the first rows and was skipped for one that
    # read the whole file as a single text column
    fields = 4 + (end != "")
    for line in (4, 58):  # among the rows the delimiter is chosen on, and beyond them
        rows = _rows(sep, decimal, end)
        rows[line - 1] += f"{sep}extra"
        path = tmp_path / name
        path.write_text("\n".join(rows) + "\n")
        with pytest.raises(InvalidInputError, match=f"cannot read .*{name}: .*Expected "
                           f"{fields} fields in line {line}, saw {fields + 1}"):
            read_table(path)
    path.write_text("\n".join(_rows(sep, decimal, end)) + "\n")  # unbroken, it reads
    assert list(read_table(path).columns) == ["age", "income", "city", "y"]
