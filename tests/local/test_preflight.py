"""Before any step runs, the runner names the Callback and Lambda steps nothing stands in for."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    CallbackStep,
    ConditionEquals,
    ConditionStep,
    LambdaStep,
    OutputType,
    ParameterString,
    StepOutput,
)
from cdk_sagemaker_pipelines.local import LocalRunError, ProgressEvent, ResourceMap
from tests.local.conftest import WRITE_OUTPUT, Workspace, compile_steps, processing

ARN = "arn:aws:lambda:us-east-1:111122223333:function:prep"
QUEUE = "https://sqs.us-east-1.amazonaws.com/111122223333/q"
MISSING = (
    "nothing stands in for 2 steps this execution will reach, which would fail there after "
    "the steps before them have run; give:\n"
    "  Approve (Callback): --callback-output Approve.ok=… (Boolean: true or false)\n"
    f"  Count (Lambda): --lambda {ARN}=FILE.py:FUNCTION, or instead its outputs: "
    "--callback-output Count.rows=… (Integer: a whole number)\n"
    "or, to run the steps before them anyway, stop_at_missing (--stop-at-missing)"
)
BRANCH_NOTICE = (
    "nothing stands in for a step this execution may reach, which would fail there; to run "
    "them, give:\n"
    "  Notify (Callback): --callback-output Notify.note=… (String: text, not an object or a "
    "list) [in a Condition's branch]"
)


def pipeline(ws: Workspace) -> dict[str, Any]:
    """Prep (a job), then Approve (Callback), Count (Lambda), and Notify in a branch."""
    prep = processing("Prep", ws.script("prep.py", WRITE_OUTPUT), outputs=["out"])
    approve = CallbackStep(
        name="Approve",
        sqs_queue_url=QUEUE,
        outputs=[StepOutput(output_name="ok", output_type=OutputType.BOOLEAN)],
        depends_on=[prep],
    )
    count = LambdaStep(
        name="Count",
        function_arn=ARN,
        inputs={"ok": approve.properties.OutputParameters["ok"]},
        outputs=[StepOutput(output_name="rows", output_type=OutputType.INTEGER)],
    )
    notify = CallbackStep(
        name="Notify",
        sqs_queue_url=QUEUE,
        outputs=[StepOutput(output_name="note", output_type=OutputType.STRING)],
    )
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=count.properties.OutputParameters["rows"], right=3)],
        if_steps=[notify],
        else_steps=[],
    )
    return compile_steps([check])


def test_fails_before_any_step_runs_naming_every_step_certain_to_be_reached(
    ws: Workspace,
) -> None:
    # Was: Prep ran, then Approve failed for want of --callback-output; given it on a
    # resume, Count failed for want of a handler.
    runner = ws.runner()
    with pytest.raises(LocalRunError) as raised:
        runner.run(pipeline(ws))
    assert str(raised.value) == MISSING
    assert runner.executions() == []


def test_a_step_in_a_branch_gets_a_notice_and_the_run_goes_on(ws: Workspace) -> None:
    events: list[ProgressEvent] = []
    ws.script("count.py", "def handler(event, context):\n    return {'rows': 3}\n")
    runner = ws.runner(
        callback_outputs={"Approve": {"ok": "true"}},
        resources=ws.resources().merged(
            ResourceMap(lambdas={ARN: f"{ws.scripts}/count.py:handler"})
        ),
        progress=events.append,
    )
    result = runner.run(pipeline(ws))
    assert [event.message for event in events if event.kind == "execution-notice"] == [
        BRANCH_NOTICE
    ]
    assert [event.kind for event in events[:2]] == ["execution-started", "execution-notice"]
    assert result.step("Notify").status == "Failed"  # the branch was taken


def test_stop_at_missing_runs_the_steps_before_and_a_resume_checks_again(
    ws: Workspace,
) -> None:
    events: list[ProgressEvent] = []
    result = ws.runner(stop_at_missing=True, progress=events.append).run(pipeline(ws))
    assert result.step("Prep").status == "Succeeded"
    assert result.step("Approve").status == "Failed"
    [notice] = [event.message for event in events if event.kind == "execution-notice"]
    assert notice is not None
    assert notice.startswith("nothing stands in for 3 steps this execution may reach")
    # The resume checks what is left: Approve is given now, Count still has nothing.
    resume = ws.runner(callback_outputs={"Approve": {"ok": "true"}})
    with pytest.raises(LocalRunError, match=re.escape("  Count (Lambda): --lambda ")):
        resume.resume(result.execution_id)
    assert ws.runner().execution(result.execution_id).record.status == "Failed"  # untouched


def test_a_taken_or_untaken_branch_of_a_settled_condition_is_known_on_resume(
    ws: Workspace,
) -> None:
    flag = ParameterString(name="Go", default_value="yes")
    notify = CallbackStep(name="Notify", sqs_queue_url=QUEUE)
    other = CallbackStep(name="Other", sqs_queue_url=QUEUE)
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=flag, right="yes")],
        if_steps=[notify],
        else_steps=[other],
    )
    failed = ws.runner().run(compile_steps([check], [flag]))  # notices only: a branch each
    assert failed.step("Notify").status == "Failed"
    # Check took the IfSteps: Notify will certainly run, Other never.
    with pytest.raises(LocalRunError) as raised:
        ws.runner().resume(failed.execution_id)
    assert str(raised.value).splitlines()[1:2] == [
        "  Notify (Callback): --callback-output Notify.done=true"
    ]
    assert "Other" not in str(raised.value)


def test_a_lambda_whose_function_is_known_at_run_time_is_not_judged(ws: Workspace) -> None:
    function = ParameterString(name="Function", default_value=ARN)
    step = LambdaStep(name="Dynamic", function_arn=function)
    result = ws.runner().run(compile_steps([step], [function]))
    assert result.step("Dynamic").status == "Failed"


def test_smpipe_run_fails_with_the_same_text_or_runs_until_there(
    ws: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import json

    definition = tmp_path / "pipeline.json"
    definition.write_text(json.dumps(pipeline(ws)))
    resources = tmp_path / "resources.json"
    resources.write_text(json.dumps({"s3": {"s3://code-bucket/scripts": str(ws.scripts)}}))
    root = ["--root", str(tmp_path / ".smpipe"), "--resources", str(resources)]
    assert main(["run", str(definition), *root]) == 2
    assert capsys.readouterr().err == f"smpipe run: {MISSING}\n"
    assert main(["run", str(definition), *root, "--stop-at-missing"]) == 1
    out = capsys.readouterr().out
    assert "\nsmpipe: note: nothing stands in for 3 steps this execution may reach" in out
    # The resume command repeats the flag, as the run's other options.
    assert re.search(r"smpipe run --resume \w+ --root \S+ --stop-at-missing\n", out), out


def raw(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Parameters": [], "Steps": steps}


def test_steps_the_runner_cant_run_are_named_with_the_properties_later_steps_read(
    ws: Workspace,
) -> None:
    # Was: the run started, and each failed only when its turn came.
    train = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": "xgboost", "TrainingInputMode": "File"},
            "HyperParameters": {"num_round": "10"},  # no sagemaker_program: built-in
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
            "RoleArn": "arn:aws:iam::111122223333:role/SageMaker",
            "ResourceConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 30,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    }
    spark = {
        "Name": "Spark",
        "Type": "EMR",
        "Arguments": {"ClusterId": "j-1", "StepConfig": {"HadoopJarStep": {"Jar": "x.jar"}}},
    }
    after = {
        "Name": "After",
        "Type": "Callback",
        "Arguments": {"Model": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}},
        "SqsQueueUrl": QUEUE,
        "OutputParameters": [],
        "DependsOn": ["Spark"],
    }
    runner = ws.runner(callback_outputs={"After": {"done": "true"}})
    with pytest.raises(LocalRunError) as raised:
        runner.run(raw([train, spark, after]))
    assert str(raised.value).splitlines()[1:3] == [
        "  Train (Training): --callback-output Train.ModelArtifacts.S3ModelArtifacts=…",
        "  Spark (EMR): --callback-output Spark.Status.State=COMPLETED",
    ]
    assert runner.executions() == []


def test_a_step_fed_by_both_branches_of_a_condition_is_not_listed(ws: Workspace) -> None:
    # Was: Join was listed as "may reach", though one of its inputs is always skipped.
    flag = ParameterString(name="Go", default_value="yes")
    left = CallbackStep(name="Left", sqs_queue_url=QUEUE)
    right = CallbackStep(name="Right", sqs_queue_url=QUEUE)
    join = CallbackStep(name="Join", sqs_queue_url=QUEUE, depends_on=[left, right])
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=flag, right="yes")],
        if_steps=[left],
        else_steps=[right],
    )
    events: list[ProgressEvent] = []
    ws.runner(progress=events.append).run(compile_steps([check, join], [flag]))
    [notice] = [event.message for event in events if event.kind == "execution-notice"]
    assert notice is not None
    assert notice.startswith("nothing stands in for 2 steps this execution may reach")
    assert "Join" not in notice
