"""In-process tests of ``autometa recommend``: file formats, tables, JSON, errors."""

from __future__ import annotations

import gzip
import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from autometa._cli import app
from autometa._durations import format_seconds
from autometa._exceptions import InvalidInputError
from autometa._io import read_table
from autometa._testing import make_table, synthetic_knowledge_base

runner = CliRunner()


@pytest.fixture(scope="module")
def kb_folder(tmp_path_factory):
    kb = synthetic_knowledge_base(n_classification=6, n_regression=5, seed=4)
    return kb.save(tmp_path_factory.mktemp("kb") / "tiny")


@pytest.fixture(autouse=True, scope="module")
def _private_cache(isolated_metamodel_cache):
    """Every test of this module uses its own meta-model cache."""


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    X, y = make_table(150, 5, task="classification", seed=8, n_classes=3, categorical=1)
    return X.assign(label=y)


@pytest.fixture(scope="module")
def files(table, tmp_path_factory):
    import arff

    folder = tmp_path_factory.mktemp("tables")
    table.to_csv(folder / "table.csv", index=False)
    table.to_parquet(folder / "table.parquet")
    attributes = []
    for name, column in table.items():
        if isinstance(column.dtype, pd.CategoricalDtype):
            attributes.append((name, [str(c) for c in column.cat.categories]))
        else:
            attributes.append((name, "REAL"))
    rows = [[None if pd.isna(v) else (str(v) if isinstance(v, str) else float(v))
             for v in row] for row in table.astype(object).itertuples(index=False)]
    (folder / "table.arff").write_text(arff.dumps({
        "relation": "table", "attributes": attributes, "data": rows}))
    with gzip.open(folder / "table.arff.gz", "wb") as handle:  # as OpenML's downloads
        handle.write((folder / "table.arff").read_bytes())
    table.to_feather(folder / "table.feather")
    table.to_json(folder / "table.jsonl", orient="records", lines=True)
    table.to_json(folder / "table.json.gz", orient="records")
    return folder


def _invoke(*args: str):
    return runner.invoke(app, ["recommend", *map(str, args)])


@pytest.mark.parametrize("name", ["table.csv", "table.parquet", "table.arff", "table.arff.gz",
                                  "table.feather", "table.jsonl", "table.json.gz"])
def test_formats_give_the_same_json(files, kb_folder, name):
    result = _invoke(files / name, "--target", "label", "--kb", kb_folder, "--json",
                     "--top", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["task"] == "classification" and data["target"] == "label"
    assert len(data["configs"]) == 3
    assert data["n_samples"] == 150 and data["n_features"] == 5
    reference = json.loads(_invoke(files / "table.csv", "--target", "label", "--kb",
                                   kb_folder, "--json", "--top", "3").stdout)
    assert [c["config_id"] for c in data["configs"]] == [
        c["config_id"] for c in reference["configs"]]


def test_rich_tables_and_explain(files, kb_folder):
    result = _invoke(files / "table.csv", "--kb", kb_folder, "--explain")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "target label (classification)" in out  # default target: the last column
    for title in ("Algorithms", "Configurations to try", "Most similar knowledge-base",
                  "Meta-features that drove"):
        assert title in out
    assert "lightgbm" in out
    # fit times with a readable unit, not 8.7e+02 s
    assert re.search(r"│ +\d+(\.\d+)? (s|min|h|d) │", out)
    assert not re.search(r"e\+\d+ s │", out)


@pytest.mark.parametrize("seconds, text", [
    (0.0123, "0.012 s"), (0.35, "0.35 s"), (9.4, "9.4 s"), (12.4, "12 s"), (59.4, "59 s"),
    (870.0, "14 min"), (3599.0, "60 min"), (3600.0, "1 h"), (16394.0, "4.6 h"),
    (50 * 3600.0, "2.1 d"), (float("nan"), "-"), (float("inf"), "-")])
def test_durations_read_with_a_unit(seconds, text):
    assert format_seconds(seconds) == text


def test_json_with_explanation(files, kb_folder):
    result = _invoke(files / "table.parquet", "--kb", kb_folder, "--json", "--explain",
                     "--metric", "accuracy", "--task", "classification")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["metric"] == "accuracy"
    assert data["explanation"]["neighbors"] and data["explanation"]["drivers"]


@pytest.mark.parametrize("args, message", [
    (["--target", "nope"], "'nope' is not a column"),
    (["--metric", "rmse"], "does not apply"),
])
def test_bad_input_is_one_clean_line(files, kb_folder, args, message):
    result = _invoke(files / "table.csv", "--kb", kb_folder, *args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0]


def test_a_target_named_as_the_header_spells_it_with_spaces(table, tmp_path, kb_folder):
    # read_table strips the header's spaces (" label " -> "label"); the name as written in
    # the file still finds the column, in every command that takes a target
    table.rename(columns={"label": " label "}).to_csv(tmp_path / "spaced.csv", index=False)
    result = _invoke(tmp_path / "spaced.csv", "--kb", kb_folder, "--target", " label ",
                     "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"] == "label"
    result = runner.invoke(app, ["metafeatures", str(tmp_path / "spaced.csv"),
                                 "--target", " label ", "--json"])
    assert result.exit_code == 0, result.output


def test_names_in_square_brackets_are_printed_as_written(table, tmp_path, kb_folder):
    # units in brackets are common in headers; rich read them as markup: '[units]'
    # vanished from the output and '[/b]' crashed it
    renamed = table.rename(columns={"label": "kind [class]"}).assign(
        **{"row [/b]": range(len(table)), "sample [id]": [f"S{i}" for i in range(len(table))]})
    renamed.to_csv(tmp_path / "brackets [v2].csv", index=False)
    result = _invoke(tmp_path / "brackets [v2].csv", "--kb", kb_folder, "--target",
                     "kind [class]", "--top", "1")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "brackets [v2].csv: 150 rows" in text and "target kind [class]" in text
    assert "'row [/b]'" in text and "'sample [id]'" in text


def test_names_the_header_repeats_are_noted_and_an_ambiguous_target_refused(table, tmp_path,
                                                                            kb_folder):
    # pandas renames a repeated name 'label.1': the target could silently be another column
    path = tmp_path / "twins.csv"
    table.to_csv(path, index=False, header=["x0", "x0", "x2", "x3", "x4", "label"])
    result = _invoke(path, "--kb", kb_folder, "--target", "label", "--json")
    assert result.exit_code == 0, result.output
    assert ("the file's header repeats 1 name(s): 'x0' x2 (read as 'x0', 'x0.1')"
            in " ".join(json.loads(result.stdout)["notes"]))
    table.assign(copy=table["x1"]).to_csv(
        path, index=False, header=["x0", "x1", "x2", "x3", "x4", "label", "label"])
    ambiguous = _invoke(path, "--kb", kb_folder, "--target", "label")
    assert ambiguous.exit_code == 1 and "Traceback" not in ambiguous.output
    assert ("the file's header names 2 columns 'label' (read as 'label', 'label.1'); which "
            "one is the target?") in " ".join(ambiguous.stderr.split())
    assert _invoke(path, "--kb", kb_folder, "--target", "label.1").exit_code == 0
    assert read_table(tmp_path / "twins.csv").attrs  # kept for recommend and tune


def test_an_out_of_range_option_is_a_usage_error_naming_it(files, kb_folder):
    result = _invoke(files / "table.csv", "--kb", kb_folder, "--top", "0")
    assert result.exit_code == 2  # click's usage error, before any work
    assert "--top" in result.output and "Traceback" not in result.output


def test_missing_file_and_unknown_suffix(tmp_path, kb_folder):
    result = _invoke(tmp_path / "absent.csv", "--kb", kb_folder)
    assert result.exit_code == 1 and "no such file" in result.stderr
    (tmp_path / "table.xlsx").write_text("x")
    result = _invoke(tmp_path / "table.xlsx", "--kb", kb_folder)
    assert result.exit_code == 1 and "unknown file type" in result.stderr
    assert "save it from the spreadsheet as CSV" in " ".join(result.stderr.split())


def test_a_compressed_file_named_as_plain_text_is_a_clear_error(table, tmp_path):
    # parsed as text, its bytes became the column names ('\x8b\x08...')
    with gzip.open(tmp_path / "table.csv", "wt") as handle:
        table.to_csv(handle, index=False)
    with pytest.raises(InvalidInputError, match=r"table.csv is compressed \(gz\) but its name "
                       r"does not say so: rename it table.csv.gz"):
        read_table(tmp_path / "table.csv")
    (tmp_path / "table.csv").rename(tmp_path / "table.csv.gz")
    assert read_table(tmp_path / "table.csv.gz").shape == table.shape


def test_without_target_the_last_column_with_values_is_predicted_and_named(table, tmp_path,
                                                                            kb_folder):
    # a trailing delimiter on every line makes an empty last column: not the target
    path = tmp_path / "trailing.csv"
    path.write_text("".join(line.rstrip("\n") + ",\n"
                            for line in table.to_csv(index=False).splitlines(True)))
    result = _invoke(path, "--kb", kb_folder, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"] == "label"
    assert "no --target given: predicting 'label', the last column with values" in \
        result.stderr
    # when the guessed column cannot be a target, the error names it
    path = tmp_path / "constant_last.csv"
    table.assign(status="ok").to_csv(path, index=False)
    failed = _invoke(path, "--kb", kb_folder)
    assert failed.exit_code == 1
    assert ("no --target given, so the last column with values, 'status', was taken as the "
            "target: the target has a single class ('ok')") in " ".join(failed.stderr.split())


def test_a_folder_or_a_non_path_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidInputError, match="is a folder, not a table file"):
        read_table(tmp_path)
    with pytest.raises(InvalidInputError, match="path must be a file path.*got int"):
        read_table(123)


def test_missing_knowledge_base_folder(files, tmp_path):
    result = _invoke(files / "table.csv", "--kb", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and "Traceback" not in result.output


def test_read_table(files, table):
    for name in ("table.csv", "table.parquet", "table.arff", "table.arff.gz", "table.feather",
                 "table.jsonl", "table.json.gz"):
        frame = read_table(files / name)
        assert frame.shape == table.shape
        assert list(frame.columns) == list(table.columns)
    arff_frame = read_table(files / "table.arff")
    assert isinstance(arff_frame["label"].dtype, pd.CategoricalDtype)
    (files / "broken.parquet").write_text("not parquet")
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_table(files / "broken.parquet")
    (files / "broken.jsonl").write_text('{"a": 1}\nnot json\n')
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_table(files / "broken.jsonl")


def test_json_values_keep_their_types_and_iso_dates_become_datetimes(tmp_path):
    (tmp_path / "t.jsonl").write_text(
        '{"code": "007", "when": "2024-03-01", "x": 1.5, "y": 0}\n'
        '{"code": "012", "when": "2024-03-02", "x": null, "y": 1}\n')
    frame = read_table(tmp_path / "t.jsonl")
    assert frame["code"].tolist() == ["007", "012"]  # text stays text
    assert pd.api.types.is_datetime64_any_dtype(frame["when"])
    assert frame["x"].isna().tolist() == [False, True]
    assert frame["y"].tolist() == [0, 1]


@pytest.mark.parametrize("orient", ["records", "columns", "split", "table"])
def test_json_tables_read_in_the_layouts_pandas_writes(tmp_path, orient):
    # split: "All arrays must be of the same length"; table: "Mixing dicts with non-Series"
    frame = pd.DataFrame({"x": [1.5, 2.5, 3.5], "code": ["a", "b", "007"], "y": [0, 1, 0]})
    frame.to_json(tmp_path / "t.json", orient=orient)
    frame.to_json(tmp_path / "t.json.gz", orient=orient)
    for name in ("t.json", "t.json.gz"):
        read = read_table(tmp_path / name)
        assert read.reset_index(drop=True).astype(object).equals(frame.astype(object)), name


def test_a_wide_csv_reads_as_a_consolidated_frame(tmp_path):
    import warnings

    import numpy as np

    path = tmp_path / "wide.csv"
    pd.DataFrame(np.arange(5 * 150).reshape(5, 150)).add_prefix("c").to_csv(path, index=False)
    frame = read_table(path)
    assert frame.shape == (5, 150)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        frame = frame.assign(extra=1)  # a fragmented frame warns here
    assert frame["extra"].sum() == 5


@pytest.mark.parametrize("write", [
    lambda frame, path: frame.to_csv(path, index=False, sep=";"),
    lambda frame, path: frame.to_csv(path, index=False, sep="\t"),
    lambda frame, path: frame.to_csv(path, index=False, sep="|"),
    lambda frame, path: frame.to_csv(path, index=False, encoding="latin-1"),
    lambda frame, path: frame.assign(city=frame["city"] + " €").to_csv(
        path, index=False, sep=";", encoding="cp1252"),  # Excel on western Windows
    lambda frame, path: frame.to_csv(path, index=False, encoding="utf-8-sig"),
    lambda frame, path: frame.to_csv(path, index=False, sep=";", decimal=","),
    lambda frame, path: frame.to_csv(path.with_suffix(".csv.gz"), index=False),
    lambda frame, path: path.write_text("\n".join(  # UCI style: ", " and "?" for missing
        ", ".join("?" if pd.isna(v) else str(v) for v in row)
        for row in [frame.columns, *frame.itertuples(index=False)]) + "\n"),
    lambda frame, path: frame.to_csv(path, index=False, encoding="utf-16"),
    lambda frame, path: path.write_text("# exported by a logger\n# units: SI, metric\n"
                                        + frame.to_csv(index=False)),
    lambda frame, path: frame.rename(columns=lambda name: f" {name} ").to_csv(path,
                                                                            index=False),
], ids=["semicolon", "tab", "pipe", "latin-1", "cp1252", "bom", "decimal-comma", "gzip",
        "uci-style",
        "utf-16", "comment-lines", "spaced-names"])
def test_csv_dialects_read_as_the_same_table(tmp_path, write):
    import numpy as np

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=30).round(4),
                          "city": ["Köln", "Zürich", "Lyon"] * 10,
                          "n": np.arange(30), "y": ["a", "b"] * 15})
    frame.loc[3, "x"] = np.nan
    write(frame, tmp_path / "t.csv")
    path = next(tmp_path.iterdir())
    read = read_table(path)
    assert list(read.columns) == list(frame.columns)
    np.testing.assert_allclose(read["x"].to_numpy(dtype=float), frame["x"].to_numpy(),
                               equal_nan=True)
    assert [city.removesuffix(" €") for city in read["city"]] == frame["city"].tolist()
    assert read["n"].tolist() == frame["n"].tolist()


def test_a_semicolon_csv_whose_decimal_commas_confuse_the_comma_parser(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b;y\n1,5;2;x\n0,25;3,75;z\n")  # commas: 2 fields, then 3
    read = read_table(path)
    assert read["a"].tolist() == [1.5, 0.25] and read["b"].tolist() == [2.0, 3.75]
    assert read["y"].tolist() == ["x", "z"]


@pytest.mark.parametrize("text", [
    "sep=;\na;b;y\n1,5;2;x\n2,5;3;z\n",  # Excel's line naming the delimiter
    "\ufeffsep=;\r\na;b;y\r\n1,5;2;x\r\n2,5;3;z\r\n",  # with a byte-order mark, CRLF
])
def test_a_first_line_naming_the_delimiter_is_obeyed(tmp_path, text):
    (tmp_path / "excel.csv").write_bytes(text.encode("utf-8"))
    frame = read_table(tmp_path / "excel.csv")
    assert list(frame.columns) == ["a", "b", "y"]
    assert frame["a"].tolist() == [1.5, 2.5] and frame["y"].tolist() == ["x", "z"]


def test_a_column_whose_type_changes_after_the_parsers_first_chunk_is_typed_once(tmp_path):
    # pandas types a large file chunk by chunk: 12 (int) in the first chunk, "12" (str)
    # after it, two categories for one value, and a DtypeWarning for the user
    n = 300_000  # beyond the parser's chunk of 262,144 rows
    codes = [str(i % 50) for i in range(n)]
    codes[-1] = "x"
    (tmp_path / "big.csv").write_text("code,y\n" + "\n".join(
        f"{code},{i % 2}" for i, code in enumerate(codes)) + "\n")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DtypeWarning reaches the user
        frame = read_table(tmp_path / "big.csv")
    assert set(map(type, frame["code"])) == {str}
    assert frame["code"].nunique() == 51


def test_a_single_column_csv_is_not_split_on_a_letter(tmp_path):
    path = tmp_path / "one.csv"
    pd.DataFrame({"y": [1, 0] * 10}).to_csv(path, index=False)
    assert list(read_table(path).columns) == ["y"]


@pytest.mark.parametrize("text, columns, x", [
    # commas inside a semicolon file's header names split it into 2 columns, ';' into 3
    ("size (m, avg);colour;y\n0,5;red;1\n1,25;blue;0\n", ["size (m, avg)", "colour", "y"],
     "size (m, avg)"),
    # a '#' comment line, then a header that starts with '#' like the comment
    ("# exported, by a tool\n#id,x,y\n1,0.5,a\n2,1.25,b\n", ["#id", "x", "y"], "x"),
    # rows a field longer than the header: an empty field is a trailing delimiter...
    ("x,n\n0.5,1,\n1.25,2,\n", ["x", "n"], "x"),
    # ... a filled one is R's row names (write.csv), which become the index
    ('"x","n"\n"r1",0.5,1\n"r2",1.25,2\n', ["x", "n"], "x"),
], ids=["commas-in-semicolon-header", "hash-header", "trailing-delimiters", "r-row-names"])
def test_first_lines_that_look_like_another_dialect(tmp_path, text, columns, x):
    path = tmp_path / "t.csv"
    path.write_text(text)
    read = read_table(path)
    assert list(read.columns) == columns
    assert read[x].tolist() == [0.5, 1.25]


def test_iso_dates_become_datetimes_and_other_dates_stay_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("day,stamp,local,bad,y\n"
                    "2024-01-31,2024-01-31T10:00:00+01:00,01/02/2024,2024-13-45,a\n"
                    "2024-02-29,2024-02-29 08:30:00+02:00,02/01/2024,2024-01-01,b\n"
                    ",2024-03-01T00:00Z,,,a\n")
    read = read_table(path)
    assert read["day"].dt.day.tolist()[:2] == [31, 29] and read["day"].isna().iloc[2]
    assert str(read["stamp"].dt.tz) == "UTC"
    assert read["stamp"].dt.hour.tolist() == [9, 6, 0]
    assert not pd.api.types.is_datetime64_any_dtype(read["local"])  # day or month first?
    assert not pd.api.types.is_datetime64_any_dtype(read["bad"])


def test_plot_option_writes_the_ranking_figure(files, kb_folder, tmp_path):
    figure = tmp_path / "figures" / "ranking.svg"
    result = _invoke(files / "table.csv", "--target", "label", "--kb", kb_folder, "--json",
                     "--top", "3", "--plot", figure)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plot"] == str(figure)
    assert figure.read_text().lstrip().startswith("<?xml")
    wrong = _invoke(files / "table.csv", "--target", "label", "--kb", kb_folder, "--plot",
                    tmp_path / "ranking.txt")
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    assert "'txt' is not an image format; use .png, .svg or .pdf" in " ".join(
        wrong.stderr.split())
    # no suffix: matplotlib writes a .png, and that is the file reported
    bare = _invoke(files / "table.csv", "--target", "label", "--kb", kb_folder, "--json",
                   "--plot", tmp_path / "ranking")
    assert json.loads(bare.stdout)["plot"] == str(tmp_path / "ranking.png")
    assert (tmp_path / "ranking.png").is_file() and not (tmp_path / "ranking").exists()
    # a file where a folder should be: one line, before the work
    under_a_file = _invoke(files / "table.csv", "--target", "label", "--kb", kb_folder,
                           "--plot", files / "table.csv" / "ranking.png")
    assert under_a_file.exit_code == 1 and "Traceback" not in under_a_file.output
    assert "table.csv is a file, not a folder" in " ".join(under_a_file.stderr.split())


def test_decimal_commas_beside_exponents_and_text_in_a_semicolon_file(tmp_path):
    # pandas writes small numbers in exponent form without a comma (-4e-05): the column
    # is still numbers; a column with one word among numbers stays text
    path = tmp_path / "t.csv"
    path.write_text("rate;code;y\n-4e-05;1,5;a\n0,0003;x;b\n1,5E+3;2;a\n")
    read = read_table(path)
    assert read["rate"].tolist() == [-4e-05, 0.0003, 1500.0]
    assert read["code"].tolist() == ["1,5", "x", "2"]


def test_dotted_thousands_beside_decimal_commas_in_a_semicolon_file(tmp_path):
    # pandas read 212.685 as a decimal before the decimal commas beside it were seen: the
    # populations came back as 212.685, 999.0, 10.435 (order scrambled)
    path = tmp_path / "t.csv"
    path.write_text("Einwohner;Flaeche;Jahr;y\n212.685;12,5;1.5;a\n999;3,25;2.25;b\n"
                    "10.435;7,75;3.125;a\n1.250;1,5;4.0;b\n")
    read = read_table(path)
    assert read["Einwohner"].tolist() == [212685, 999, 10435, 1250]
    assert read["Flaeche"].tolist() == [12.5, 3.25, 7.75, 1.5]
    assert read["Jahr"].tolist() == [1.5, 2.25, 3.125, 4.0]  # not groups of three: kept
    # without a decimal comma in the file, a point may be the decimal mark: left alone
    path.write_text("Einwohner;y\n212.685;a\n999;b\n")
    assert read_table(path)["Einwohner"].tolist() == [212.685, 999.0]


def test_quoted_decimal_commas_in_a_comma_file_need_a_value_that_proves_them(tmp_path):
    # "0,860" was read as 860 (a thousands separator cannot follow a leading 0)
    path = tmp_path / "t.csv"
    path.write_text('hue,x,y\n"1,040",1,a\n"0,860",2,b\n"1,250",3,a\n"0,125",4,b\n')
    assert read_table(path)["hue"].tolist() == [1.04, 0.86, 1.25, 0.125]
    path.write_text('hue,x,y\n"1,71",1,a\n"2",2,b\n')
    assert read_table(path)["hue"].tolist() == [1.71, 2.0]
    # every value could have a thousands separator: it is one
    path.write_text('amount,x,y\n"1,040",1,a\n"12,250",2,b\n"999",3,a\n')
    assert read_table(path)["amount"].tolist() == [1040, 12250, 999]


def test_arff_date_attributes_become_datetimes(tmp_path):
    # liac-arff has no DATE type (OpenML datasets have some): the file failed to read
    path = tmp_path / "t.arff"
    path.write_text(
        "% a comment\n@RELATION 'r'\n"
        "@ATTRIBUTE 'the date' DATE \"yyyy-MM-dd HH:mm:ss\"\n"
        "@ATTRIBUTE date NUMERIC\n"  # a numeric attribute that is called date
        "@ATTRIBUTE label {'class A','class B'}\n@DATA\n"
        "\"2024-01-01 10:00:00\",1.5,'class A'\n?,2.5,'class B'\n")
    read = read_table(path)
    assert read["the date"].tolist()[0] == pd.Timestamp("2024-01-01 10:00:00")
    assert read["the date"].isna().tolist() == [False, True]
    assert read["date"].tolist() == [1.5, 2.5]
    assert read["label"].tolist() == ["class A", "class B"]


def test_uci_data_files_read_like_text_tables(tmp_path):
    (tmp_path / "t.data").write_text("a,b,y\n1,2,x\n3,4,z\n")
    (tmp_path / "t.dat").write_text("a  b  y\n1.5  2  x\n3  4.5  z\n")  # runs of spaces
    assert read_table(tmp_path / "t.data")["b"].tolist() == [2, 4]
    assert read_table(tmp_path / "t.dat")["a"].tolist() == [1.5, 3.0]
    # UCI's auto-mpg.data: runs of spaces, then a tab before a quoted name; the tab split
    # every row alike, into a text column of numbers and the name
    # (no header row, as there)
    (tmp_path / "auto.data").write_text(
        "18.0   8   307.0\t\"chevrolet chevelle malibu\"\n"
        "15.0   8   350.0\t\"buick skylark 320\"\n"
        "18.0   8   318.0\t\"plymouth satellite\"\n")
    auto = read_table(tmp_path / "auto.data")
    assert auto.shape == (2, 4)
    assert auto.iloc[:, 2].tolist() == [350.0, 318.0]
    assert auto.iloc[:, 3].tolist() == ["buick skylark 320", "plymouth satellite"]
    # tab-separated text with spaces inside values stays split on tabs
    (tmp_path / "cities.txt").write_text("city\tpop\nNew York\t8.3\nParis\t2.1\n"
                                         "Los Angeles\t3.9\n")
    cities = read_table(tmp_path / "cities.txt")
    assert cities["city"].tolist() == ["New York", "Paris", "Los Angeles"]


def test_explain_names_unnamed_datasets_by_id_and_shows_distances(files, tmp_path):
    from knowledge_base import KnowledgeBase

    kb = synthetic_knowledge_base(n_classification=6, n_regression=5, seed=4)
    # OpenML records in the shipped knowledge base come without a name
    datasets = kb.datasets.assign(name=pd.Series(pd.NA, index=kb.datasets.index,
                                                 dtype="string"))
    unnamed = KnowledgeBase(datasets=datasets, metafeatures=kb.metafeatures,
                            configurations=kb.configurations, evaluations=kb.evaluations)
    folder = unnamed.save(tmp_path / "unnamed")
    result = _invoke(files / "table.csv", "--kb", folder, "--explain")
    assert result.exit_code == 0, result.output
    out = result.stdout
    section = out[out.index("Most similar knowledge-base"):out.index("Meta-features that")]
    assert "<NA>" not in section and "nan" not in section
    assert any(dataset_id in section for dataset_id in kb.datasets["dataset_id"])
    assert "distance" in section and "relative to the nearest" in " ".join(section.split())


def test_title_lines_above_the_header_are_skipped(tmp_path):
    # a report's title above the header: read as one column of whole lines, and the only
    # error was "target 'y' is not a column; columns are 'Sales report 2024-03-01'"
    path = tmp_path / "t.csv"
    path.write_text("Sales report 2024-03-01\namount,alc,y\n3589.05,14.23,a\n3538.5,13.2,b\n")
    read = read_table(path)
    assert list(read.columns) == ["amount", "alc", "y"] and read["amount"].dtype == float
    # a spreadsheet's: the title in the first cell, a blank row of delimiters
    path.write_text("Sales report;;\n;;\namount;alc;y\n3589,05;14,23;a\n3538,5;13,2;b\n")
    read = read_table(path)
    assert list(read.columns) == ["amount", "alc", "y"]
    assert read["amount"].tolist() == [3589.05, 3538.5]
    # an index's empty name is a header, not a title
    path.write_text(",y\n0,1\n1,2\n")
    assert list(read_table(path).columns) == ["Unnamed: 0", "y"]
