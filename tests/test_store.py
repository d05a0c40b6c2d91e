"""The knowledge-base store: round trips, validation errors, merging and views."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge_base import (
    SCHEMA_VERSION,
    TABLES,
    CorruptKnowledgeBaseError,
    IncompatibleKnowledgeBaseError,
    KnowledgeBase,
    KnowledgeBaseError,
    MissingKnowledgeBaseError,
)
from knowledge_base.portfolio import Configuration


def make_kb(*, categorical: bool = False) -> KnowledgeBase:
    """Two datasets, three configurations, 2 folds each; one failed fit."""
    configs = [Configuration("random_forest", {"n_estimators": 50}),
               Configuration("knn", {"n_neighbors": 3}),
               Configuration("linear", {"C": 0.5})]
    datasets = pd.DataFrame({
        "dataset_id": ["d1", "d2"], "name": ["one", "two"], "source": ["test", "test"],
        "task_type": ["classification", "regression"], "family": ["openml:1", "d2"],
        "openml_did": [1, None], "openml_tid": [None, None], "n_rows": [100, 50],
        "n_features": [4, 3], "n_classes": [2, None]})
    metafeatures = pd.DataFrame({"dataset_id": ["d1", "d1", "d2"],
                                 "name": ["NumberOfInstances", "ClassEntropy",
                                          "NumberOfInstances"],
                                 "value": [100.0, 0.9, 50.0]})
    configurations = pd.DataFrame({
        "config_id": [c.config_id for c in configs], "algorithm": [c.algorithm for c in configs],
        "params": [json.dumps(c.params, sort_keys=True) for c in configs], "origin": "test"})
    rows = []
    for dataset, metric in (("d1", "accuracy"), ("d2", "r2")):
        for k, config in enumerate(configs):
            for fold in (0, 1):
                failed = dataset == "d2" and k == 2 and fold == 1
                rows.append({"dataset_id": dataset, "config_id": config.config_id,
                             "fold": fold, metric: np.nan if failed else 0.5 + 0.1 * k + fold / 100,
                             "fit_time": 0.1 * (k + 1), "n_train": 40,
                             "status": "error" if failed else "ok",
                             "error": "boom" if failed else None, "source": "test"})
    evaluations = pd.DataFrame(rows)
    if categorical:
        for frame, columns in ((datasets, ["dataset_id", "source", "task_type"]),
                               (configurations, ["algorithm", "origin"]),
                               (evaluations, ["dataset_id", "status", "source"])):
            for column in columns:
                frame[column] = frame[column].astype("category")
        evaluations["fold"] = evaluations["fold"].astype("category")
    return KnowledgeBase(datasets=datasets, metafeatures=metafeatures,
                         configurations=configurations, evaluations=evaluations,
                         manifest={"sources": [{"name": "test", "kind": "unit"}]})


def assert_same_tables(left: KnowledgeBase, right: KnowledgeBase, *,
                       ignore_order: bool = False) -> None:
    for name, keys in (("datasets", ["dataset_id"]), ("metafeatures", ["dataset_id", "name"]),
                       ("configurations", ["config_id"]),
                       ("evaluations", ["dataset_id", "config_id", "fold", "source"])):
        a, b = getattr(left, name), getattr(right, name)
        if ignore_order:
            a = a.sort_values(keys, kind="stable").reset_index(drop=True)
            b = b.sort_values(keys, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def expected_dtypes(name: str) -> dict[str, str]:
    return {column: str(pd.Series(dtype=dtype).dtype) for column, dtype in TABLES[name].items()}


# ------------------------------------------------------------------------ round trip
def test_save_load_round_trip_keeps_rows_and_dtypes(tmp_path: Path) -> None:
    kb = make_kb()
    kb.save(tmp_path / "kb")
    loaded = KnowledgeBase.load(tmp_path / "kb")
    assert_same_tables(kb, loaded, ignore_order=True)
    for name in TABLES:
        assert {c: str(t) for c, t in getattr(loaded, name).dtypes.items()} == \
            expected_dtypes(name)
    assert loaded.manifest["schema_version"] == SCHEMA_VERSION
    assert loaded.manifest["counts"]["evaluations"] == len(kb.evaluations) == 12
    assert loaded.manifest["sources"] == [{"name": "test", "kind": "unit"}]


def test_exists_tells_a_knowledge_base_folder_from_others(tmp_path: Path) -> None:
    assert not KnowledgeBase.exists(tmp_path / "kb")
    make_kb().save(tmp_path / "kb")
    assert KnowledgeBase.exists(tmp_path / "kb") and KnowledgeBase.exists(str(tmp_path / "kb"))
    assert not KnowledgeBase.exists(tmp_path)
    (tmp_path / "file").write_text("x")
    assert not KnowledgeBase.exists(tmp_path / "file")


def test_categorical_columns_never_survive(tmp_path: Path) -> None:
    kb = make_kb(categorical=True)
    for name in TABLES:
        assert not any(isinstance(t, pd.CategoricalDtype) for t in getattr(kb, name).dtypes)
    kb.save(tmp_path / "kb")
    loaded = KnowledgeBase.load(tmp_path / "kb")
    for name in TABLES:
        dtypes = getattr(loaded, name).dtypes
        assert not any(isinstance(t, pd.CategoricalDtype) for t in dtypes)
        assert {c: str(t) for c, t in dtypes.items()} == expected_dtypes(name)
    assert sorted(loaded.evaluations["fold"].unique().tolist()) == [0, 1]
    assert_same_tables(make_kb(), loaded, ignore_order=True)


def test_nullable_values_survive_round_trip(tmp_path: Path) -> None:
    loaded = KnowledgeBase.load(make_kb().save(tmp_path / "kb"))
    d2 = loaded.datasets.set_index("dataset_id").loc["d2"]
    assert pd.isna(d2["openml_did"]) and pd.isna(d2["n_classes"])
    failed = loaded.evaluations[loaded.evaluations["status"] == "error"]
    assert len(failed) == 1 and failed["error"].iloc[0] == "boom"
    assert np.isnan(failed["r2"].iloc[0])


# ------------------------------------------------------------------ load errors
def saved(tmp_path: Path) -> Path:
    return make_kb().save(tmp_path / "kb")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(MissingKnowledgeBaseError, match="manifest.json is missing"):
        KnowledgeBase.load(tmp_path / "nowhere")


def test_missing_error_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        KnowledgeBase.load(tmp_path / "nowhere")


@pytest.mark.parametrize("table", list(TABLES))
def test_missing_table_file(tmp_path: Path, table: str) -> None:
    folder = saved(tmp_path)
    (folder / f"{table}.parquet").unlink()
    with pytest.raises(MissingKnowledgeBaseError, match=f"lacks {table}.parquet"):
        KnowledgeBase.load(folder)


def test_corrupt_parquet(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    (folder / "evaluations.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(CorruptKnowledgeBaseError, match="cannot read .*evaluations.parquet"):
        KnowledgeBase.load(folder)


def test_bad_json_manifest(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(CorruptKnowledgeBaseError, match="not valid JSON"):
        KnowledgeBase.load(folder)


def test_manifest_must_be_an_object(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    (folder / "manifest.json").write_text("[1, 2]")
    with pytest.raises(CorruptKnowledgeBaseError, match="JSON object"):
        KnowledgeBase.load(folder)


@pytest.mark.parametrize("sources", ["abc", {"name": "x"}, ["abc"], [{"name": "x"}, 3], None])
def test_manifest_sources_must_be_a_list_of_objects(tmp_path: Path, sources: object) -> None:
    # a hand-edited "sources": "abc" loaded, then merge() gave ['a', 'b', 'c', {...}]
    folder = saved(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sources"] = sources
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CorruptKnowledgeBaseError,
                       match=r"manifest\.json: \"sources\" must be a list of JSON objects"):
        KnowledgeBase.load(folder)
    kb = make_kb()
    kb.manifest["sources"] = sources
    with pytest.raises(CorruptKnowledgeBaseError, match=r"must be a list of objects"):
        kb.validate()


@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, 0, None, "1", True, 1.0])
def test_wrong_schema_version(tmp_path: Path, version: object) -> None:
    folder = saved(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = version
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleKnowledgeBaseError, match="schema version"):
        KnowledgeBase.load(folder)


@pytest.mark.parametrize("params", ["{C: 1}", None, "[1, 2]"])
def test_params_that_are_not_a_json_object_are_corrupt(tmp_path: Path, params: object) -> None:
    # a hand-edited table loaded, then config_table() failed with a JSONDecodeError
    folder = saved(tmp_path)
    frame = pd.read_parquet(folder / "configurations.parquet")
    frame["params"] = frame["params"].astype(object)
    frame.loc[0, "params"] = params
    frame.to_parquet(folder / "configurations.parquet")
    with pytest.raises(CorruptKnowledgeBaseError, match=r"1 params that are not a JSON object, "
                       rf"e.g. config_id \['{frame.loc[0, 'config_id']}'\]"):
        KnowledgeBase.load(folder)


def test_numpy_numbers_in_the_manifest_stay_numbers(tmp_path: Path) -> None:
    import numpy as np

    folder = saved(tmp_path)
    kb = KnowledgeBase.load(folder)
    kb.manifest["rows"] = np.int64(5)  # was written as the text '5'
    kb.manifest["share"] = np.float32(0.5)
    manifest = KnowledgeBase.load(kb.save(tmp_path / "again")).manifest
    assert manifest["rows"] == 5 and isinstance(manifest["rows"], int)
    assert manifest["share"] == 0.5


def test_unknown_column_in_a_table(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    frame = pd.read_parquet(folder / "datasets.parquet").assign(colour="red")
    frame.to_parquet(folder / "datasets.parquet")
    with pytest.raises(CorruptKnowledgeBaseError, match="unknown columns \\['colour'\\]"):
        KnowledgeBase.load(folder)


def test_missing_key_column(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    pd.read_parquet(folder / "configurations.parquet").drop(columns="config_id").to_parquet(
        folder / "configurations.parquet")
    with pytest.raises(CorruptKnowledgeBaseError, match="lacks key columns \\['config_id'\\]"):
        KnowledgeBase.load(folder)


def test_unconvertible_values(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    frame = pd.read_parquet(folder / "evaluations.parquet")
    frame["fold"] = frame["fold"].astype(str).str.replace("1", "one")
    frame.to_parquet(folder / "evaluations.parquet")
    with pytest.raises(CorruptKnowledgeBaseError, match="evaluations.fold cannot be read"):
        KnowledgeBase.load(folder)


@pytest.mark.parametrize("table", ["datasets", "metafeatures", "configurations",
                                   "evaluations"])
def test_duplicated_keys(tmp_path: Path, table: str) -> None:
    folder = saved(tmp_path)
    frame = pd.read_parquet(folder / f"{table}.parquet")
    pd.concat([frame, frame.iloc[:1]]).to_parquet(folder / f"{table}.parquet")
    with pytest.raises(CorruptKnowledgeBaseError, match=f"table '{table}' has 1 duplicated"):
        KnowledgeBase.load(folder)


def test_orphan_dataset_reference(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    frame = pd.read_parquet(folder / "datasets.parquet")
    frame[frame["dataset_id"] != "d2"].to_parquet(folder / "datasets.parquet")
    with pytest.raises(CorruptKnowledgeBaseError, match="unknown datasets \\['d2'\\]"):
        KnowledgeBase.load(folder)


def test_orphan_configuration_reference() -> None:
    kb = make_kb()
    kb.configurations = kb.configurations.iloc[1:]
    with pytest.raises(CorruptKnowledgeBaseError, match="unknown configurations"):
        kb.validate()


def test_missing_key_values_and_bad_task_type() -> None:
    kb = make_kb()
    kb.datasets.loc[0, "task_type"] = "clustering"
    with pytest.raises(CorruptKnowledgeBaseError, match="unknown task types"):
        kb.validate()
    kb = make_kb()
    kb.datasets.loc[0, "task_type"] = pd.NA
    with pytest.raises(CorruptKnowledgeBaseError, match="1 datasets without a task_type"):
        kb.validate()
    kb = make_kb()
    kb.metafeatures.loc[0, "name"] = pd.NA
    with pytest.raises(CorruptKnowledgeBaseError, match="missing key values"):
        kb.validate()


def test_all_errors_share_one_root() -> None:
    for error in (MissingKnowledgeBaseError, CorruptKnowledgeBaseError,
                  IncompatibleKnowledgeBaseError):
        assert issubclass(error, KnowledgeBaseError)
        assert issubclass(error, ValueError)


def test_save_refuses_an_invalid_knowledge_base(tmp_path: Path) -> None:
    kb = make_kb()
    kb.evaluations = pd.concat([kb.evaluations, kb.evaluations.iloc[:1]], ignore_index=True)
    with pytest.raises(CorruptKnowledgeBaseError):
        kb.save(tmp_path / "kb")
    assert not (tmp_path / "kb" / "manifest.json").exists()


# ----------------------------------------------------------------------- merging
def test_merge_deduplicates_and_self_wins() -> None:
    kb = make_kb()
    other = make_kb()
    other.datasets.loc[0, "name"] = "renamed"
    other.evaluations["accuracy"] = other.evaluations["accuracy"] + 1
    extra = KnowledgeBase(datasets=pd.DataFrame({"dataset_id": ["d3"], "task_type": [
        "classification"]}), manifest={"sources": [{"name": "extra"}]})
    merged = kb.merge(other).merge(extra)
    assert len(merged.datasets) == 3
    assert len(merged.evaluations) == len(kb.evaluations)
    assert merged.datasets.set_index("dataset_id").loc["d1", "name"] == "one"
    np.testing.assert_array_equal(merged.evaluations["accuracy"], kb.evaluations["accuracy"])
    assert merged.manifest["sources"] == [{"name": "test", "kind": "unit"}, {"name": "extra"}]
    merged.validate()


def test_merge_refuses_ids_defined_differently() -> None:
    # the other KB's evaluations were kept and attached to self's definition: scores
    # averaged a 10-tree and a 500-tree forest, or a regression run on a classification
    kb = make_kb()
    other = make_kb()
    other.datasets.loc[other.datasets["dataset_id"] == "d1", "task_type"] = "regression"
    with pytest.raises(KnowledgeBaseError, match=r"dataset_id 'd1' \(differing task_type\)"):
        kb.merge(other)
    other = make_kb()
    config_id = other.configurations.loc[0, "config_id"]
    other.configurations.loc[0, "params"] = '{"n_estimators": 500}'
    with pytest.raises(KnowledgeBaseError, match=f"config_id '{config_id}' \\(differing "
                                                 "algorithm or params\\)"):
        kb.merge(other)
    # the same parameters written with other spacing and key order are the same
    respaced = make_kb()
    respaced.configurations["params"] = respaced.configurations["params"].map(
        lambda text: json.dumps(json.loads(text), indent=1))
    assert len(kb.merge(respaced).configurations) == len(kb.configurations)


def test_add_appends_rows_and_provenance() -> None:
    kb = make_kb()
    grown = kb.add(datasets=pd.DataFrame({"dataset_id": ["d9"], "task_type": ["regression"]}),
                   metafeatures=pd.DataFrame({"dataset_id": ["d9"], "name": ["x"],
                                              "value": [1.0]}),
                   source={"name": "added"})
    assert set(grown.datasets["dataset_id"]) == {"d1", "d2", "d9"}
    assert grown.manifest["sources"][-1] == {"name": "added"}
    assert len(kb.datasets) == 2  # the original is unchanged


# ------------------------------------------------------------------------- views
def test_scores_mean_over_ok_folds() -> None:
    kb = make_kb()
    scores = kb.scores("accuracy")
    assert scores.shape == (1, 3) and list(scores.index) == ["d1"]
    config = kb.configurations["config_id"].iloc[1]
    assert scores.loc["d1", config] == pytest.approx(((0.6 + 0.0) + (0.6 + 0.01)) / 2)
    r2 = kb.scores("r2", task_type="regression")
    failed = kb.configurations["config_id"].iloc[2]
    assert r2.loc["d2", failed] == pytest.approx(0.7)  # the failed fold is left out
    assert kb.scores("accuracy", source="other").empty
    assert kb.scores("r2", task_type="classification").empty
    with pytest.raises(KnowledgeBaseError, match="unknown metric 'f1'"):
        kb.scores("f1")


def test_scores_refuses_an_unknown_task_type() -> None:
    # returned an empty table, unlike an unknown metric
    with pytest.raises(KnowledgeBaseError, match=r"unknown task type 'clustering'; known: "
                       r"\['classification', 'regression'\]"):
        make_kb().scores("roc_auc", task_type="clustering")


def test_metafeature_matrix_is_wide_float() -> None:
    matrix = make_kb().metafeature_matrix()
    assert list(matrix.index) == ["d1", "d2"]
    assert set(matrix.columns) == {"NumberOfInstances", "ClassEntropy"}
    assert matrix.loc["d1", "ClassEntropy"] == pytest.approx(0.9)
    assert np.isnan(matrix.loc["d2", "ClassEntropy"])
    assert (matrix.dtypes == "float64").all()
    picked = make_kb().metafeature_matrix(["ClassEntropy", "Unknown"])
    assert list(picked.columns) == ["ClassEntropy", "Unknown"]
    assert picked["Unknown"].isna().all()


def test_config_table_and_counts_and_subset() -> None:
    kb = make_kb()
    table = kb.config_table()
    assert table.loc[kb.configurations["config_id"].iloc[0], "params"] == {"n_estimators": 50}
    counts = kb.counts()
    assert counts["datasets"] == 2 and counts["evaluations"] == 12
    assert counts["evaluations_by_status"] == {"error": 1, "ok": 11}
    assert counts["evaluations_by_task_type"] == {"classification": 6, "regression": 6}
    assert counts["evaluations_by_algorithm"] == {"knn": 4, "linear": 4, "random_forest": 4}
    sub = kb.subset(["d1"])
    assert set(sub.evaluations["dataset_id"]) == {"d1"} and len(sub.configurations) == 3
    sub.validate()


def test_subset_takes_one_id_string_as_one_id() -> None:
    # subset("d1") iterated the characters 'd', '1' and returned an empty knowledge base
    kb = make_kb()
    one = kb.subset("d1")
    assert one.datasets["dataset_id"].tolist() == ["d1"]
    assert_same_tables(one, kb.subset(["d1"]))
    assert_same_tables(kb.subset(np.array(["d2", "d1"])), kb.subset({"d1", "d2"}))


def test_subset_refuses_unknown_ids() -> None:
    # a typo, or OpenML dids instead of "openml:<did>", silently gave a smaller base
    kb = make_kb()
    with pytest.raises(KnowledgeBaseError, match=r"1 unknown dataset ids, e.g. \['d9'\]"):
        kb.subset(["d1", "d9"])
    with pytest.raises(KnowledgeBaseError, match=r"unknown dataset ids, e.g. \['1'\]"):
        kb.subset([1])
    assert kb.subset([]).datasets.empty


# -------------------------------------------------------- merge properties (hypothesis)
_IDS = st.sampled_from(["a", "b", "c", "d"])


@st.composite
def knowledge_bases(draw: st.DrawFn) -> KnowledgeBase:
    datasets = sorted(draw(st.sets(_IDS, max_size=4)))
    tasks = {d: draw(st.sampled_from(["classification", "regression"])) for d in datasets}
    configs = [Configuration(draw(st.sampled_from(["knn", "svm"])),
                             {"C": draw(st.sampled_from([0.1, 1.0, 10.0]))})
               for _ in range(draw(st.integers(0, 3)))]
    configs = list({c.config_id: c for c in configs}.values())
    names = draw(st.sets(st.sampled_from(["m1", "m2", "m3"]), max_size=3))
    metafeatures = [{"dataset_id": d, "name": n,
                     "value": draw(st.floats(-1e6, 1e6) | st.just(float("nan")))}
                    for d in datasets for n in sorted(names)]
    evaluations = []
    for d in datasets:
        for c in configs:
            for fold in sorted(draw(st.sets(st.integers(0, 2), max_size=2))):
                evaluations.append({"dataset_id": d, "config_id": c.config_id, "fold": fold,
                                    "accuracy": draw(st.floats(0, 1)), "status": "ok",
                                    "source": draw(st.sampled_from(["s1", "s2"]))})
    evaluations = pd.DataFrame(evaluations, columns=["dataset_id", "config_id", "fold",
                                                     "accuracy", "status", "source"])
    return KnowledgeBase(
        datasets=pd.DataFrame({"dataset_id": datasets,
                               "task_type": [tasks[d] for d in datasets]}),
        metafeatures=pd.DataFrame(metafeatures, columns=["dataset_id", "name", "value"]),
        configurations=pd.DataFrame({"config_id": [c.config_id for c in configs],
                                     "algorithm": [c.algorithm for c in configs],
                                     "params": [json.dumps(c.params) for c in configs]}),
        evaluations=evaluations.drop_duplicates(["dataset_id", "config_id", "fold", "source"]),
        manifest={"sources": [{"name": draw(st.sampled_from(["s1", "s2"]))}]})


_SETTINGS = settings(max_examples=20, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(knowledge_bases())
def test_merge_is_idempotent(kb: KnowledgeBase) -> None:
    merged = kb.validate().merge(kb)
    assert_same_tables(merged, kb)
    assert merged.manifest["sources"] == kb.manifest["sources"]


@_SETTINGS
@given(knowledge_bases())
def test_merge_with_empty_is_identity(kb: KnowledgeBase) -> None:
    assert_same_tables(kb.merge(KnowledgeBase()), kb)
    assert_same_tables(KnowledgeBase().merge(kb), kb)


@_SETTINGS
@given(knowledge_bases(), knowledge_bases())
def test_merge_is_a_valid_union(left: KnowledgeBase, right: KnowledgeBase) -> None:
    # ids both define get the same definition (defined differently: refused, tested above)
    for name, key, columns in (("datasets", "dataset_id", ["task_type"]),
                               ("configurations", "config_id", ["algorithm", "params"])):
        definitions = getattr(left, name).drop_duplicates(key).set_index(key)[columns]
        table = getattr(right, name)
        shared = table[key].isin(definitions.index).to_numpy()
        for column in columns:
            table.loc[shared, column] = definitions.loc[table.loc[shared, key], column].to_numpy()
    merged = left.merge(right)
    for name, keys in (("datasets", ["dataset_id"]), ("configurations", ["config_id"]),
                       ("evaluations", ["dataset_id", "config_id", "fold", "source"])):
        union = {tuple(row) for frame in (getattr(left, name), getattr(right, name))
                 for row in frame[keys].astype(object).itertuples(index=False)}
        assert {tuple(row) for row in getattr(merged, name)[keys].astype(object).itertuples(
            index=False)} == union
    merged.validate()
    # rows of the left-hand side win
    assert_same_tables(KnowledgeBase(
        **{name: getattr(merged, name).iloc[:len(getattr(left, name))].reset_index(drop=True)
           for name in TABLES}), left)
