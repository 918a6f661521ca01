"""DATA_QUALITY QualityCheck steps: the baseline computed locally, and the drift check."""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    DataQualityCheckConfig,
    DatasetFormat,
    DriftCheckBaselines,
    Image,
    MetricsSource,
    ModelQualityCheckConfig,
    QualityCheckStep,
    RegisterModel,
)
from cdk_sagemaker_pipelines.local import LocalRunError
from cdk_sagemaker_pipelines.local.data_quality import (
    check_constraints,
    compute_statistics,
    read_dataset,
    suggest_constraints,
)
from tests.local.conftest import Workspace, compile_steps

TRAIN = "age,income,plan\n31,1200.5,gold\n45,,silver\n,900,gold\n"


def baseline(folder: Path, text: str, fmt: dict[str, Any], name: str = "a.csv") -> dict[str, Any]:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    columns, count = read_dataset(folder, fmt)
    return compute_statistics(columns, count)


def test_statistics_and_constraints_of_a_csv_with_a_header(tmp_path: Path) -> None:
    statistics = baseline(tmp_path, TRAIN, {"csv": {"header": True}})
    assert statistics["dataset"] == {"item_count": 3}
    age, income, plan = statistics["features"]
    assert (age["name"], age["inferred_type"]) == ("age", "Integral")
    assert age["numerical_statistics"] == {
        "common": {"num_present": 2, "num_missing": 1},
        "mean": 38.0,
        "sum": 76.0,
        "std_dev": 7.0,  # population
        "min": 31.0,
        "max": 45.0,
    }
    assert income["inferred_type"] == "Fractional"
    assert plan["inferred_type"] == "String"
    assert plan["string_statistics"]["common"] == {"num_present": 3, "num_missing": 0}
    assert plan["string_statistics"]["distinct_count"] == 2.0
    constraints = suggest_constraints(statistics)
    by_name = {feature["name"]: feature for feature in constraints["features"]}
    assert by_name["age"]["completeness"] == pytest.approx(2 / 3)
    assert by_name["age"]["num_constraints"] == {"is_non_negative": True}
    assert by_name["plan"]["string_constraints"] == {"domains": ["gold", "silver"]}
    assert constraints["monitoring_config"]["datatype_check_threshold"] == 0.1


def test_a_csv_without_a_header_names_columns_as_spark_does(tmp_path: Path) -> None:
    statistics = baseline(tmp_path, "1,-2.5,a\n3,4,b\n", {"csv": {"header": False}})
    names = [(f["name"], f["inferred_type"]) for f in statistics["features"]]
    assert names == [("_c0", "Integral"), ("_c1", "Fractional"), ("_c2", "String")]
    constraints = suggest_constraints(statistics)
    assert constraints["features"][1]["num_constraints"] == {"is_non_negative": False}


def test_json_lines_with_missing_keys_and_nulls(tmp_path: Path) -> None:
    text = '{"x": 1, "s": "a"}\n{"x": null}\n\n{"x": 2.5, "s": "b", "extra": true}\n'
    statistics = baseline(tmp_path, text, {"json": {"lines": True}}, "d.jsonl")
    by_name = {f["name"]: f for f in statistics["features"]}
    assert statistics["dataset"]["item_count"] == 3
    assert by_name["x"]["inferred_type"] == "Fractional"
    assert by_name["x"]["numerical_statistics"]["common"] == {"num_present": 2, "num_missing": 1}
    assert by_name["s"]["string_statistics"]["common"] == {"num_present": 2, "num_missing": 1}
    assert by_name["extra"]["inferred_type"] == "String"  # a boolean is not a number


def test_the_drift_check_lists_each_violated_constraint(tmp_path: Path) -> None:
    constraints = suggest_constraints(baseline(tmp_path / "a", TRAIN, {"csv": {"header": True}}))
    new = tmp_path / "b"
    new.mkdir()
    (new / "b.csv").write_text("age,income,plan,new\n-1,x,bronze,1\n,y,bronze,2\n,z,gold,3\n")
    columns, count = read_dataset(new, {"csv": {"header": True}})
    found = {
        (v["feature_name"], v["constraint_check_type"])
        for v in check_constraints(columns, count, constraints)
    }
    assert found == {
        ("age", "completeness_check"),
        ("age", "non_negative_check"),
        ("income", "data_type_check"),
        ("plan", "categorical_values_check"),
        ("new", "extra_column_check"),
    }


def check_step(**options: Any) -> QualityCheckStep:
    return QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://data-bucket/train/",
            dataset_format=DatasetFormat.csv(header=True),
            output_s3_uri="s3://out-bucket/quality",
        ),
        **options,
    )


def supplied_baseline(ws: Workspace, text: str = TRAIN) -> dict[str, str]:
    """Supplied baseline files computed from ``text``, as URIs of the data bucket."""
    statistics = baseline(ws.root / "base", text, {"csv": {"header": True}})
    ws.file("baseline/statistics.json", json.dumps(statistics))
    ws.file("baseline/constraints.json", json.dumps(suggest_constraints(statistics)))
    return {
        "supplied_baseline_statistics": "s3://data-bucket/baseline/statistics.json",
        "supplied_baseline_constraints": "s3://data-bucket/baseline/constraints.json",
    }


CALCULATED = {
    "CalculatedBaselineStatistics": "s3://out-bucket/quality/statistics.json",
    "CalculatedBaselineConstraints": "s3://out-bucket/quality/constraints.json",
}
SUPPLIED = {
    "BaselineUsedForDriftCheckStatistics": "s3://data-bucket/baseline/statistics.json",
    "BaselineUsedForDriftCheckConstraints": "s3://data-bucket/baseline/constraints.json",
}
NEW = {
    "BaselineUsedForDriftCheckStatistics": CALCULATED["CalculatedBaselineStatistics"],
    "BaselineUsedForDriftCheckConstraints": CALCULATED["CalculatedBaselineConstraints"],
}


@pytest.mark.parametrize(
    ("skip", "register", "with_baseline", "expected"),
    [
        (False, False, True, SUPPLIED),
        (False, True, True, NEW),
        (True, False, True, SUPPLIED),
        (True, True, True, NEW),
        (False, False, False, "SkipCheck is False but there is no baseline"),
        (False, True, False, "SkipCheck is False but there is no baseline"),
        (True, False, False, "RegisterNewBaseline is False, so the previous baseline's"),
        (True, True, False, NEW),
    ],
)
def test_skip_check_and_register_new_baseline_set_the_drift_check_baseline(
    ws: Workspace, skip: bool, register: bool, with_baseline: bool, expected: Any
) -> None:
    ws.file("train/a.csv", TRAIN)
    options = supplied_baseline(ws) if with_baseline else {}
    step = check_step(skip_check=skip, register_new_baseline=register, **options)
    result = ws.runner(stop_at_missing=True).run(compile_steps([step]))
    if isinstance(expected, str):
        assert expected in (result.step("DataQuality").failure_reason or "")
        return
    assert result.status == "Succeeded", result.failure_reason
    assert result.properties("DataQuality") == {**CALCULATED, **expected}
    metadata = result.step("DataQuality").metadata["QualityCheck"]
    assert (metadata["SkipCheck"], metadata["RegisterNewBaseline"]) == (skip, register)
    published = result.output("DataQuality")
    assert json.loads((published / "statistics.json").read_text())["dataset"]["item_count"] == 3


def test_violations_fail_the_step_unless_fail_on_violation_is_false(ws: Workspace) -> None:
    ws.file("train/a.csv", "age,income,plan\n-5,1,platinum\n")
    options = supplied_baseline(ws)
    failed = ws.runner().run(compile_steps([check_step(**options)]))
    reason = failed.step("DataQuality").failure_reason or ""
    assert reason.startswith(
        "ClientError: the data quality check found 2 violation(s) of the baseline constraints "
        "s3://data-bucket/baseline/constraints.json:\n"
    )
    assert "  age: non_negative_check: 1 negative values" in reason
    assert "  plan: categorical_values_check:" in reason
    reported = ws.runner().run(compile_steps([check_step(fail_on_violation=False, **options)]))
    assert reported.status == "Succeeded", reported.failure_reason
    metadata = reported.step("DataQuality").metadata["QualityCheck"]
    assert metadata["ViolationReport"] == "s3://out-bucket/quality/constraint_violations.json"


def test_supplied_values_still_stand_in_for_the_step(ws: Workspace) -> None:
    # Backward compatible: --callback-output wins over computing (no dataset is there).
    supplied = {"DataQuality": {"CalculatedBaselineStatistics": "s3://baselines/statistics.json"}}
    result = ws.runner(callback_outputs=supplied).run(compile_steps([check_step()]))
    assert result.status == "Succeeded", result.failure_reason
    assert result.properties("DataQuality") == supplied["DataQuality"]


def test_preflight_needs_no_stand_in_for_a_data_quality_check_only(ws: Workspace) -> None:
    model_quality = QualityCheckStep(
        name="ModelQuality",
        quality_check_config=ModelQualityCheckConfig(
            baseline_dataset="s3://data-bucket/scored/",
            dataset_format=DatasetFormat.csv(header=False),
            problem_type="Regression",
            inference_attribute="_c0",
            ground_truth_attribute="_c1",
        ),
    )
    definition = compile_steps([check_step(skip_check=True), model_quality])
    with pytest.raises(LocalRunError) as error:
        ws.runner().run(definition)
    assert "  ModelQuality (QualityCheck): --callback-output ModelQuality." in str(error.value)
    assert "DataQuality (QualityCheck)" not in str(error.value)
    result = ws.runner(stop_at_missing=True).run(definition)
    assert (result.step("ModelQuality").failure_reason or "").startswith(
        "a MODEL_QUALITY check needs the Model Monitor analyzer's model_quality metrics, which "
        "the local runner doesn't compute (it computes DATA_QUALITY baselines only); mark it "
        "done by supplying"
    )


def test_smpipe_run_computes_the_baseline(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    ws.file("train/a.csv", TRAIN)
    definition = ws.root / "pipeline.json"
    step = check_step(skip_check=True, register_new_baseline=True)
    definition.write_text(json.dumps(compile_steps([step])))
    resources = ws.root / "resources.json"
    resources.write_text(json.dumps({"s3": {"s3://data-bucket": str(ws.data)}}))
    code = main(
        ["run", str(definition), "--resources", str(resources), "--root", str(ws.root / ".smpipe")]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"DataQuality +QualityCheck +Succeeded", out), out
    stored = ws.root / ".smpipe"
    assert list(stored.rglob("quality_check_output/constraints.json"))


def register_baselines(check: QualityCheckStep, *, calculated: bool = True) -> RegisterModel:
    """A RegisterModel keeping ``check``'s baselines as the version's data quality baselines."""
    props = check.properties
    statistics = (
        props.CalculatedBaselineStatistics
        if calculated
        else props.BaselineUsedForDriftCheckStatistics
    )
    constraints = (
        props.CalculatedBaselineConstraints
        if calculated
        else props.BaselineUsedForDriftCheckConstraints
    )
    return RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://data-bucket/model/model.tar.gz",
        drift_check_baselines=DriftCheckBaselines(
            data_statistics=MetricsSource(s3_uri=statistics),
            data_constraints=MetricsSource(s3_uri=constraints),
        ),
    )


def model_tarball(ws: Workspace) -> None:
    path = ws.data / "model" / "model.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("model.txt")
        archive.addfile(info, io.BytesIO(b""))


def test_the_previous_baseline_is_the_latest_approved_versions(ws: Workspace) -> None:
    # Run 1 registers the calculated baseline; once approved, run 2 checks against it.
    ws.file("train/a.csv", TRAIN)
    model_tarball(ws)
    first = check_step(
        skip_check=True, register_new_baseline=True, model_package_group_name="churn"
    )
    registered = ws.runner().run(compile_steps([first, register_baselines(first)]))
    assert registered.status == "Succeeded", registered.failure_reason
    ws.file("train/a.csv", "age,income,plan\n-5,1,platinum\n")
    second = check_step(model_package_group_name="churn")
    pending = ws.runner().run(compile_steps([second]))
    assert "SkipCheck is False but there is no baseline" in (
        pending.step("DataQuality").failure_reason or ""
    )
    registered.registry.approve("churn", 1)
    checked = ws.runner().run(compile_steps([second]))
    reason = checked.step("DataQuality").failure_reason or ""
    assert (
        "violation(s) of the baseline constraints s3://out-bucket/quality/constraints.json"
        in reason
    )
    assert "plan: categorical_values_check" in reason
    # Data like the baseline's passes; the drift check's baseline is the version's.
    ws.file("train/a.csv", TRAIN)
    passed = ws.runner().run(compile_steps([second]))
    assert passed.status == "Succeeded", passed.failure_reason
    assert passed.properties("DataQuality") == {
        **CALCULATED,
        "BaselineUsedForDriftCheckStatistics": CALCULATED["CalculatedBaselineStatistics"],
        "BaselineUsedForDriftCheckConstraints": CALCULATED["CalculatedBaselineConstraints"],
    }


def test_a_byte_order_mark_is_no_part_of_the_first_feature(tmp_path: Path) -> None:
    statistics = baseline(tmp_path / "csv", "\ufeffage,x\n1,2\n", {"csv": {"header": True}})
    assert [f["name"] for f in statistics["features"]] == ["age", "x"]
    lines = '\ufeff{"age": 1}\n'
    statistics = baseline(tmp_path / "json", lines, {"json": {"lines": True}}, "d.jsonl")
    assert [f["name"] for f in statistics["features"]] == ["age"]


def test_gzipped_files_are_read_and_hidden_ones_skipped_as_spark_does(tmp_path: Path) -> None:
    (tmp_path / "part-0.csv.gz").write_bytes(gzip.compress(b"age\n1\n"))
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / ".part-0.csv.gz.crc").write_bytes(b"crc\x00\x87\xff")
    (tmp_path / "_temporary").mkdir()
    (tmp_path / "_temporary" / "part-9.csv").write_text("other\nx\n")
    columns, count = read_dataset(tmp_path, {"csv": {"header": True}})
    assert ([column.name for column in columns], count) == (["age"], 1)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("1_000", "String"),  # Python's float() reads it; the analyzer doesn't
        ("\u0661\u0662", "String"),  # Arabic-Indic digits
        ("NaN", "String"),
        ("inf", "String"),
        ("-7", "Integral"),
        ("2.5e3", "Fractional"),
        (".5", "Fractional"),
    ],
)
def test_only_ascii_decimal_numbers_are_numbers(tmp_path: Path, value: str, kind: str) -> None:
    statistics = baseline(tmp_path, f"x\n{value}\n", {"csv": {"header": True}})
    assert statistics["features"][0]["inferred_type"] == kind


def test_huge_values_give_statistics_or_a_client_error_not_a_crash(ws: Workspace) -> None:
    statistics = baseline(ws.root / "wide", "x\n1e200\n-1e200\n", {"csv": {"header": True}})
    assert statistics["features"][0]["numerical_statistics"]["std_dev"] == pytest.approx(1e200)
    ws.file("train/a.csv", "age,income,plan\n1e308,1,a\n1e308,2,b\n")
    result = ws.runner().run(
        compile_steps([check_step(skip_check=True, register_new_baseline=True)])
    )
    assert result.step("DataQuality").failure_reason == (
        "ClientError: the baseline dataset: feature 'age': the sum of its values is beyond a "
        "double's range"
    )
