"""Reading user tables from CSV, Parquet and ARFF files."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from autometa._exceptions import InvalidInputError
from autometa._text_columns import decimal_commas, is_text, iso_dates, numbers_and_dates

__all__ = ["SUFFIXES", "column_as_read", "read_table"]

#: File suffixes understood by :func:`read_table`.
SUFFIXES = (".csv", ".tsv", ".txt", ".data", ".dat", ".parquet", ".pq", ".feather", ".arrow",
            ".arff", ".json", ".jsonl", ".ndjson")
#: Suffixes of text tables whose delimiter may also be runs of spaces (UCI's .data files).
WHITESPACE_SUFFIXES = (".txt", ".data", ".dat")
#: Compression suffixes a text table may carry on top (``data.csv.gz``); pandas decodes them.
COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz", ".zst")
#: Decompressing openers of the compressions read here too (an ARFF file, a table's head).
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
#: Delimiters tried besides the comma (see ``_read_delimited`` for how one is chosen).
DELIMITERS = (";", "\t", "|")
#: The delimiter of whitespace-separated tables: runs of spaces and tabs (pandas' regex).
WHITESPACE = r"\s+"
#: The first line with which spreadsheets (Excel) name a CSV file's delimiter: ``sep=;``.
_EXCEL_SEP = re.compile(rb"sep=([^\r\n])\r?\n")
#: Rows read to choose a text table's delimiter.
PROBE_ROWS = 20
#: Bytes read from the start of a text table to find comments, byte-order marks and fields.
HEAD_BYTES = 65536
#: An ARFF ``@attribute <name> date [<format>]`` line (``head`` ends before the type).
_ARFF_DATE = re.compile(
    r"""^(?P<head>\s*@attribute\s+(?P<name>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)\s+)"""
    r"date\b.*$", re.IGNORECASE | re.MULTILINE)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table from a CSV/TSV, Parquet, Feather, ARFF or JSON file, by the file suffix.

    Text tables (``.csv``, ``.tsv``, ``.txt``, ``.data``, ``.dat``) are read as pandas
    reads a CSV, with the delimiter among ``,``, ``;``, tab and ``|`` that fits the first
    rows best (every row as long as the header, then more numeric columns; in a ``.txt``,
    ``.data`` or ``.dat`` file runs of spaces and tabs compete too).  With ``;``, columns
    written with decimal commas (``1,5``) become numbers, as spreadsheets in many locales
    write them; a first line ``sep=;`` (Excel's) names the delimiter.  Lines starting with
    ``#`` before the header are skipped, surrounding spaces are stripped from column
    names, a UTF-16 or UTF-32 file (byte-order mark) is decoded as such and a file that
    is not UTF-8 is read as Windows-1252 (Excel's western encoding, where ``€`` is a
    byte), or Latin-1 where that fails.  Text columns whose every value
    is a number written with a currency, thousands separators or a percent sign
    (``$1,234.50``, ``45%``, ``1.234,50 €`` in a ``;`` file) or a dash for "none" become
    numbers (percentages as fractions); columns whose every value is an ISO 8601 date
    (``2024-03-01``, ``2024-03-01 12:30``) or a date whose values tell day from month
    (``31/01/2024``) become datetimes (their format is kept in ``attrs``, so that a
    pipeline fitted on the table reads a new file's dates the same way); a column where
    every date could be read either way (``01/03/2024``) stays text.  In a ``,`` file, a
    quoted number with a decimal comma counts as such when some value of its column proves
    it (``"0,860"``, ``"1,5"``; ``"1,250"`` alone has a thousands separator).
    Compressed text tables (``.csv.gz``, ``.tsv.zip``, ...) and ARFF files (``.arff.gz``,
    ``.bz2``, ``.xz``, ``.zip``) are decompressed.  Parquet and Feather (Arrow IPC) files
    are read by pyarrow.  JSON files hold one record per line (``.jsonl``, ``.ndjson``: JSON
    Lines) or a table as :meth:`pandas.DataFrame.to_json` writes it (``.json``: a list of
    records, columns, or the ``split`` and ``table`` layouts); their values keep their JSON
    types (``"007"`` stays text) and ISO 8601 date strings become datetimes.  A binary file
    named as a text table (a Parquet file, an image, a compressed file whose name does not
    say so, ...) is refused, naming what it looks like.

    ARFF nominal attributes become ``category`` columns, ``?`` becomes missing; the file
    is parsed with liac-arff (installed with ``openml``) when available, else with
    :func:`scipy.io.arff.loadarff` (which does not read string attributes).

    The command line reads its tables with this function, so ``recommend(read_table(path),
    target)`` in Python sees the table the CLI sees.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; its suffix (before a compression suffix) says how to read it.

    Returns
    -------
    pandas.DataFrame
        The table, target column included.

    Raises
    ------
    InvalidInputError
        If the file does not exist, has an unknown suffix, is binary under a text suffix,
        or cannot be parsed.

    Examples
    --------
    >>> df = autometa.read_table("examples/breast_cancer.csv")
    >>> rec = autometa.recommend(df, target="target")
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidInputError(f"path must be a file path (str or pathlib.Path), got "
                                f"{type(path).__name__}")
    path = Path(path)
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder, not a table file")
    if not path.is_file():
        raise InvalidInputError(f"no such file: {path}")
    if path.stat().st_size == 0:
        raise InvalidInputError(f"{path} is empty (0 bytes)")
    suffixes = [suffix.lower() for suffix in path.suffixes]
    compressed = len(suffixes) > 1 and suffixes[-1] in COMPRESSIONS
    suffix = suffixes[-2] if compressed else path.suffix.lower()
    if suffix in (".csv", ".tsv", ".arff", ".json", ".jsonl", ".ndjson", *WHITESPACE_SUFFIXES):
        if compressed:
            _refuse_compressed_binary(path)
        else:
            _refuse_binary(path)
    try:
        if suffix == ".csv" or suffix in WHITESPACE_SUFFIXES:
            return _read_delimited(path, whitespace=suffix in WHITESPACE_SUFFIXES)
        if suffix == ".tsv":
            return numbers_and_dates(_read_text(path, sep="\t"), decimal=".")
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".feather", ".arrow"):
            return pd.read_feather(path)
        if suffix == ".arff":
            return _read_arff(path)
        if suffix in (".json", ".jsonl", ".ndjson"):
            frame = pd.read_json(path, lines=suffix != ".json", dtype=False,
                                 **_json_layout(path, suffix))
            return iso_dates(_stripped_names(frame))
    except InvalidInputError:
        raise
    except (OSError, ValueError, UnicodeDecodeError, ImportError) as error:
        raise InvalidInputError(f"cannot read {path}: {error}") from error
    except Exception as error:  # parser-specific errors (pyarrow, liac-arff)
        raise InvalidInputError(f"cannot read {path}: {type(error).__name__}: {error}") \
            from error
    hint = f"; {_SAVE_AS_CSV}" if suffix in (".xlsx", ".xls", ".ods") else ""
    raise InvalidInputError(
        f"unknown file type {suffix!r} of {path}; use one of {', '.join(SUFFIXES)}{hint}")


def _read_text(path: Path, head: bytes | None = None, **kwargs: object) -> pd.DataFrame:
    """``pd.read_csv`` with ``?`` as missing (UCI, ARFF exports); not UTF-8: Windows-1252."""
    head = _head(path) if head is None else head
    options = {"na_values": ["?"], "skipinitialspace": True,
               "skiprows": _lines_before_header(head), **kwargs}
    wide = _wide_encoding(head)
    if wide:
        options.setdefault("encoding", wide)
    try:
        frame = _read_csv_typed_once(path, options)
    except UnicodeDecodeError:
        try:  # Windows-1252, as Excel saves on western Windows: '€' is 0x80 there
            options = {**options, "encoding": "cp1252"}
            frame = _read_csv_typed_once(path, options)
        except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
            options = {**options, "encoding": "latin-1"}
            frame = _read_csv_typed_once(path, options)
    twins = _header_twins(path, options, frame)
    # the parser returns one block per column; copy() consolidates them, so later column
    # inserts on a wide table do not warn about fragmentation
    frame = iso_dates(_stripped_names(frame.copy()))
    if twins:
        frame.attrs[HEADER_TWINS] = twins
    return frame


#: ``DataFrame.attrs`` key of the names a file's header repeats: name -> columns as read.
HEADER_TWINS = "autometa_header_twins"


def _header_twins(path: Path, options: dict[str, object],
                  frame: pd.DataFrame) -> dict[str, list[str]]:
    """Names the header repeats, with the columns pandas made of them (``a``, ``a.1``)."""
    if not any(isinstance(name, str) and re.fullmatch(r".+\.\d+", name)
               for name in frame.columns):
        return {}  # pandas renames a repeat to name.N: nothing to look for
    header = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False,
                         **{key: value for key, value in options.items()
                            if key in ("sep", "encoding", "skiprows", "skipinitialspace",
                                       "compression")})
    names = [str(value).strip() for value in header.iloc[0]]
    if len(names) != frame.shape[1]:
        return {}
    twins: dict[str, list[str]] = {}
    for name, read in zip(names, frame.columns, strict=True):
        twins.setdefault(name, []).append(str(read).strip())
    return {name: read for name, read in twins.items() if len(read) > 1}


def _read_csv_typed_once(path: Path, options: dict[str, object]) -> pd.DataFrame:
    """``pd.read_csv``; read again in one piece if its chunks typed a column differently.

    The parser reads large files in chunks and types each one on its own, so a column
    can come back as ints from one chunk and strings from the next (``12`` and ``"12"``,
    two categories); pandas then warns (``DtypeWarning``).  Such a file is read again with
    ``low_memory=False`` (one typing over all rows, 2-3 times slower); others are not.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.DtypeWarning)
        frame = pd.read_csv(path, **options)
    if any(issubclass(w.category, pd.errors.DtypeWarning) for w in caught):
        return pd.read_csv(path, **{**options, "low_memory": False})
    for w in caught:  # other warnings are the caller's
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return frame


#: Leading bytes of compressed files, and the suffix that names each compression.
_MAGIC = {b"\x1f\x8b": ".gz", b"BZh": ".bz2", b"\xfd7zXZ\x00": ".xz", b"PK\x03\x04": ".zip",
          b"\x28\xb5\x2f\xfd": ".zst"}
#: What spreadsheet users are told to do with a workbook.
_SAVE_AS_CSV = "save it from the spreadsheet as CSV"


class _Signature(NamedTuple):
    """The leading bytes of a binary file format, and what to do with such a file."""

    magic: bytes
    kind: str
    #: The suffix under which :func:`read_table` reads the format, if it does.
    suffix: str = ""
    advice: str = ""


#: Binary formats a file named as a text table may really be.
_SIGNATURES = (
    _Signature(b"PAR1", "a Parquet file", suffix=".parquet"),
    _Signature(b"ARROW1\x00\x00", "a Feather (Arrow IPC) file", suffix=".feather"),
    _Signature(b"FEA1", "a Feather file", suffix=".feather"),
    _Signature(b"\x89PNG\r\n\x1a\n", "a PNG image"),
    _Signature(b"\xff\xd8\xff", "a JPEG image"),
    _Signature(b"GIF87a", "a GIF image"),
    _Signature(b"GIF89a", "a GIF image"),
    _Signature(b"%PDF-", "a PDF document"),
    _Signature(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel (.xls) or other Office file",
               advice=_SAVE_AS_CSV),
    _Signature(b"SQLite format 3\x00", "an SQLite database"),
    _Signature(b"\x89HDF\r\n\x1a\n", "an HDF5 file"),
    _Signature(b"\x93NUMPY", "a NumPy array (.npy)"),
    _Signature(b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    _Signature(b"Rar!\x1a\x07", "a RAR archive"),
)
#: Magic numbers that also end their files (a text table may start with ``PAR1,PAR2``).
_FOOTED = (b"PAR1", b"FEA1")
#: Byte-order marks of UTF-16 and UTF-32 text, whose characters hold NUL bytes.
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
#: Control bytes no text table holds (tabs, line breaks, Ctrl-Z and escape are allowed).
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0e, 0x1a), *range(0x1c, 0x20)])
#: Share of a text table's first bytes that may be such control bytes (a stray NUL is read).
_CONTROL_SHARE = 0.01


def _refuse_binary(path: Path) -> None:
    """Refuse a binary file named as a text table, which pandas would parse as garbage.

    Parameters
    ----------
    path : pathlib.Path
        An uncompressed file with a text suffix (``.csv``, ``.arff``, ``.json``, ...).

    Raises
    ------
    InvalidInputError
        If the file starts like a spreadsheet, a compressed file or another binary format,
        or its first bytes hold NUL and other control bytes (unless UTF-16 or UTF-32).
    """
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    workbook = _zipped_workbook(path, head)
    if workbook:
        raise InvalidInputError(f"cannot read {path}: it is not a text table (it is "
                                f"{workbook}; {_SAVE_AS_CSV})")
    _refuse_unnamed_compression(path, head)
    signature = _signature(path, head)
    if signature is not None:
        raise InvalidInputError(f"cannot read {path}: it is not a text table (it starts like "
                                f"{signature.kind}{_binary_advice(path, signature)})")
    _refuse_control_bytes(path, head)


def _refuse_compressed_binary(path: Path) -> None:
    """Refuse a compressed file that does not decompress, or decompresses to a binary file.

    Parameters
    ----------
    path : pathlib.Path
        A file with a text suffix before a compression suffix (``t.csv.gz``).

    Raises
    ------
    InvalidInputError
        If its first bytes do not decompress as its suffix says, or the decompressed
        bytes start like a binary format or hold control bytes (unless UTF-16 or UTF-32).
    """
    try:
        head = _head(path)
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise InvalidInputError(f"cannot read {path}: it is not {path.suffix[1:]} data as its "
                                f"name says ({error}); rename or recompress it") from error
    if not head:
        return  # .zip and .zst: pandas decompresses them and says what is wrong
    for signature in _SIGNATURES:
        if head.startswith(signature.magic) and (signature.magic not in _FOOTED
                                                  or _control_share(head) > _CONTROL_SHARE):
            raise InvalidInputError(f"cannot read {path}: it is not a text table (it "
                                    f"decompresses to {signature.kind})")
    _refuse_control_bytes(path, head)


def _refuse_control_bytes(path: Path, head: bytes) -> None:
    """Refuse a file whose first bytes hold NUL bytes, unless UTF-16 or UTF-32 text."""
    if head.startswith(_WIDE_BOMS) or b"\x00" not in head:
        return  # UTF-16 and UTF-32 text hold NUL bytes; see _wide_encoding
    if _utf16_without_bom(head):
        raise InvalidInputError(f"cannot read {path}: it looks like UTF-16 text without a "
                                "byte-order mark; save it as UTF-8")
    if _control_share(head) > _CONTROL_SHARE:
        raise InvalidInputError(f"cannot read {path}: it is not a text table (its first bytes "
                                "hold control bytes such as NUL, as binary files do)")


def _zipped_workbook(path: Path, head: bytes) -> str:
    """What spreadsheet a ZIP file is (an ``.xlsx`` or ``.ods`` workbook), else ``""``."""
    if not head.startswith(b"PK\x03\x04"):
        return ""
    if b"application/vnd.oasis.opendocument.spreadsheet" in head[:128]:
        return "an OpenDocument spreadsheet (.ods)"
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return ""  # a damaged archive: told to rename it .zip like any other
    return "an Excel workbook (.xlsx)" if "xl/workbook.xml" in names else ""


def _refuse_unnamed_compression(path: Path, head: bytes) -> None:
    """A compressed text table whose name does not say so would be parsed as garbage."""
    for magic, compression in _MAGIC.items():
        if head.startswith(magic):
            raise InvalidInputError(
                f"{path} is compressed ({compression[1:]}) but its name does not say so: "
                f"rename it {path.name}{compression}, or decompress it")


def _signature(path: Path, head: bytes) -> _Signature | None:
    """The binary format a file starts (and, for some formats, ends) like, if any."""
    for signature in _SIGNATURES:
        if head.startswith(signature.magic) and (signature.magic not in _FOOTED
                                                  or _ends_with(path, signature.magic)):
            return signature
    return None


def _ends_with(path: Path, magic: bytes) -> bool:
    """Whether the file's last bytes are ``magic``."""
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - len(magic), 0))
        return handle.read() == magic


def _binary_advice(path: Path, signature: _Signature) -> str:
    """``; rename it to t.parquet`` where :func:`read_table` reads the format, else advice."""
    if signature.suffix:
        return f"; rename it to {path.with_suffix(signature.suffix).name}"
    return f"; {signature.advice}" if signature.advice else ""


def _control_share(head: bytes) -> float:
    """The share of :data:`_CONTROL_BYTES` among the bytes of a non-empty ``head``."""
    return (len(head) - len(head.translate(None, _CONTROL_BYTES))) / len(head)


def _utf16_without_bom(head: bytes) -> bool:
    """Whether NUL bytes fill every other byte: UTF-16 text of mostly ASCII characters."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > len(head) / 4 and min(even, odd) < max(even, odd) / 10


def _head(path: Path) -> bytes:
    """The first :data:`HEAD_BYTES` of a text table, decompressed when the suffix says so."""
    if path.suffix.lower() in (".zip", ".zst"):
        return b""  # pandas decodes these; no comment or BOM sniffing on them
    with _OPENERS.get(path.suffix.lower(), open)(path, "rb") as handle:
        return handle.read(HEAD_BYTES)


def _read_bytes(path: Path) -> bytes:
    """The whole file, decompressed by its suffix (``.gz``, ``.bz2``, ``.xz``, a ``.zip``)."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if not name.endswith("/")]
            if len(members) != 1:
                raise InvalidInputError(f"{path} holds {len(members)} files; it must hold "
                                        "exactly one table")
            return archive.read(members[0])
    if suffix == ".zst":
        raise InvalidInputError(f"{path}: a compressed ARFF file must be .gz, .bz2, .xz or "
                                ".zip")
    with _OPENERS.get(suffix, open)(path, "rb") as handle:
        return handle.read()


def _wide_encoding(head: bytes) -> str | None:
    """``"utf-32"`` or ``"utf-16"`` when the text starts with its byte-order mark.

    UTF-32's little-endian mark starts with UTF-16's, so it is checked first.
    """
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def _excel_delimiter(head: bytes) -> str | None:
    """The delimiter a spreadsheet's ``sep=;`` first line names, if the file has one."""
    match = _EXCEL_SEP.match(head.removeprefix(b"\xef\xbb\xbf"))
    return match.group(1).decode("latin-1") if match else None


#: At most this many title lines above a header are recognised as such.
MAX_TITLE_LINES = 5


def _lines_before_header(head: bytes) -> int:
    """Lines to skip before a text table's header: comments, else title lines."""
    return _leading_comments(head) or _title_lines(head)


def _title_lines(head: bytes) -> int:
    """How many title lines (a report's name, blank ``;;`` lines) come before the header.

    A spreadsheet's report export may start with a title ("Sales report 2024-03-01") and
    blank lines above the header: pandas takes the title for the header and reads one column
    of whole lines.  A line is a title when, whatever the delimiter, all its fields after
    the first are empty (``,y``, an index's empty name, is a header); they count only when
    the lines after them split, on one delimiter, into as many fields (two or more) each,
    the first of them (the header) with two or more non-empty ones.
    """
    encoding = _wide_encoding(head) or "utf-8-sig"
    lines = head.decode(encoding, "replace").splitlines()
    if len(head) == HEAD_BYTES:
        lines = lines[:-1]  # the last line may be cut off
    lines = lines[:MAX_TITLE_LINES + PROBE_ROWS + 1]

    def fields(line: str, sep: str) -> list[str]:
        return [field.strip() for field in next(csv.reader([line], delimiter=sep), [])]

    def title(line: str) -> bool:  # nothing after its first field, whatever the delimiter
        return not any(any(fields(line, sep)[1:]) for sep in (",", *DELIMITERS))

    try:
        count = 0
        while count < min(MAX_TITLE_LINES, len(lines)) and title(lines[count]):
            count += 1
        if count == 0 or count == len(lines):
            return 0
        rest = lines[count:]
        for sep in (",", *DELIMITERS):
            widths = [len(record) for record in csv.reader(rest, delimiter=sep) if record]
            if (len(widths) >= 2 and widths[0] >= 2 and len(set(widths)) == 1
                    and sum(map(bool, fields(rest[0], sep))) >= 2):
                return count
    except csv.Error:  # NUL bytes, runaway quotes: pandas will say what is wrong
        return 0
    return 0


def _leading_comments(head: bytes) -> int:
    """How many lines starting with ``#`` (or Excel's ``sep=;`` line) come before the header.

    The last ``#`` line is the header itself, not a comment, when it has as many fields
    as the record after it (``#id,x,y`` over ``1,0.5,a``; quoted fields counted as CSV
    readers count them).
    """
    if _excel_delimiter(head) is not None:
        return 1
    lines = head.removeprefix(b"\xef\xbb\xbf").splitlines(keepends=True)
    count = next((i for i, line in enumerate(lines) if not line.lstrip().startswith(b"#")),
                 len(lines))
    if count == 0 or count == len(lines):
        return 0
    last = lines[count - 1].decode("utf-8", "replace")
    rest = b"".join(lines[count:]).decode("utf-8", "replace")
    for sep in (",", ";", "\t", "|"):
        try:
            fields = len(next(csv.reader([last], delimiter=sep), []))
            following = len(next(csv.reader(io.StringIO(rest), delimiter=sep), []))
        except csv.Error:  # NUL bytes, runaway quotes: pandas will say what is wrong
            continue
        if fields > 1 and fields == following:
            return count - 1  # the last '#' line is split like the rows after it
    return count


def column_as_read(name: str, frame: pd.DataFrame) -> str:
    """The column a user names as written in the file, after :func:`read_table` stripped it.

    ``" y "`` (the header's spelling) is ``"y"`` once :func:`read_table` has stripped the
    header's spaces; any other name is returned unchanged.
    """
    if name not in frame.columns and name.strip() in frame.columns:
        return name.strip()
    return name


def _stripped_names(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names without surrounding spaces (``a, b , y``), unless that makes twins."""
    names = [name.strip() if isinstance(name, str) else name for name in frame.columns]
    if names == list(frame.columns) or len(set(names)) < len(names):
        return frame
    return frame.set_axis(names, axis=1)


def _read_delimited(path: Path, *, whitespace: bool) -> pd.DataFrame:
    """A delimited text table, split on the delimiter named or chosen.

    The delimiter is the one the first line names (Excel's ``sep=;``), else the one that
    fits the first rows best (:func:`_delimiter`).
    """
    head = _head(path)
    named = _excel_delimiter(head)
    chosen, trailing = (named, False) if named is not None else _delimiter(path, head,
                                                                           whitespace)
    options: dict[str, object] = {"sep": chosen, **({"index_col": False} if trailing else {})}
    with warnings.catch_warnings():  # "loss of data": the dropped fields are empty
        if trailing:
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
        frame = _read_text(path, head, **options)
        typed = numbers_and_dates(frame, decimal="," if chosen == ";" else ".")
        if chosen == ";":
            typed = _dotted_thousands(path, head, options, frame, typed)
    return typed


#: A whole number with points between its thousands (``212.685``, ``-1.250.000``), or
#: without any (``999``).
_DOTTED_WHOLE = r"[+-]?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)"


def _dotted_thousands(path: Path, head: bytes, options: dict[str, object],
                      raw: pd.DataFrame, typed: pd.DataFrame) -> pd.DataFrame:
    """Whole numbers with ``.`` thousands separators in a file of decimal commas, as such.

    pandas reads ``212.685`` as a decimal before the decimal commas are seen, so in a
    ``;`` file whose other columns have decimal commas (``12,5``) a column of populations
    would come back as 212.685 beside 999.  Where some column proves the decimal mark is a
    comma, float columns whose every value is a whole number with point-separated groups
    of three (or without points) are read again as text and converted.
    """
    commas = [position for position, dtype in enumerate(raw.dtypes)
              if is_text(dtype) and pd.api.types.is_numeric_dtype(typed.dtypes.iloc[position])
              and raw.iloc[:, position].dropna().astype(str).str.contains(r"\d,\d").any()]
    floats = [position for position, dtype in enumerate(raw.dtypes)
              if pd.api.types.is_float_dtype(dtype)]
    if not commas or not floats:
        return typed
    text = _read_text(path, head, **{**options, "usecols": floats, "dtype": str})
    converted = typed.copy()
    for position, (_, column) in zip(floats, text.items(), strict=True):
        values = column.dropna().str.strip()
        if (values.empty or not values.str.contains(".", regex=False).any()
                or not values.str.fullmatch(_DOTTED_WHOLE).all()):
            continue
        whole = pd.Series(values.str.replace(".", "", regex=False).astype(float),
                          index=values.index).reindex(column.index)
        converted.isetitem(position, whole if whole.isna().any() else whole.astype("int64"))
    return converted


def _delimiter(path: Path, head: bytes, whitespace: bool) -> tuple[str, bool]:
    """The delimiter that fits a text table's first rows best, and whether rows end with one.

    Candidates are ``,``, ``;``, tab and ``|`` (and, with ``whitespace``, runs of spaces
    and tabs: UCI's ``.data`` files, where a tab may precede the last field only), ranked
    on the first rows by: every row has as many fields as the header (and more than
    one), then more than one column,
    then numeric columns minus text ones (``1,5`` is a number when ``;`` separates,
    ``1;5`` is text when ``,`` does), then the number of columns, then rows no longer
    than the header; commas win what is left (runs of spaces, with ``whitespace``, when
    none gives two columns).  Rows a field longer than the header are R's row names
    (pandas makes them the index) unless that field is always empty: delimiters at the
    end of every row (spreadsheet exports), which are then ignored instead of shifting
    the columns.  When no candidate gives two columns but one that splits the header
    cannot parse the first rows (a row with a field too many), its parse error is raised,
    as it is for such a row further down the file.

    Raises
    ------
    pandas.errors.ParserError
        If no delimiter gives two columns and one that splits the header fails to parse.
    """
    best: tuple[bool, bool, int, int, bool] | None = None
    chosen, trailing = ",", False
    broken: list[tuple[int, pd.errors.ParserError]] = []  # (header fields, parse error)
    for sep in (",", *DELIMITERS, *((WHITESPACE,) if whitespace else ())):
        try:
            probe = _read_text(path, head, sep=sep, nrows=PROBE_ROWS)
        except pd.errors.ParserError as error:  # rows of unequal length: not this delimiter
            broken.append((next(iter(_field_counts(head, sep)), 0), error))
            continue
        score = _score(probe, head, sep)
        if best is None or score > best:
            best, chosen = score, sep
            trailing = _longer_rows(probe) and bool(probe.iloc[:, -1].isna().all())
    if best is not None and best[1]:
        return chosen, trailing
    _raise_split_header_error(broken)
    return (WHITESPACE, False) if whitespace else (chosen, trailing)


def _score(probe: pd.DataFrame, head: bytes, sep: str) -> tuple[bool, bool, int, int, bool]:
    """How well ``sep`` splits a table's first rows, read as ``probe`` (higher is better)."""
    typed = decimal_commas(probe) if sep == ";" else probe
    numeric = sum(pd.api.types.is_numeric_dtype(dtype) for dtype in typed.dtypes)
    widths = _field_counts(head, sep)
    regular = bool(widths) and widths[0] > 1 and len(set(widths)) == 1
    columns = probe.shape[1]
    return (regular, columns > 1, numeric - (columns - numeric), columns,
            not _longer_rows(probe))


def _longer_rows(probe: pd.DataFrame) -> bool:
    """Whether rows a field longer than the header made pandas read an index."""
    return not probe.index.equals(pd.RangeIndex(len(probe)))


def _raise_split_header_error(broken: list[tuple[int, pd.errors.ParserError]]) -> None:
    """Raise the parse error of the failed delimiter that splits the header most, if any.

    Parameters
    ----------
    broken : list of (int, pandas.errors.ParserError)
        The fields of the header split on each delimiter that failed to parse the first
        rows, and its error (commas first: they win ties).

    Raises
    ------
    pandas.errors.ParserError
        If one of them splits the header into more than one field.
    """
    fields, error = max(broken, key=lambda item: item[0], default=(0, None))
    if fields > 1 and error is not None:
        raise error


def _field_counts(head: bytes, sep: str) -> list[int]:
    """Fields of the header and the first rows (after leading comments) split on ``sep``."""
    encoding = _wide_encoding(head) or "utf-8-sig"
    lines = head.decode(encoding, "replace").splitlines(keepends=True)
    text = "".join(lines[_lines_before_header(head):])
    options: dict[str, Any] = {"delimiter": sep}
    if sep == WHITESPACE:  # runs of spaces and tabs, around the fields too
        text = "\n".join(line.replace("\t", " ").strip() for line in text.splitlines())
        options = {"delimiter": " ", "skipinitialspace": True}
    try:
        records = [len(record) for record in csv.reader(io.StringIO(text), **options)
                   if record]
    except csv.Error:  # NUL bytes, runaway quotes: pandas will say what is wrong
        return []
    if len(head) == HEAD_BYTES:
        records = records[:-1]  # the last record may be cut off
    return records[:PROBE_ROWS + 1]


#: How the ``split`` and ``table`` layouts of ``DataFrame.to_json`` start; other layouts
#: (records, columns) are pandas' default reading.
_JSON_LAYOUTS = {"split": re.compile(rb'\s*\{\s*"columns"\s*:\s*\['),
                 "table": re.compile(rb'\s*\{\s*"schema"\s*:\s*\{\s*"fields"')}


def _json_layout(path: Path, suffix: str) -> dict[str, str]:
    """``{"orient": ...}`` for a ``.json`` file in the split or table layout, else ``{}``."""
    if suffix != ".json":
        return {}
    head = _head(path)
    for orient, start in _JSON_LAYOUTS.items():
        if start.match(head.removeprefix(b"\xef\xbb\xbf")):
            return {"orient": orient}
    return {}


def _read_arff(path: Path) -> pd.DataFrame:
    try:
        import arff  # liac-arff, a dependency of openml
    except ImportError:
        return _read_arff_scipy(path)
    dates: list[str] = []  # liac-arff has no DATE type: read as strings, converted below

    def as_string(match: re.Match[str]) -> str:
        dates.append(match["name"].strip("'\""))
        return f"{match['head']}STRING"

    text = _ARFF_DATE.sub(as_string, _read_bytes(path).decode("utf-8", errors="replace"))
    data = arff.loads(text)
    columns = {}
    names = [name for name, _ in data["attributes"]]
    rows = data["data"]
    for position, (name, kind) in enumerate(data["attributes"]):
        values = [row[position] for row in rows]
        if name in dates:
            columns[name] = _arff_dates(pd.Series(values, dtype=object))
        elif isinstance(kind, list):
            columns[name] = pd.Categorical(values, categories=kind)
        elif isinstance(kind, str) and kind.upper() in ("NUMERIC", "REAL", "INTEGER"):
            columns[name] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        else:
            columns[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns, columns=names)


def _arff_dates(values: pd.Series) -> pd.Series:
    """An ARFF DATE column (ISO 8601 by default; other formats parsed value by value)."""
    try:
        return pd.to_datetime(values, format="ISO8601")
    except (ValueError, TypeError):
        return pd.to_datetime(values, format="mixed", errors="coerce")


def _read_arff_scipy(path: Path) -> pd.DataFrame:
    from scipy.io import arff as scipy_arff

    data, meta = scipy_arff.loadarff(io.StringIO(_read_bytes(path).decode("utf-8", "replace")))
    frame = pd.DataFrame(data)
    for name in meta.names():
        if meta[name][0] == "nominal":
            text = frame[name].map(lambda v: v.decode() if isinstance(v, bytes) else v)
            text = text.where(text != "?", np.nan)
            frame[name] = pd.Categorical(text, categories=list(meta[name][1]))
    return frame
