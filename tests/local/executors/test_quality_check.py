"""DATA_QUALITY QualityCheck steps: the baseline computed locally, and the drift check."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    DataQualityCheckConfig,
    DatasetFormat,
    ModelQualityCheckConfig,
    QualityCheckStep,
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
