"""Comparing two local executions: ``compare_executions``, its displays and ``smpipe compare``."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Code,
    Image,
    ParameterInteger,
    PropertyFile,
    RegisterModel,
    TrainingStep,
)
from cdk_sagemaker_pipelines.local import (
    ExecutionResult,
    LocalRunner,
    RegisteredVersion,
    RunChange,
    compare_executions,
    render_comparison_markdown,
    render_comparison_text,
)
from cdk_sagemaker_pipelines.local.compare import MISSING
from tests.local.conftest import (
    SKLEARN,
    WRITE_OUTPUT,
    Workspace,
    compile_steps,
    processing,
    workspace,
)

TRAIN = """
import json, os, sys
depth = int(sys.argv[sys.argv.index("--depth") + 1])
json.dump({"depth": depth}, open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w"))
print(f"auc={0.5 + depth / 10:.2f}")
print("loss=0.25")
"""
EVALUATE = """
import json, os
depth = int(os.environ["DEPTH"])
os.makedirs("/opt/ml/processing/evaluation", exist_ok=True)
report = {"metrics": {"accuracy": {"value": round(0.85 + depth / 50, 2)}}, "rows": 100}
json.dump(report, open("/opt/ml/processing/evaluation/evaluation.json", "w"))
"""
CHECK = """
import os, sys
if int(os.environ["DEPTH"]) > 4:
    sys.exit("depth above 4")
"""
FAILED = "AlgorithmError: the processing script exited with code 1: depth above 4"


@dataclass
class TwoRuns:
    runner: LocalRunner
    old: ExecutionResult
    new: ExecutionResult


def pipeline(ws: Workspace) -> dict[str, Any]:
    """Prep (cached) → Train (metrics) → Evaluate (property file); Register; Check (fails)."""
    depth = ParameterInteger(name="Depth", default_value=3)
    prep = processing(
        "Prep",
        ws.script("prep.py", WRITE_OUTPUT),
        outputs=["out"],
        cache_config=CacheConfig(expire_after="P1D"),
    )
    ws.file("train/train.csv", "1\n2\n")
    train = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        hyperparameters={"depth": depth},
        metric_definitions={"validation:auc": r"auc=([0-9.]+)", "loss": r"loss=([0-9.]+)"},
        depends_on=[prep],
    )
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = processing(
        "Evaluate",
        ws.script("evaluate.py", EVALUATE),
        outputs=["evaluation"],
        environment={"DEPTH": depth},
        property_files=[report],
        depends_on=[train],
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="scores",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        depends_on=[evaluate],
    )
    check = processing(
        "Check",
        ws.script("check.py", CHECK),
        environment={"DEPTH": depth},
        depends_on=[register],
    )
    return compile_steps([prep, train, evaluate, register, check], [depth])


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> TwoRuns:
    """The two executions, run once per module in a workspace that no test changes."""
    ws = workspace(tmp_path_factory.mktemp("compare"))
    runner = ws.runner()
    definition = pipeline(ws)
    old = runner.run(definition)
    assert old.succeeded, old.failure_reason
    new = runner.run(definition, {"Depth": "5"})
    assert new.status == "Failed"
    return TwoRuns(runner, old, new)


@pytest.fixture
def runs(ws: Workspace, ran: TwoRuns) -> TwoRuns:
    """A copy of ``ran``'s workspace in ``ws``, its executions read back from there.

    Tests change the results (records, properties) and the runner's directory (approvals,
    other runs): each gets its own copy rather than run the two executions again.
    """
    shutil.copytree(Path(ran.runner.config.root).parent, ws.root, dirs_exist_ok=True)
    runner = ws.runner()
    return TwoRuns(
        runner, runner.execution(ran.old.execution_id), runner.execution(ran.new.execution_id)
    )


def test_only_what_differs_is_listed_in_pipeline_order(runs: TwoRuns, ran: TwoRuns) -> None:
    comparison = compare_executions(runs.old, runs.new)

    old_id = runs.old.execution_id
    rows = [
        (c.kind, c.step, c.name, c.old, c.new, c.delta)
        for c in comparison.changes
        if c.kind != "duration"  # timing: asserted below
    ]
    assert rows == [
        ("parameter", None, "Depth", 3, 5, 2),
        ("cache", "Prep", "cache", "ran", f"hit {old_id}", None),
        # The parameter as each step received it: the resolved requests' fields.
        ("request", "Train", "HyperParameters.depth", "3", "5", None),
        ("metric", "Train", "validation:auc", 0.8, 1.0, 0.2),
        ("request", "Evaluate", "Environment.DEPTH", "3", "5", None),
        ("property", "Evaluate", "EvaluationReport metrics.accuracy.value", 0.91, 0.95, 0.04),
        (
            "model",
            "Register",
            "registered",
            RegisteredVersion("scores", 1, "PendingManualApproval"),
            RegisteredVersion("scores", 2, "PendingManualApproval"),
            None,
        ),
        ("status", "Check", "status", "Succeeded", "Failed", None),
    ]
    # The unchanged metric (loss) and property (rows) are left out; so is the definition.
    assert not comparison.definitions_differ
    assert comparison.diff_command is None
    assert comparison.same_pipeline
    # Only a change of a second and a tenth counts: these scripts take a fraction of one.
    assert [c for c in comparison.changes if c.kind == "duration"] == []
    assert runs.old.compare(runs.new) == comparison
    # The executions as run (not read back from a copy of their folder): the same changes.
    assert ran.old.compare(ran.new).changes == comparison.changes
    # A status change says why the step failed (SageMaker's FailureReason).
    assert comparison.changes[-1].reason == FAILED


def test_an_execution_compared_with_itself_has_no_differences(runs: TwoRuns) -> None:
    comparison = runs.new.compare(runs.new)

    assert not comparison
    assert render_comparison_text(comparison).endswith(
        "Same definition\nNo differences in parameters, steps, metrics, property files or models\n"
    )


def test_the_text_groups_the_changes_by_step(runs: TwoRuns) -> None:
    text = render_comparison_text(runs.old.compare(runs.new))

    old_id, new_id = runs.old.execution_id, runs.new.execution_id
    assert text == (
        f"Executions {old_id} → {new_id} (local-pipeline): Succeeded → Failed\n"
        "Same definition\n"
        "Parameters:\n"
        "  Depth: 3 → 5 (+2)\n"
        "Steps:\n"
        "  Prep (Processing)\n"
        f"    cache: ran → hit {old_id}\n"
        "  Train (Training)\n"
        "    HyperParameters.depth: 3 → 5\n"
        "    metric validation:auc: 0.8 → 1.0 (+0.2)\n"
        "  Evaluate (Processing)\n"
        "    Environment.DEPTH: 3 → 5\n"
        "    EvaluationReport metrics.accuracy.value: 0.91 → 0.95 (+0.04)\n"
        "  Register (RegisterModel)\n"
        "    registered: scores v1 (PendingManualApproval) → scores v2 (PendingManualApproval)\n"
        "  Check (Processing)\n"
        f"    status: Succeeded → Failed: {FAILED}\n"
    )


def test_a_notebook_shows_a_table_of_the_changes(runs: TwoRuns) -> None:
    markdown = runs.old.compare(runs.new)._repr_markdown_()

    old_id, new_id = runs.old.execution_id, runs.new.execution_id
    assert markdown.splitlines()[:7] == [
        f"**Executions `{old_id}` → `{new_id}` (local-pipeline): Succeeded → Failed**",
        "",
        "Same definition",
        "",
        f"| Step | Value | `{old_id}` | `{new_id}` | Change |",
        "|---|---|---|---|---|",
        "| *parameter* | `Depth` | 3 | 5 | +2 |",
    ]
    assert f"| Prep | cache | ran | hit {old_id} |  |" in markdown
    assert "| Train | metric `validation:auc` | 0.8 | 1.0 | +0.2 |" in markdown
    assert "| Train | `HyperParameters.depth` | 3 | 5 |  |" in markdown
    assert "| Evaluate | `EvaluationReport metrics.accuracy.value` | 0.91 | 0.95 | +0.04 |" in (
        markdown
    )
    assert f"| Check | status | Succeeded | Failed | {FAILED} |" in markdown
    assert markdown == render_comparison_markdown(runs.old.compare(runs.new))


def test_a_different_definition_points_at_smpipe_diff(ws: Workspace, runs: TwoRuns) -> None:
    # A changed definition, run under another pipeline name: compared all the same.
    definition = pipeline(ws)
    definition["Steps"] = [step for step in definition["Steps"] if step["Name"] != "Check"]
    other = runs.runner.run(definition, pipeline_name="other-pipeline")

    comparison = runs.old.compare(other)

    assert comparison.definitions_differ
    assert not comparison.same_pipeline
    old_dir, new_dir = runs.old.directory, other.directory
    assert comparison.diff_command == (
        f"smpipe diff {old_dir / 'definition.json'} {new_dir / 'definition.json'}"
    )
    assert RunChange("status", "status", "Succeeded", MISSING, step="Check") in comparison.changes
    text = render_comparison_text(comparison)
    assert text.splitlines()[:2] == [
        f"Executions {runs.old.execution_id} → {other.execution_id} (different pipelines: "
        "local-pipeline → other-pipeline): Succeeded → Succeeded",
        f"Definitions differ: {comparison.diff_command}",
    ]
    assert "    status: Succeeded → (none)\n" in text


def test_a_stopped_execution_is_compared_as_far_as_it_got(runs: TwoRuns) -> None:
    # Stopped after Prep (as Ctrl-C leaves it): its later steps have no results to compare.
    record = runs.old.record
    for name in ("Train", "Evaluate", "Register", "Check"):
        del record.steps[name]
        record.not_executed[name] = "execution stopped"
        runs.old.store.properties.pop(name, None)
    record.status = "Stopped"
    stopped = ExecutionResult(record, runs.old.definition, runs.old.store, runs.old.root)

    comparison = stopped.compare(runs.new)

    by_step = {(c.step, c.name): (c.old, c.new) for c in comparison.changes}
    assert by_step[("Train", "status")] == ("NotExecuted", "Succeeded")
    assert by_step[("Train", "validation:auc")] == (MISSING, 1.0)
    assert by_step[("Register", "registered")] == (
        MISSING,
        RegisteredVersion("scores", 2, "PendingManualApproval"),
    )
    assert ("Train", "cache") not in by_step  # nothing to compare on the stopped side
    assert "    metric validation:auc: (none) → 1.0\n" in render_comparison_text(comparison)


def test_a_version_approved_since_shows_its_status_now(runs: TwoRuns) -> None:
    runs.old.registry.approve("scores", 1)

    (model,) = [c for c in runs.old.compare(runs.new).changes if c.kind == "model"]

    assert str(model.old) == "scores v1 (Approved)"


def test_smpipe_compare_prints_the_text_or_json(
    ws: Workspace, runs: TwoRuns, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(ws.root / ".smpipe")
    old_id, new_id = runs.old.execution_id, runs.new.execution_id

    assert main(["compare", old_id[:6], new_id, "--root", root]) == 0
    assert capsys.readouterr().out == render_comparison_text(runs.old.compare(runs.new))

    assert main(["compare", old_id, new_id, "--root", root, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["old"] == {
        "execution_id": old_id,
        "pipeline_name": "local-pipeline",
        "status": "Succeeded",
    }
    assert (data["same_pipeline"], data["definitions_differ"]) == (True, False)
    assert data["changes"][0] == {
        "kind": "parameter",
        "name": "Depth",
        "old": 3,
        "new": 5,
        "delta": 2,
    }
    (model,) = [c for c in data["changes"] if c["kind"] == "model"]
    assert model["new"] == {
        "group": "scores",
        "version": 2,
        "approval_status": "PendingManualApproval",
    }


def test_smpipe_compare_names_the_id_it_cannot_find(
    ws: Workspace, runs: TwoRuns, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(ws.root / ".smpipe")

    assert main(["compare", runs.old.execution_id, "zzzz", "--root", root]) == 2

    error = capsys.readouterr().err
    assert re.fullmatch(
        r"smpipe compare: NEW zzzz: no execution 'zzzz' under \S+/executions "
        r"\(smpipe executions lists them\)\n",
        error,
    )


def test_a_comparison_refuses_what_is_not_an_execution(runs: TwoRuns) -> None:
    with pytest.raises(TypeError, match="the new execution must be an ExecutionResult"):
        compare_executions(runs.old, runs.new.execution_id)  # type: ignore[arg-type]


def test_a_duration_counts_once_it_changed_by_a_second_and_a_tenth(runs: TwoRuns) -> None:
    def take(result: ExecutionResult, seconds: float) -> None:
        entry = result.record.steps["Train"]
        start = dt.datetime.fromisoformat(entry["StartTime"])
        entry["EndTime"] = (start + dt.timedelta(seconds=seconds)).isoformat()

    take(runs.old, 20.0)
    take(runs.new, 21.5)  # +1.5 s, but under a tenth: noise
    assert [c for c in runs.old.compare(runs.new).changes if c.kind == "duration"] == []

    take(runs.new, 23.0)
    comparison = runs.old.compare(runs.new)

    (duration,) = [c for c in comparison.changes if c.kind == "duration"]
    assert (duration.step, duration.old, duration.new, duration.delta) == ("Train", 20.0, 23.0, 3.0)
    assert "  Train (Training)\n    duration: 20.00s → 23.00s (+3.00s)\n" in (
        render_comparison_text(comparison)
    )


def _set_metric(result: ExecutionResult, name: str, value: Any) -> None:
    for item in result.store.properties["Train"]["FinalMetricDataList"]:
        if item["MetricName"] == name:
            item["Value"] = value


def test_a_nan_metric_on_both_sides_is_no_change_and_the_json_stays_json(
    ws: Workspace, runs: TwoRuns, capsys: pytest.CaptureFixture[str]
) -> None:
    # NaN != NaN: a loss that diverged in both runs is not a difference.
    _set_metric(runs.old, "loss", float("nan"))
    _set_metric(runs.new, "loss", float("nan"))
    assert [c for c in runs.old.compare(runs.new).changes if c.name == "loss"] == []

    # A diverged loss on one side is; its JSON is still JSON (no bare NaN/Infinity).
    _set_metric(runs.new, "loss", float("inf"))
    comparison = runs.old.compare(runs.new)
    (loss,) = [c for c in comparison.changes if c.name == "loss"]
    assert loss.delta is None
    text = json.dumps(comparison.to_dict(), allow_nan=False)
    (data,) = [c for c in json.loads(text)["changes"] if c["name"] == "loss"]
    assert (data["old"], data["new"]) == ("NaN", "Infinity")


def test_a_tuning_steps_objective_metric_is_compared() -> None:
    from cdk_sagemaker_pipelines.local.compare import _metrics

    def tuning(value: float) -> Any:
        objective = {"Type": "Maximize", "MetricName": "validation:auc", "Value": value}
        best = {"TrainingJobName": "t-1", "FinalHyperParameterTuningJobObjectiveMetric": objective}

        class Run:
            properties = {"BestTrainingJob": best}

        return Run()

    assert _metrics(tuning(0.9)) == {"validation:auc": 0.9}


def test_an_integer_difference_is_shown_whole() -> None:
    from cdk_sagemaker_pipelines.local.compare import _delta_text

    change = RunChange("metric", "rows", 1_000_000, 3_500_000, step="Evaluate")
    assert _delta_text(change) == "+2500000"


def test_a_backtick_in_a_name_keeps_the_markdown_code_span_whole(runs: TwoRuns) -> None:
    properties = runs.new.store.properties["Train"]["FinalMetricDataList"]
    properties.append({"MetricName": "a`b|c", "Value": 1.0})

    markdown = runs.old.compare(runs.new)._repr_markdown_()

    assert "| Train | metric ``a`b\\|c`` | (none) | 1.0 |  |" in markdown


def _training_then_scoring(ws: Workspace, c: str) -> dict[str, Any]:
    """Train (hyperparameter ``C`` written in the pipeline) → Score (reads the model)."""
    ws.file("train/train.csv", "1\n2\n")
    train = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        hyperparameters={"depth": 3, "C": c},
    )
    score = processing(
        "Score",
        ws.script("score.py", WRITE_OUTPUT),
        inputs={"/opt/ml/processing/model": train.properties.ModelArtifacts.S3ModelArtifacts},
    )
    return compile_steps([train, score], [])


def test_a_changed_hyperparameter_shows_under_its_step_and_nothing_run_specific_does(
    ws: Workspace,
) -> None:
    runner = ws.runner()
    old = runner.run(_training_then_scoring(ws, "1.0"))
    new = runner.run(_training_then_scoring(ws, "0.01"))
    assert old.succeeded, old.failure_reason
    assert new.succeeded, new.failure_reason

    comparison = old.compare(new)

    # Score's model URL holds Train's job name (a fresh token each run): not a change.
    requests = [(c.step, c.name, c.old, c.new) for c in comparison.changes if c.kind == "request"]
    assert requests == [("Train", "HyperParameters.C", "1.0", "0.01")]
    text = render_comparison_text(comparison)
    assert "  Train (Training)\n    HyperParameters.C: 1.0 → 0.01\n" in text
    assert text.splitlines()[1] == f"Definitions differ: {comparison.diff_command}"
    data = comparison.to_dict()["changes"]
    assert {
        "kind": "request",
        "step": "Train",
        "name": "HyperParameters.C",
        "old": "1.0",
        "new": "0.01",
    } in data


def test_the_displays_shorten_request_values_and_show_a_few_fields_per_step(
    runs: TwoRuns,
) -> None:
    from cdk_sagemaker_pipelines.local.compare import REQUEST_LINES, VALUE_WIDTH

    hyperparameters = runs.new.store.properties["Train"]["HyperParameters"]
    hyperparameters["long"] = "x" * 200
    for index in range(REQUEST_LINES):
        hyperparameters[f"extra{index}"] = str(index)
    comparison = runs.old.compare(runs.new)

    text = render_comparison_text(comparison)
    train = text.split("  Train (Training)\n", 1)[1].split("\n  Evaluate", 1)[0].splitlines()
    assert train[0] == "    HyperParameters.depth: 3 → 5"
    assert train[1] == "    HyperParameters.long: (none) → " + "x" * (VALUE_WIDTH - 1) + "…"
    assert train[REQUEST_LINES] == "    … 2 more request fields (smpipe compare --json)"
    assert train[REQUEST_LINES + 1].startswith("    metric validation:auc")
    assert "| Train | … 2 more request fields (smpipe compare --json) |" in (
        comparison._repr_markdown_()
    )
    # The JSON keeps every field, whole.
    requests = [c for c in comparison.to_dict()["changes"] if c["kind"] == "request"]
    assert {
        "kind": "request",
        "step": "Train",
        "name": "HyperParameters.long",
        "new": "x" * 200,
    } in requests


def test_a_changed_model_name_a_step_was_given_is_not_masked_as_run_specific(
    runs: TwoRuns,
) -> None:
    # Was: every step's ModelName was masked as a run's name, so a Transform scoring with
    # another (literal) model, or a field naming it, showed no change. Only a Model
    # step's run makes its model's name; the ModelName of another step is an input.
    for result, model in ((runs.old, "churn-v1"), (runs.new, "churn-v2")):
        result.store.properties["Register"]["ModelName"] = model
        result.store.properties["Train"]["HyperParameters"]["model"] = model

    comparison = runs.old.compare(runs.new)

    assert ("Train", "HyperParameters.model", "churn-v1", "churn-v2") in [
        (c.step, c.name, c.old, c.new) for c in comparison.changes if c.kind == "request"
    ]
