"""The example ML project end to end: a real model is trained, evaluated and registered."""

from __future__ import annotations

import importlib.util
import tarfile
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.local import ExecutionResult, LocalRunner
from example_project.local import MODEL_PACKAGE_GROUP
from example_project.pipeline import DATASET
from tests.conftest import cached_example_root, extract_all


@pytest.fixture(scope="module")
def runs(
    example_runs: tuple[LocalRunner, ExecutionResult, ExecutionResult],
) -> tuple[LocalRunner, ExecutionResult, ExecutionResult]:
    return example_runs  # run once per session (tests/conftest.py)


def test_trains_evaluates_and_registers_a_real_model(
    runs: tuple[LocalRunner, ExecutionResult, ExecutionResult],
) -> None:
    _, result, _ = runs
    assert result.status == "Succeeded", result.failure_reason
    assert [(run.name, run.status) for run in result.steps] == [
        ("Preprocess", "Succeeded"),
        ("DataQualityCheck", "Succeeded"),  # calculates the baseline only (skip_check)
        ("Train", "Succeeded"),
        ("Evaluate", "Succeeded"),
        ("CheckAccuracy", "Succeeded"),
        ("SealArtifacts", "Succeeded"),
        ("RegisterModel", "Succeeded"),
        ("AccuracyTooLow", "NotExecuted"),
    ]
    accuracy = result.property_file("Evaluate", "EvaluationReport")["metrics"]["accuracy"]["value"]
    assert 0.9 <= accuracy <= 1.0
    assert result.step("CheckAccuracy").outcome is True
    train = result.properties("Train")
    metrics = {m["MetricName"]: m["Value"] for m in train["FinalMetricDataList"]}
    assert metrics["train:accuracy"] > 0.9
    package = result.registry.latest(MODEL_PACKAGE_GROUP)
    assert package is not None
    assert package.approval_status == "PendingManualApproval"
    # The version records the sealed copies, which no later execution's job can overwrite.
    sealed = f"/sealed/{result.record.pipeline_name}/{result.execution_id}/SealArtifacts/"
    container = package.description["InferenceSpecification"]["Containers"][0]
    assert sealed + "model/model.tar.gz" in container["ModelDataUrl"]
    statistics = package.description["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    assert sealed + "metrics/evaluation.json" in statistics
    baselines = package.description["DriftCheckBaselines"]["ModelDataQuality"]
    assert sealed + "statistics/statistics.json" in baselines["Statistics"]["S3Uri"]
    assert sealed + "constraints/constraints.json" in baselines["Constraints"]["S3Uri"]
    assert package.description["MetadataProperties"]["GeneratedBy"] == result.arn
    # What the run read and which run it was, with the version (local_pipeline gives no
    # commit: CommitId is left out rather than recorded empty).
    assert package.description["CustomerMetadataProperties"] == {
        "InputDataKey": "curated/",
        "PipelineExecutionArn": result.arn,
        # The gate it passed: the run's AccuracyThreshold and the definition's floor.
        "AccuracyThreshold": "0.9",
        "AccuracyFloor": "0.9",
    }
    assert "CommitId" not in package.description["MetadataProperties"]
    assert package.metrics["ModelQuality"]["Statistics"]["metrics"]["accuracy"]["value"] == accuracy
    assert package.model_data is not None


def test_the_version_records_the_baseline_of_what_the_endpoint_receives(
    runs: tuple[LocalRunner, ExecutionResult, ExecutionResult],
) -> None:
    # The monitor compares the endpoint's captured requests (CSV rows of the 30 features,
    # no header, no target) with it: its columns must be theirs, or every capture would
    # miss a column (the target) or name its columns otherwise (a header).
    _, result, _ = runs
    package = result.registry.latest(MODEL_PACKAGE_GROUP)
    assert package is not None
    baselines = package.drift_check_baselines["ModelDataQuality"]
    statistics, constraints = baselines["Statistics"], baselines["Constraints"]
    served = DATASET.read_text().splitlines()[0].split(",")[1:]  # the features, no target
    assert served[0] != "target"
    names = [f"_c{index}" for index in range(len(served))]
    assert [feature["name"] for feature in statistics["features"]] == names
    assert [feature["name"] for feature in constraints["features"]] == names
    assert {feature["inferred_type"] for feature in statistics["features"]} == {"Fractional"}
    rows = len(DATASET.read_text().splitlines()) - 1
    assert statistics["dataset"]["item_count"] == rows - round(rows * 0.2)  # the train split
    assert (package.directory / "drift-check-baselines").is_dir()
    # What the deployed app alarms on (stacks/mlops_stack.py) are these features' drift.
    from example_project.pipeline import monitored_feature_names

    assert monitored_feature_names() == names


def test_the_registered_version_is_self_contained_and_serves(
    runs: tuple[LocalRunner, ExecutionResult, ExecutionResult], tmp_path: Path
) -> None:
    # The serving code is packed in model.tar.gz, not a second S3 object (the CDK assets
    # bucket, which accounts the registry is shared with can't read).
    _, result, _ = runs
    package = result.registry.latest(MODEL_PACKAGE_GROUP)
    assert package is not None
    assert package.model_data is not None
    (container,) = package.description["InferenceSpecification"]["Containers"]
    assert container["Environment"] == {
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
    }
    assert "LocalCode" not in container
    assert not (package.directory / "code.tar.gz").exists()
    with tarfile.open(package.model_data) as archive:
        assert sorted(archive.getnames()) == ["code", "code/inference.py", "model.joblib"]
        extract_all(archive, tmp_path)
    spec = importlib.util.spec_from_file_location("inference", tmp_path / "code" / "inference.py")
    assert spec is not None
    assert spec.loader is not None
    inference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(inference)
    row = DATASET.read_text().splitlines()[1].split(",", 1)[1]  # the features, no target
    model = inference.model_fn(str(tmp_path))
    predicted = inference.output_fn(inference.predict_fn(inference.input_fn(row), model))
    assert predicted in ("0\n", "1\n")


def test_a_threshold_above_the_accuracy_fails_with_the_fail_steps_message(
    runs: tuple[LocalRunner, ExecutionResult, ExecutionResult],
) -> None:
    _, registered, result = runs
    accuracy = registered.property_file("Evaluate", "EvaluationReport")["metrics"]["accuracy"][
        "value"
    ]
    assert result.status == "Failed"
    # The message is the Fail step's reason, as on SageMaker; the execution's names it.
    message = f"Model accuracy {accuracy} is below the threshold 0.999 or the floor 0.9"
    assert result.step("AccuracyTooLow").failure_reason == message
    assert result.failure_reason == (
        f"Step failure: One or multiple steps failed. Step 'AccuracyTooLow': {message}"
    )
    assert result.step("CheckAccuracy").outcome is False
    assert result.step("RegisterModel").status == "NotExecuted"
    assert result.step("AccuracyTooLow").status == "Failed"
    # Every job step is cached (CacheConfig P30D): only the condition's outcome changes.
    assert result.step("Preprocess").cache_hit == registered.arn
    assert result.step("Train").cache_hit == registered.arn
    assert result.step("Evaluate").cache_hit == registered.arn
    assert result.step("DataQualityCheck").status == "Succeeded"  # calculates only: no check


def test_a_threshold_lowered_below_the_floor_registers_nothing(
    example_runs: tuple[LocalRunner, ExecutionResult, ExecutionResult], tmp_path: Path
) -> None:
    # Whoever may start a run may set AccuracyThreshold to 0: the floor, a literal of the
    # definition, still gates the registration (the job steps are the cached ones).
    from cdk_sagemaker_pipelines.local import LocalConfig
    from example_project.local import local_pipeline
    from example_project.pipeline import PipelineSettings

    _, registered, _ = example_runs
    root = cached_example_root(example_runs, tmp_path / ".smpipe")
    runner = LocalRunner(LocalConfig(root=root))
    result = runner.run(
        local_pipeline(PipelineSettings(accuracy_floor=0.999)), {"AccuracyThreshold": "0"}
    )
    accuracy = registered.property_file("Evaluate", "EvaluationReport")["metrics"]["accuracy"][
        "value"
    ]
    assert result.status == "Failed"
    assert result.step("Evaluate").cache_hit == registered.arn
    assert result.step("CheckAccuracy").outcome is False
    assert result.step("RegisterModel").status == "NotExecuted"
    assert result.step("AccuracyTooLow").failure_reason == (
        f"Model accuracy {accuracy} is below the threshold 0.0 or the floor 0.999"
    )
    assert runner.registry.versions(MODEL_PACKAGE_GROUP) == []


def test_the_registry_lists_and_approves(
    runs: tuple[LocalRunner, ExecutionResult, ExecutionResult],
) -> None:
    runner, _, _ = runs
    versions = runner.registry.versions(MODEL_PACKAGE_GROUP)
    assert [v.version for v in versions] == [1]
    assert runner.registry.approve(MODEL_PACKAGE_GROUP, 1).approval_status == "Approved"


def test_job_steps_retry_every_error_sagemaker_documents_as_transient():
    # Capacity and quota errors wait up to an hour; a job's internal error is retried a
    # few times; Pipelines' own service faults and throttling too. Not a script's error.
    from cdk_sagemaker_pipelines.definition import StaticBinder
    from example_project.pipeline import build_pipeline

    binder = StaticBinder(
        region="us-east-1",
        role_arn="arn:aws:iam::111122223333:role/r",
        default_bucket="b",
        code_prefix="s3://b/code",
    )
    definition = build_pipeline(data_bucket="data", model_package_group_name="models")
    steps = {step["Name"]: step for step in definition.to_definition(binder)["Steps"]}
    expected = [
        {
            "BackoffRate": 2.0,
            "ExceptionType": ["SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT"],
            "ExpireAfterMin": 60,
            "IntervalSeconds": 60,
        },
        {
            "BackoffRate": 2.0,
            "ExceptionType": ["SageMaker.JOB_INTERNAL_ERROR"],
            "IntervalSeconds": 30,
            "MaxAttempts": 2,
        },
        {
            "BackoffRate": 2.0,
            "ExceptionType": ["Step.SERVICE_FAULT", "Step.THROTTLING"],
            "IntervalSeconds": 10,
            "MaxAttempts": 5,
        },
    ]
    for name in ("Preprocess", "Train", "Evaluate"):
        assert steps[name]["RetryPolicies"] == expected, name


def test_the_version_records_the_commit_and_repository_as_literals():
    # Given at synth, not as parameters: a run can't record another commit than the one
    # its definition was deployed from. None leaves the field out.
    from cdk_sagemaker_pipelines.definition import StaticBinder
    from cdk_sagemaker_pipelines.definition.entries import walk_steps
    from example_project.pipeline import build_pipeline

    binder = StaticBinder(
        region="us-east-1",
        role_arn="arn:aws:iam::111122223333:role/r",
        default_bucket="b",
        code_prefix="s3://b/code",
    )

    def metadata(
        source_commit: str | None = None, source_repository: str | None = None
    ) -> tuple[object, list[str]]:
        pipeline = build_pipeline(
            data_bucket="data",
            model_package_group_name="models",
            source_commit=source_commit,
            source_repository=source_repository,
        )
        definition = pipeline.to_definition(binder)
        (register,) = [s for s in walk_steps(definition["Steps"]) if s.name == "RegisterModel"]
        names = [parameter["Name"] for parameter in definition["Parameters"]]
        return register.entry["Arguments"]["MetadataProperties"], names

    recorded, names = metadata(
        source_commit="3e1d67d", source_repository="https://github.com/acme/ml-platform"
    )
    assert recorded == {
        "CommitId": "3e1d67d",
        "Repository": "https://github.com/acme/ml-platform",
        "GeneratedBy": {"Get": "Execution.PipelineExecutionArn"},
    }
    assert not any("commit" in name.lower() for name in names)
    assert metadata() == ({"GeneratedBy": {"Get": "Execution.PipelineExecutionArn"}}, names)
