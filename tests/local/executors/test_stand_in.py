"""Training and Tuning steps of a built-in algorithm, stood in for with --callback-output."""

from __future__ import annotations

import dataclasses
import json
import tarfile
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Code,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    Image,
    IntegerParameter,
    ModelStep,
    ProcessingInput,
    RegisterModel,
    TrainingStep,
    TuningStep,
)
from cdk_sagemaker_pipelines.local import LocalRunError
from tests.local.conftest import SKLEARN, Workspace, compile_steps, processing

MODEL_URI = "s3://data-bucket/models/model.tar.gz"
MODEL = "ModelArtifacts.S3ModelArtifacts"
AUC = "FinalMetricDataList['validation:auc'].Value"
# Reads the model the training step's stand-in names, as an evaluation script would.
EVALUATE = """
import json, os, tarfile
with tarfile.open("/opt/ml/processing/model/model.tar.gz") as archive:
    names = archive.getnames()
os.makedirs("/opt/ml/processing/evaluation", exist_ok=True)
json.dump({"files": names}, open("/opt/ml/processing/evaluation/evaluation.json", "w"))
"""
INFERENCE = "def model_fn(model_dir):\n    return None\n"


def built_in_training() -> TrainingStep:
    """The SDK's XGBoost estimator without entry_point=: the image's own program trains."""
    return TrainingStep(
        name="Train",
        image=Image.xgboost("1.7-1"),
        inputs={"train": "s3://data-bucket/train"},
        hyperparameters={"objective": "binary:logistic", "num_round": 10},
        cache_config=CacheConfig(expire_after="P1D"),
    )


def pipeline(ws: Workspace) -> list[object]:
    """Train (built-in), then evaluate its model, and register it if its AUC is good."""
    ws.file("train/train.csv", "1,0.5\n")
    train = built_in_training()
    evaluate = processing(
        "Evaluate",
        ws.script("evaluate.py", EVALUATE),
        outputs=["evaluation"],
        inputs=[
            ProcessingInput(
                source=train.properties.ModelArtifacts.S3ModelArtifacts,
                destination="/opt/ml/processing/model",
            )
        ],
    )
    model = ModelStep(
        name="CreateModel",
        image=Image.xgboost("1.7-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=SKLEARN,
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        code=Code.from_asset(ws.script("inference.py", INFERENCE)),
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        depends_on=[evaluate],
    )
    check = ConditionStep(
        name="GoodEnough",
        conditions=[
            ConditionGreaterThanOrEqualTo(
                left=train.properties.FinalMetricDataList["validation:auc"].Value, right=0.9
            )
        ],
        if_steps=[register, model],
        else_steps=[],
    )
    return [evaluate, check]


def packed_model(ws: Workspace) -> Path:
    """A model.tar.gz at MODEL_URI (s3://data-bucket is mapped to ws.data)."""
    ws.file("models/model/xgboost-model", "trees")
    archive = ws.data / "models" / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(ws.data / "models/model/xgboost-model", arcname="xgboost-model")
    return archive


def test_a_built_in_training_step_stood_in_for_feeds_the_steps_after_it(
    ws: Workspace,
) -> None:
    packed_model(ws)
    runner = ws.runner(callback_outputs={"Train": {MODEL: MODEL_URI, AUC: "0.91"}})
    result = runner.run(compile_steps(pipeline(ws)))  # type: ignore[arg-type]
    assert result.status == "Succeeded", result.failure_reason
    train = result.properties("Train")
    assert train["TrainingJobStatus"] == "Completed"
    assert train["TrainingJobName"].startswith(f"pipelines-{result.execution_id}-Train-")
    assert train["ModelArtifacts"] == {"S3ModelArtifacts": MODEL_URI}
    # Described as the service lists metrics; the value a number, for the condition.
    [metric] = train["FinalMetricDataList"]
    assert (metric["MetricName"], metric["Value"]) == ("validation:auc", 0.91)
    assert train["OutputDataConfig"]["S3OutputPath"].startswith("s3://art-bucket/")
    run = result.step("Train")
    assert run.log is not None
    assert "stood in for, not run (--callback-output): Training step 'Train'" in (
        run.log.read_text()
    )
    evaluation = json.loads(
        (result.output("Evaluate", "evaluation") / "evaluation.json").read_text()
    )
    assert evaluation == {"files": ["xgboost-model"]}
    assert result.step("GoodEnough").outcome is True
    package = result.registry.latest("churn")
    assert package is not None
    assert package.model_data is not None
    assert result.properties("CreateModel")["PrimaryContainer"]["ModelDataUrl"] == MODEL_URI
    # Not cached, though its CacheConfig is on: the values are the user's, not a run's.
    again = runner.run(compile_steps(pipeline(ws)))  # type: ignore[arg-type]
    assert again.status == "Succeeded", again.failure_reason
    assert again.step("Train").cache_hit is None


def test_without_stand_ins_the_failure_says_how_to_stand_in(ws: Workspace) -> None:
    # stop_at_missing: past the check before the run, to the step's own failure.
    result = ws.runner(stop_at_missing=True).run(compile_steps(pipeline(ws)))  # type: ignore[arg-type]
    reason = result.step("Train").failure_reason
    assert reason is not None
    assert reason.startswith(
        "no sagemaker_program hyperparameter: the local runner runs script-mode training"
    )
    # Every property the steps after it read, as for an AutoML step.
    assert reason.endswith(
        "; or, to test the steps after it, stand in for it (it is not run) with the "
        "properties later steps read: --callback-output "
        "Train.ModelArtifacts.S3ModelArtifacts=… --callback-output "
        "Train.FinalMetricDataList['validation:auc'].Value=… (the model's URI: one you map "
        "with --s3-map to a local model.tar.gz, or one an earlier execution wrote)"
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"ModelArtifacts.S3ModelArtifact": MODEL_URI},
            "callback_outputs (--callback-output): Training step 'Train' has no property "
            "'ModelArtifacts.S3ModelArtifact': ModelArtifacts has no property "
            "'S3ModelArtifact' (did you mean 'S3ModelArtifacts'?)",
        ),
        (
            {"BestTrainingJob.TrainingJobName": "job"},
            "callback_outputs (--callback-output): Training step 'Train' has no property "
            "'BestTrainingJob.TrainingJobName': the step has no property 'BestTrainingJob' "
            "(BestTrainingJob is a property of Tuning steps; a Training step's model is "
            "ModelArtifacts.S3ModelArtifacts (step.model_data in Python))",
        ),
        (
            {MODEL: "models/model.tar.gz"},
            "callback_outputs (--callback-output): step 'Train': property "
            "'ModelArtifacts.S3ModelArtifacts' of a Training step is the S3 URI of the model "
            "(s3://bucket/key/model.tar.gz), but --callback-output gave 'models/model.tar.gz'",
        ),
        (
            {AUC: "high"},
            "callback_outputs (--callback-output): step 'Train': property "
            f"'{AUC}' of a Training step is a metric's value, a number, but "
            "--callback-output gave 'high'",
        ),
    ],
)
def test_a_stand_in_a_later_step_could_not_read_stops_the_run_first(
    ws: Workspace, values: dict[str, str], message: str
) -> None:
    runner = ws.runner(callback_outputs={"Train": values})
    with pytest.raises(LocalRunError) as raised:
        runner.run(compile_steps(pipeline(ws)))  # type: ignore[arg-type]
    assert str(raised.value) == message
    assert not (ws.root / ".smpipe" / "executions").exists()


def test_a_step_that_runs_here_is_refused_a_stand_in(ws: Workspace) -> None:
    # Its values would otherwise be ignored, or replace what it computes.
    script = ws.script("train.py", "print('training')\n")
    train = TrainingStep(name="Train", image=SKLEARN, code=Code.from_asset(script))
    for step, values in (("Train", {MODEL: MODEL_URI}), ("Evaluate", {"done": "true"})):
        evaluate = processing("Evaluate", ws.script("evaluate.py", EVALUATE), depends_on=[train])
        runner = ws.runner(callback_outputs={step: values})
        with pytest.raises(LocalRunError) as raised:
            runner.run(compile_steps([evaluate]))
        kind, how = (
            ("Training", "its job runs a script")
            if step == "Train"
            else ("Processing", "the runner runs it")
        )
        assert str(raised.value) == (
            f"callback_outputs (--callback-output): {kind} step '{step}' runs locally ({how}), "
            "so --callback-output can't stand in for it; values stand in only for steps the "
            "runner can't run: Callback, Lambda, EMR and AutoML steps, ClarifyCheck steps and "
            "QualityCheck steps other than DATA_QUALITY ones, and Training or Tuning steps "
            "without a program (a built-in algorithm's)"
        )


def built_in_tuning() -> TuningStep:
    """A tuning job of the built-in XGBoost: its trials run the image's own program."""
    return TuningStep(
        name="Tune",
        image=Image.xgboost("1.7-1"),
        inputs={"train": "s3://data-bucket/train"},
        objective_metric_name="validation:auc",
        metric_definitions={"validation:auc": r"validation-auc:([0-9.]+)"},
        hyperparameter_ranges={"max_depth": IntegerParameter(min_value=2, max_value=8)},
        static_hyperparameters={"objective": "binary:logistic"},
        output_path="s3://data-bucket/tuning",
    )


def test_a_built_in_tuning_step_stood_in_for_gives_its_best_model(ws: Workspace) -> None:
    ws.file("train/train.csv", "1,0.5\n")
    tune = built_in_tuning()
    model = ModelStep(
        name="BestModel",
        image=Image.xgboost("1.7-1", scope="inference"),
        model_data=tune.top_model_s3_uri(0),
    )
    definition = compile_steps([model])
    failed = ws.runner(stop_at_missing=True).run(definition)
    reason = failed.step("Tune").failure_reason
    assert reason is not None
    assert reason.endswith(
        "stand in for it (it is not run) with the properties later steps read: "
        "--callback-output Tune.TrainingJobSummaries[0].TrainingJobName=… (a job's model is "
        "read at <S3OutputPath>/<TrainingJobName>/output/model.tar.gz: map it with --s3-map "
        "to a local model.tar.gz)"
    )
    # The best job's model, where top_model_s3_uri(0) reads it: under the output path.
    ws.file("tuning/job-007/output/model.tar.gz", "model")
    runner = ws.runner(callback_outputs={"Tune": {"BestTrainingJob.TrainingJobName": "job-007"}})
    result = runner.run(definition)
    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Tune")
    assert properties["HyperParameterTuningJobStatus"] == "Completed"
    assert properties["TrainingJobSummaries"] == [{"TrainingJobName": "job-007"}]
    assert result.properties("BestModel")["PrimaryContainer"]["ModelDataUrl"] == (
        "s3://data-bucket/tuning/job-007/output/model.tar.gz"
    )


def test_a_stood_in_step_is_reused_by_a_resume_and_a_selective_run(ws: Workspace) -> None:
    definition = compile_steps(pipeline(ws))  # type: ignore[arg-type]
    failed = ws.runner(stop_at_missing=True).run(definition)
    assert failed.step("Train").failure_reason is not None
    packed_model(ws)
    stood_in = ws.runner(callback_outputs={"Train": {MODEL: MODEL_URI, AUC: "0.91"}})
    resumed = stood_in.resume(failed.execution_id)
    assert resumed.status == "Succeeded", resumed.failure_reason
    # Its recorded properties feed the selected step, without stand-ins this time.
    again = ws.runner().run(definition, steps=["Evaluate"], from_execution=resumed.execution_id)
    assert again.status == "Succeeded", again.failure_reason


def test_a_stood_in_tuning_step_heads_its_summaries_with_the_best_job_given_with_others(
    ws: Workspace,
) -> None:
    # Was: TrainingJobSummaries[1] given made TrainingJobSummaries[0] an empty item, not the
    # best job, so top_model_s3_uri(0) failed: "has no property 'TrainingJobName'".
    ws.file("train/train.csv", "1,0.5\n")
    tune = dataclasses.replace(built_in_tuning(), max_jobs=2)
    top = [
        ModelStep(
            name=f"Top{k}",
            image=Image.xgboost("1.7-1", scope="inference"),
            model_data=tune.top_model_s3_uri(k),
        )
        for k in (0, 1)
    ]
    ws.file("tuning/job-007/output/model.tar.gz", "model")
    ws.file("tuning/job-002/output/model.tar.gz", "model")
    given = {
        "BestTrainingJob.TrainingJobName": "job-007",
        "BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value": "0.9",
        "TrainingJobSummaries[1].TrainingJobName": "job-002",
    }
    result = ws.runner(callback_outputs={"Tune": given}).run(compile_steps(top))
    assert result.status == "Succeeded", result.failure_reason
    best = {
        "TrainingJobName": "job-007",
        "FinalHyperParameterTuningJobObjectiveMetric": {"Value": 0.9},
    }
    properties = result.properties("Tune")
    assert properties["BestTrainingJob"] == best
    assert properties["TrainingJobSummaries"] == [best, {"TrainingJobName": "job-002"}]
    for k, job in enumerate(("job-007", "job-002")):
        assert result.properties(f"Top{k}")["PrimaryContainer"]["ModelDataUrl"] == (
            f"s3://data-bucket/tuning/{job}/output/model.tar.gz"
        )


def test_a_built_in_training_step_in_a_condition_branch_is_stood_in_for(ws: Workspace) -> None:
    packed_model(ws)
    ws.file("train/train.csv", "1,0.5\n")
    train = built_in_training()
    model = ModelStep(
        name="CreateModel",
        image=Image.xgboost("1.7-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    )
    gate = ConditionStep(
        name="Gate",
        conditions=[ConditionGreaterThanOrEqualTo(left=1, right=0)],
        if_steps=[train],
        else_steps=[],
    )
    runner = ws.runner(callback_outputs={"Train": {MODEL: MODEL_URI}})
    result = runner.run(compile_steps([gate, model]))
    assert result.status == "Succeeded", result.failure_reason
    assert result.properties("CreateModel")["PrimaryContainer"]["ModelDataUrl"] == MODEL_URI
