"""``smpipe run``, ``executions``, ``show`` and ``registry``."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import signal
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CallbackStep,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    FailStep,
    Join,
    LambdaStep,
    OutputType,
    ParameterFloat,
    ProcessingInput,
    StepOutput,
)
from cdk_sagemaker_pipelines.local import ModelRegistry
from cdk_sagemaker_pipelines.local import cli as local_cli
from cdk_sagemaker_pipelines.local import progress as local_progress
from cdk_sagemaker_pipelines.local.progress import ConsoleProgress
from tests.local.conftest import WRITE_OUTPUT, Workspace, compile_steps, processing
from tests.local.executors.test_condition import build as build_condition
from tests.local.test_runner import once_running


def files(ws: Workspace) -> tuple[str, str]:
    threshold = ParameterFloat(name="Threshold", default_value=0.5)
    approve = CallbackStep(
        name="Approve",
        sqs_queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/q",
        outputs=[StepOutput(output_name="score", output_type=OutputType.FLOAT)],
    )
    prep = processing(
        "Prep", ws.script("prep.py", WRITE_OUTPUT), outputs=["out"], depends_on=[approve]
    )
    score = approve.properties.OutputParameters["score"]
    check = ConditionStep(
        name="Check",
        conditions=[ConditionGreaterThanOrEqualTo(left=score, right=threshold)],
        if_steps=[prep],
        else_steps=[FailStep(name="Low", error_message=Join(on=" ", values=["score", score]))],
    )
    definition = ws.root / "pipeline.json"
    definition.write_text(json.dumps(compile_steps([check], [threshold])))
    resources = ws.root / "resources.json"
    resources.write_text(json.dumps({"s3": {"s3://code-bucket/scripts": "scripts"}}))
    return str(definition), str(resources)


def smpipe(ws: Workspace, *args: str) -> int:
    return main([*args, "--root", str(ws.root / ".smpipe")])


def test_run_shows_progress_and_a_summary_and_exits_0_on_success(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    definition, resources = files(ws)
    code = smpipe(
        ws,
        "run",
        definition,
        "--resources",
        resources,
        "--callback-output",
        "Approve.score=0.8",
        "--pipeline-name",
        "demo",
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "smpipe: execution " in out
    assert re.search(r"\n +[0-9.]+s  Prep +Processing +Succeeded\n", out)
    assert re.search(r"\nCheck +Condition +Succeeded +[0-9.]+s +1 +- +Outcome: True\n", out)
    assert "Outcome: True" in out
    assert "in the ElseSteps of 'Check', whose outcome was True" in out
    assert "(demo): Succeeded in " in out


def test_run_exits_1_when_the_execution_fails(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    definition, resources = files(ws)
    code = smpipe(
        ws,
        "run",
        definition,
        "--resources",
        resources,
        "--callback-output",
        "Approve.score=0.8",
        "--param",
        "Threshold=0.9",
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "): Failed in " in out
    assert "\n  Step failure: One or multiple steps failed. Step 'Low': score 0.8\n" in out
    assert "--resume" not in out  # a Fail step would only fail again


def test_no_cache_runs_a_cached_step_again(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    step = processing(
        "Prep",
        ws.script("prep.py", WRITE_OUTPUT),
        outputs=["out"],
        cache_config=CacheConfig(expire_after="P1D"),
    )
    definition = ws.root / "cached.json"
    definition.write_text(json.dumps(compile_steps([step])))
    resources = ws.root / "resources.json"
    resources.write_text(json.dumps({"s3": {"s3://code-bucket/scripts": "scripts"}}))
    run = ("run", str(definition), "--resources", str(resources))
    assert smpipe(ws, *run) == 0
    assert smpipe(ws, *run) == 0
    assert (
        "Prep                     Processing         Succeeded (cache hit)"
        in capsys.readouterr().out
    )
    assert smpipe(ws, *run, "--no-cache") == 0
    out = capsys.readouterr().out
    assert "cache hit" not in out
    assert re.search(r"\n +[0-9.]+s  Prep +Processing +Succeeded\n", out)


def test_a_cache_hit_on_remapped_data_prints_a_note_under_its_line(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "Succeeded (cache hit)" alone, though --s3-map now named other data.
    step = processing(
        "Prep",
        ws.script("prep.py", WRITE_OUTPUT),
        outputs=["out"],
        inputs=[
            ProcessingInput(source="s3://raw-bucket/raw", destination="/opt/ml/processing/raw")
        ],
        cache_config=CacheConfig(expire_after="P1D"),
    )
    definition = ws.root / "cached.json"
    definition.write_text(json.dumps(compile_steps([step])))
    old, new = ws.file("old/a.csv", "1").parent, ws.file("new/a.csv", "2").parent
    code = "s3://code-bucket/scripts=" + str(ws.scripts)
    run = ("run", str(definition), "--s3-map", code, "--s3-map")
    assert smpipe(ws, *run, f"s3://raw-bucket/raw={old}") == 0
    capsys.readouterr()
    assert smpipe(ws, *run, f"s3://raw-bucket/raw={new}") == 0
    out = capsys.readouterr().out
    assert re.search(
        r"\n +[0-9.]+s  Prep +Processing +Succeeded \(cache hit\)  from execution \w+\n"
        rf" {{10}}note: input 'input-1' \(s3://raw-bucket/raw\) is mapped to {re.escape(str(new))}"
        rf" now, to {re.escape(str(old))} in execution \w+, .* add --no-cache ",
        out,
    ), out


def test_progress_lines_align_their_labels_for_every_step_type() -> None:
    # The type column was 13 wide: "EndpointConfig" and "InferenceComponent" pushed their
    # labels right of everyone else's.
    from io import StringIO

    from cdk_sagemaker_pipelines.definition.validate import STEP_TYPES
    from cdk_sagemaker_pipelines.local.runner import ProgressEvent

    stream = StringIO()
    progress = ConsoleProgress(stream, live=False)
    for step_type in sorted(STEP_TYPES):
        progress(ProgressEvent("step-started", "x", 1.5, step="Step", step_type=step_type))
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(STEP_TYPES)
    assert {line.index("Executing") for line in lines} == {
        len("   1.50s  ") + 24 + 1 + len("InferenceComponent") + 1
    }
    assert "   1.50s  Step                     InferenceComponent Executing" in lines
    assert "   1.50s  Step                     Fail               Executing" in lines


def progress_lines(step_names: list[str], shown: list[str]) -> list[str]:
    """The step lines ConsoleProgress prints for a pipeline of ``step_names``."""
    from io import StringIO

    from cdk_sagemaker_pipelines.local.runner import ProgressEvent

    stream = StringIO()
    progress = ConsoleProgress(stream, live=False)
    progress(ProgressEvent("execution-started", "x", 0.0, step_names=tuple(step_names)))
    for name in shown:
        progress(ProgressEvent("step-started", "x", 1.5, step=name, step_type="Processing"))
    progress.close()
    return stream.getvalue().splitlines()[1:]


def test_progress_lines_keep_24_columns_for_the_step_names_of_a_pipeline_of_short_names() -> None:
    lines = progress_lines(["Prep", "A" * 24], ["Prep", "A" * 24])
    assert lines == [
        "   1.50s  Prep                     Processing         Executing",
        "   1.50s  AAAAAAAAAAAAAAAAAAAAAAAA Processing         Executing",
    ]


def test_progress_lines_widen_the_step_column_to_the_pipelines_longest_name() -> None:
    # A 30-character name pushed its type and label 6 columns right of the others'.
    long = "PreprocessTheCustomerChurnData"  # 30 characters
    lines = progress_lines(["Prep", long, "Train"], ["Prep", long])
    assert lines == [
        f"   1.50s  {'Prep':<30} Processing         Executing",
        f"   1.50s  {long} Processing         Executing",
    ]
    assert len({line.index("Processing") for line in lines}) == 1


def test_progress_lines_shorten_step_names_over_the_cap_in_the_middle() -> None:
    long = "Evaluate" + "x" * 200 + "ForTheEuWest1Region"  # 227 characters
    medium = "M" * local_progress.STEP_WIDTH_CAP
    lines = progress_lines(["Prep", long, medium], ["Prep", long, medium])
    shown = "Evaluate" + "x" * 16 + "…" + "x" * 4 + "ForTheEuWest1Region"
    assert len(shown) == local_progress.STEP_WIDTH_CAP == 48
    assert lines == [
        f"   1.50s  {'Prep':<48} Processing         Executing",
        f"   1.50s  {shown} Processing         Executing",
        f"   1.50s  {medium} Processing         Executing",
    ]


def test_run_reads_a_directory_given_as_the_definition_as_an_assembly(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # As `smpipe graph cdk.out` and `smpipe diff` read it; was "[Errno 21] Is a directory".
    assert smpipe(ws, "run", str(ws.root)) == 2
    assert "is not a cloud assembly (no manifest.json)" in capsys.readouterr().err


def test_run_reads_a_missing_path_given_a_pipeline_as_an_assembly_not_synthesized(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # `smpipe run cdk.out --pipeline …` before `cdk synth`: was "--pipeline selects a
    # pipeline of --assembly", which said nothing of the missing cdk.out.
    missing = ws.root / "cdk.out"
    assert smpipe(ws, "run", str(missing), "--pipeline", "dev/MlOps/Training") == 2
    assert capsys.readouterr().err == (
        f"smpipe run: {missing} is not a cloud assembly (no such directory); run cdk synth\n"
    )


def test_fails_log_lines_ahead_of_the_definition_saying_to_strip_them(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # `python get_definition.py > sdk.json`: `import sagemaker` logged to stdout first.
    source = ws.root / "sdk.json"
    source.write_text("sagemaker.config INFO - Not applying SDK defaults\n{}\n")

    assert smpipe(ws, "run", str(source)) == 2
    assert capsys.readouterr().err.startswith(
        f"smpipe run: can't read definition {source}: line 1 is not JSON, the definition's "
        "JSON starts on line 2; line 1 is 'sagemaker.config INFO - Not applying SDK defaults' "
        "(`import sagemaker` logs its sagemaker.config INFO lines to stdout): keep only the JSON"
    )


def test_fails_a_python_file_given_as_the_definition_saying_to_compile_it(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    source = ws.root / "pipeline.py"
    source.write_text("from cdk_sagemaker_pipelines.definition import PipelineDefinition\n")

    assert smpipe(ws, "run", str(source)) == 2
    assert capsys.readouterr().err == (
        f"smpipe run: can't read definition {source}: a Python file, not a definition's JSON: "
        "compile the pipeline first and pass the JSON it writes (the tutorial's "
        "`python compile_pipeline.py` writes pipeline.json; or "
        "print(pipeline.to_json(StaticBinder(…))) in the file, then "
        "`python pipeline.py > pipeline.json`)\n"
    )
    # The tutorial's layout: its compile script is the command to run.
    (ws.root / "compile_pipeline.py").write_text("from pipeline import build_pipeline\n")
    assert smpipe(ws, "run", str(source)) == 2
    assert capsys.readouterr().err == (
        f"smpipe run: can't read definition {source}: a Python file, not a definition's JSON: "
        "run `python compile_pipeline.py` (beside pipeline.py) in its folder, then pass the "
        "definition JSON it writes (pipeline.json in the tutorial)\n"
    )


def test_a_mapped_prefix_no_uri_of_the_definition_is_near_is_noted(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # A typo in a mapped prefix: the step reads the URI it names from the local S3 tree
    # (old data, say) instead, so the run says so before it starts, and still runs.
    definition, resources = files(ws)
    ws.data.mkdir(exist_ok=True)

    def run(*mappings: str) -> int:
        maps = [option for mapping in mappings for option in ("--s3-map", mapping)]
        score = ("--callback-output", "Approve.score=0.9")
        return smpipe(ws, "run", definition, "--resources", resources, *score, *maps)

    typo = f"s3://code-bucket/script={ws.data}"
    unrelated = f"s3://other-bucket/raw={ws.data}"
    assert run(typo, unrelated) == 0
    assert capsys.readouterr().err == (
        f"smpipe run: note: --s3-map {typo}: no S3 URI of the definition or its parameters "
        "is at or under this prefix, so no step reads it; "
        "s3://code-bucket/scripts/prep.py is close: a typo?\n"
        f"smpipe run: note: --s3-map {unrelated}: no S3 URI of the definition or its "
        "parameters is at or under this prefix, so no step reads it\n"
    )
    # The resources file's mapping of the code and a mapping above a URI are read: no note.
    assert run(f"s3://code-bucket={ws.data}") == 0
    assert capsys.readouterr().err == ""


def test_a_mapped_prefix_only_a_callback_output_names_is_read(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "no step reads it" for the --s3-map of a stand-in model whose URI only a
    # --callback-output value gives (a built-in algorithm's training step, run locally).
    definition, resources = files(ws)
    ws.data.mkdir(exist_ok=True)
    stand_in = "s3://other-bucket/stand-in/model.tar.gz"
    smpipe(
        ws,
        "run",
        definition,
        "--resources",
        resources,
        "--callback-output",
        "Approve.score=0.9",
        "--callback-output",
        f"Approve.model={stand_in}",
        "--s3-map",
        f"{stand_in}={ws.data}",
    )
    assert "no step reads it" not in capsys.readouterr().err


def test_run_exits_2_on_bad_input(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    definition, resources = files(ws)
    assert smpipe(ws, "run", definition, "--resources", resources, "--param", "Threshold=x") == 2
    assert "Float parameter: expected a number, got 'x'" in capsys.readouterr().err
    assert smpipe(ws, "run", "--assembly", str(ws.root)) == 2
    assert "is not a cloud assembly (no manifest.json)" in capsys.readouterr().err
    assert smpipe(ws, "run") == 2
    assert "give a DEFINITION.json, --assembly CDK_OUT, or --resume ID" in capsys.readouterr().err
    assert smpipe(ws, "run", definition, "--callback-output", "nodot=1") == 2
    assert "expected STEP.NAME=VALUE" in capsys.readouterr().err
    assert smpipe(ws, "run", definition, "--s3-map", "s3://b/data=no/such/dir") == 2
    assert capsys.readouterr().err == (
        "smpipe run: --s3-map s3://b/data=no/such/dir: no/such/dir does not exist; give the "
        "local file or directory that holds the objects under the prefix\n"
    )
    assert smpipe(ws, "run", definition, "--s3-map", "s3://b/data=") == 2
    assert "no local path after '='" in capsys.readouterr().err
    arn = "arn:aws:lambda:us-east-1:111122223333:function:prep"
    assert smpipe(ws, "run", definition, "--lambda", f"{arn}=nofile.py:handler") == 2
    assert "nofile.py does not exist; give the handler's FILE.py:function" in (
        capsys.readouterr().err
    )
    # A handler for a function no Lambda step calls: a typo, reported before anything runs.
    ws.script("prep.py", "def handler(event, context):\n    return {}\n")
    handler = f"{arn}={ws.scripts}/prep.py:handler"
    assert smpipe(ws, "run", definition, "--resources", resources, "--lambda", handler) == 2
    assert capsys.readouterr().err == (
        f"smpipe run: lambdas (--lambda): no Lambda step of the pipeline calls '{arn}'; it has "
        "no Lambda step\n"
    )
    assert not (ws.root / ".smpipe" / "executions").exists()


def test_json_output_resume_selective_runs_and_inspection(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    definition, resources = files(ws)
    # --stop-at-missing: Approve fails when its turn comes, for a resume to continue.
    assert (
        smpipe(ws, "run", definition, "--resources", resources, "--json", "--stop-at-missing") == 1
    )
    record = json.loads(capsys.readouterr().out)
    execution = record["PipelineExecutionId"]
    assert record["PipelineExecutionSteps"][0]["FailureReason"].startswith(
        "a Callback step waits for an external system"
    )
    assert smpipe(ws, "run", "--resume", execution, "--callback-output", "Approve.score=0.9") == 0
    capsys.readouterr()
    assert (
        smpipe(
            ws,
            "run",
            definition,
            "--resources",
            resources,
            "--steps",
            "Prep",
            "--from-execution",
            execution,
            "--json",
        )
        == 0
    )
    selective = json.loads(capsys.readouterr().out)
    assert selective["SelectiveExecutionConfig"]["SelectedSteps"] == [{"StepName": "Prep"}]
    assert smpipe(ws, "executions") == 0
    listing = capsys.readouterr().out
    assert listing.splitlines()[0].split() == [
        "EXECUTION",
        "PIPELINE",
        "STATUS",
        "STARTED",
        "(UTC)",
        "DURATION",
        "SUCCEEDED",
        "REASON",
    ]
    assert f"{execution}  pipeline  Succeeded" in listing
    # Newest first, as ListPipelineExecutions sorts: the selective run, then the first one.
    rows = [line.split()[0] for line in listing.splitlines()[1:] if line.strip()]
    assert rows == [selective["PipelineExecutionId"], execution]
    assert smpipe(ws, "show", execution[:5], "--logs") == 0
    shown = capsys.readouterr().out
    assert f"Execution  {execution}" in shown
    assert "Parameters Threshold=0.5" in shown
    assert "== Prep (" in shown
    assert "wrote out" in shown
    # Where each published output is, under its S3 URI: the files to open next.
    outputs = shown.partition("\nOutputs (S3 URI, then where it is here):\n")[2]
    (prep_output,) = [line for line in outputs.splitlines() if line.startswith("  Prep  s3://")]
    local = outputs.splitlines()[outputs.splitlines().index(prep_output) + 1].strip()
    assert Path(local).exists()
    assert prep_output.rstrip("/").endswith("/out")
    assert smpipe(ws, "show", "nope") == 2


def test_registry_list_and_approve(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    assert smpipe(ws, "registry", "list") == 0
    assert "no model packages under" in capsys.readouterr().out
    registry = ModelRegistry(ws.root / ".smpipe")
    registry.register(
        "churn", {"ModelApprovalStatus": "PendingManualApproval"}, {}, dt.datetime.now(dt.UTC)
    )
    assert smpipe(ws, "registry", "list", "churn") == 0
    assert "churn  1        PendingManualApproval" in capsys.readouterr().out
    assert smpipe(ws, "registry", "approve", "churn", "1") == 0
    assert capsys.readouterr().out == "churn version 1: Approved\n"
    approval = ["--status", "Rejected", "--by", "carol", "--description", "leaks the label"]
    assert smpipe(ws, "registry", "approve", "churn", "1", *approval) == 0
    capsys.readouterr()
    assert smpipe(ws, "registry", "show", "churn", "1") == 0
    assert re.search(
        r"^  Approval:   Rejected \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by carol: leaks the label$",
        capsys.readouterr().out,
        re.M,
    )
    assert smpipe(ws, "registry", "approve", "churn", "2") == 2
    assert "has no version 2" in capsys.readouterr().err
    baselines = ws.file("baselines/bias-config.json", '{"label": "churn"}')
    registry.register(
        "churn",
        {
            "ModelApprovalStatus": "PendingManualApproval",
            "ModelMetrics": {"Bias": {"Report": {"LocalPath": "bias.json"}}},
            "DriftCheckBaselines": {"Bias": {"ConfigFile": {"LocalPath": "config.json"}}},
        },
        {"bias.json": baselines, "config.json": baselines},
        dt.datetime.now(dt.UTC),
    )
    assert smpipe(ws, "registry", "list", "churn") == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split()[-2:] == ["METRICS", "REPORTS"]
    assert listing[2].endswith("metrics Bias; baselines Bias")
    assert smpipe(ws, "registry", "list", "chrun") == 2
    assert capsys.readouterr().err.startswith(
        "smpipe registry list: no model package group 'chrun' under "
    )
    assert Path(registry.get("churn", 1).directory).is_dir()


def test_registry_show_prints_a_versions_files_reports_and_execution(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws.root)  # paths under the working directory are shown relative to it
    model = ws.file("job/model.tar.gz", "model")
    statistics = ws.file("reports/evaluation.json", '{"metrics": {"accuracy": {"value": 0.95}}}')
    execution = "arn:aws:sagemaker:local:000000000000:pipeline/churn/execution/p4jn9xou8a8s"
    registry = ModelRegistry(ws.root / ".smpipe")
    registry.register(
        "churn",
        {
            "ModelApprovalStatus": "PendingManualApproval",
            "InferenceSpecification": {
                "Containers": [
                    {
                        "Image": "sklearn:1.2-1",
                        "ModelDataUrl": "s3://bucket/train/model.tar.gz",
                        "LocalModelData": "model.tar.gz",
                    }
                ]
            },
            "ModelMetrics": {
                "ModelQuality": {
                    "Statistics": {
                        "S3Uri": "s3://bucket/evaluation.json",
                        "LocalPath": "metrics/ModelQuality-Statistics.json",
                    }
                }
            },
            "DriftCheckBaselines": {
                "ModelQuality": {
                    "Constraints": {
                        "S3Uri": "s3://bucket/constraints.json",
                        "LocalPath": "drift-check-baselines/ModelQuality-Constraints.json",
                    }
                }
            },
            "MetadataProperties": {"GeneratedBy": execution},
            "LocalExecutionArn": execution,
        },
        {
            "model.tar.gz": model,
            "metrics/ModelQuality-Statistics.json": statistics,
            "drift-check-baselines/ModelQuality-Constraints.json": statistics,
        },
        dt.datetime(2024, 5, 1, 10, 12, 3, tzinfo=dt.UTC),
    )
    version = ".smpipe/registry/churn/1"

    assert smpipe(ws, "registry", "show", "churn", "1") == 0

    assert capsys.readouterr().out == (
        "churn v1: PendingManualApproval\n"
        "  ARN:        arn:aws:sagemaker:local:000000000000:model-package/churn/1\n"
        "  Created:    2024-05-01 10:12:03 UTC by execution p4jn9xou8a8s "
        "(smpipe show p4jn9xou8a8s)\n"
        f"  Directory:  {version}\n"
        "Container 1: sklearn:1.2-1\n"
        "  Model data: s3://bucket/train/model.tar.gz\n"
        f"              {version}/model.tar.gz\n"
        "Model metrics:\n"
        "  ModelQuality Statistics: s3://bucket/evaluation.json\n"
        f"{' ' * 27}{version}/metrics/ModelQuality-Statistics.json\n"
        "    accuracy=0.95\n"
        "Drift check baselines:\n"
        "  ModelQuality Constraints: s3://bucket/constraints.json\n"
        f"{' ' * 28}{version}/drift-check-baselines/ModelQuality-Constraints.json\n"
        "Approve it: smpipe registry approve churn 1\n"
    )
    assert smpipe(ws, "registry", "show", "churn", "1", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    folder = ws.root / version
    assert data["LocalDirectory"] == str(folder)
    (container,) = data["InferenceSpecification"]["Containers"]
    assert container["LocalModelData"] == str(folder / "model.tar.gz")
    assert Path(container["LocalModelData"]).read_text() == "model"
    assert data["ModelMetrics"]["ModelQuality"]["Statistics"]["LocalPath"] == str(
        folder / "metrics/ModelQuality-Statistics.json"
    )
    assert data["LocalExecutionArn"] == execution
    # An approved version has no approve hint; a missing one is a usage error naming those there.
    registry.approve("churn", 1)
    assert smpipe(ws, "registry", "show", "churn", "1") == 0
    assert "Approve it" not in capsys.readouterr().out
    assert smpipe(ws, "registry", "show", "churn", "2") == 2
    assert capsys.readouterr().err == (
        "smpipe registry show: model package group 'churn' has no version 2 (versions: 1)\n"
    )
    # The listing points at it.
    assert smpipe(ws, "registry", "list") == 0
    assert capsys.readouterr().out.endswith(
        "\nA version's files, reports and execution: smpipe registry show GROUP VERSION\n"
    )


def test_registry_show_prints_where_a_version_came_from_and_its_metadata(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # What a model-risk reviewer asks of a version: its commit and repository, and what the
    # pipeline recorded with it (RegisterModel(customer_metadata=…): the run's data, say).
    ModelRegistry(ws.root / ".smpipe").register(
        "churn",
        {
            "ModelApprovalStatus": "PendingManualApproval",
            "ApprovalDescription": "MRM-142: in review",
            "MetadataProperties": {
                "CommitId": "4f1c2ab",
                "Repository": "https://github.com/acme/churn",
                "ProjectId": "p-1",
            },
            "CustomerMetadataProperties": {
                "risk-tier": "1",
                "input-data": "s3://bucket/curated/",
                "note": "two\nlines",
            },
        },
        {},
        dt.datetime(2024, 5, 1, 10, 12, 3, tzinfo=dt.UTC),
    )

    assert smpipe(ws, "registry", "show", "churn", "1") == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "  Approval:   MRM-142: in review"
    start = lines.index("  Commit:     4f1c2ab")
    # Every label in one column, the longest ("Repository:") included: the values line up.
    assert lines[start : start + 6] == [
        "  Commit:     4f1c2ab",
        "  Repository: https://github.com/acme/churn",
        "  Project:    p-1",
        "  Metadata:   input-data=s3://bucket/curated/",
        # A value's newline would break the layout: escaped.
        "              note='two\\nlines'",
        "              risk-tier=1",
    ]
    assert lines[start + 6].startswith("  Directory:  /")


def _register_clarify_reports(ws: Workspace, bias: Path, shap: Path) -> None:
    """Register version 1 of group churn, recording ``bias`` and ``shap`` as its reports."""
    ModelRegistry(ws.root / ".smpipe").register(
        "churn",
        {
            "ModelApprovalStatus": "Approved",
            "ModelMetrics": {
                "Bias": {"PostTrainingReport": {"LocalPath": "metrics/Bias-Post.json"}},
                "Explainability": {"Report": {"LocalPath": "metrics/Explainability.json"}},
            },
        },
        {"metrics/Bias-Post.json": bias, "metrics/Explainability.json": shap},
        dt.datetime(2024, 5, 1, 10, 12, 3, tzinfo=dt.UTC),
    )


def test_registry_show_summarises_clarify_bias_and_explainability_reports(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: only the files' locations, where a model quality report shows its values.
    monkeypatch.chdir(ws.root)

    def group(value: str, **metrics: float) -> dict[str, Any]:
        listed = [{"name": name, "description": name, "value": v} for name, v in metrics.items()]
        return {"value_or_threshold": value, "metrics": listed}

    # Clarify's analysis.json, as SageMaker's guide "Analysis Results" lays it out.
    bias = ws.file(
        "reports/bias.json",
        json.dumps(
            {
                "version": "1.0",
                "pre_training_bias_metrics": {
                    "label": "target",
                    "facets": {"gender": [group("0", CI=0.05)]},
                },
                "post_training_bias_metrics": {
                    "label": "target",
                    "facets": {
                        "gender": [group("0", DPPL=0.12, DI=0.85)],
                        "age": [group("(40, 90]", DPPL=-0.3), {"metrics": "not a list"}],
                    },
                },
            }
        ),
    )
    shap = ws.file(
        "reports/shap.json",
        json.dumps(
            {
                "version": "1.0",
                "explanations": {
                    "kernel_shap": {
                        "target": {
                            "global_shap_values": {
                                "tenure": 0.05,
                                "age": -0.31,
                                "income": 0.12,
                                "zip": 0.01,
                            },
                            "expected_value": 0.4,
                        }
                    }
                },
            }
        ),
    )
    _register_clarify_reports(ws, bias, shap)

    assert smpipe(ws, "registry", "show", "churn", "1") == 0

    version = ".smpipe/registry/churn/1"
    assert (
        "Model metrics:\n"
        f"  Bias PostTrainingReport: {version}/metrics/Bias-Post.json\n"
        "    pre-training, facet gender=0: CI=0.05\n"
        "    post-training, facet gender=0: DPPL=0.12, DI=0.85\n"
        "    post-training, facet age=(40, 90]: DPPL=-0.3\n"
        f"  Explainability Report: {version}/metrics/Explainability.json\n"
        "    SHAP, label target: age=-0.31, income=0.12, tenure=0.05 (+1 more)\n"
        "Drift check baselines: none\n"
    ) in capsys.readouterr().out


def test_registry_show_ranks_nan_shap_values_last_and_escapes_control_characters(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: a NaN ranked wherever the sort left it (here first), and a newline in a facet or
    # label name split its line in two.
    monkeypatch.chdir(ws.root)
    nan = float("nan")
    bias = ws.file(
        "reports/bias.json",
        json.dumps(
            {
                "post_training_bias_metrics": {
                    "facets": {
                        "gen\nder": [
                            {
                                "value_or_threshold": "0\x1b[2J",
                                "metrics": [{"name": "DPPL", "value": 0.12}],
                            }
                        ],
                        "age": [
                            {"value_or_threshold": "40", "metrics": [{"name": "DI", "value": 1}]}
                        ],
                    }
                }
            }
        ),
    )
    # json.dumps writes NaN as the bare token NaN, which the registry's json.load reads back.
    values = {"zip": nan, "tenure": 0.05, "age": -0.31, "bad": nan, "income": 0.12}
    shap = ws.file(
        "reports/shap.json",
        json.dumps(
            {
                "explanations": {
                    "kernel_shap": {
                        "target\r": {"global_shap_values": values},
                        "few": {"global_shap_values": {"x\ty": nan, "z": 0.2}},
                    }
                }
            }
        ),
    )
    _register_clarify_reports(ws, bias, shap)

    assert smpipe(ws, "registry", "show", "churn", "1") == 0

    version = ".smpipe/registry/churn/1"
    assert (
        f"  Bias PostTrainingReport: {version}/metrics/Bias-Post.json\n"
        "    post-training, facet 'gen\\nder'='0\\x1b[2J': DPPL=0.12\n"
        "    post-training, facet age=40: DI=1\n"
        f"  Explainability Report: {version}/metrics/Explainability.json\n"
        "    SHAP, label 'target\\r': age=-0.31, income=0.12, tenure=0.05 (+2 more)\n"
        "    SHAP, label few: z=0.2, 'x\\ty'=nan\n"
        "Drift check baselines: none\n"
    ) in capsys.readouterr().out


def test_registry_show_names_an_uncompressed_models_s3_prefix(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: only the local copy, as such a container has ModelDataSource, no ModelDataUrl.
    monkeypatch.chdir(ws.root)
    model = ws.file("job/model/weights.bin", "w")
    source = {"S3Uri": "s3://bucket/train/model/", "S3DataType": "S3Prefix"}
    ModelRegistry(ws.root / ".smpipe").register(
        "churn",
        {
            "ModelApprovalStatus": "Approved",
            "InferenceSpecification": {
                "Containers": [
                    {
                        "Image": "sklearn:1.2-1",
                        "ModelDataSource": {"S3DataSource": {**source, "CompressionType": "None"}},
                        "LocalModelData": "model",
                        "LocalModelDataUncompressed": True,
                    }
                ]
            },
        },
        {"model": model.parent},
        dt.datetime(2024, 5, 1, 10, 12, 3, tzinfo=dt.UTC),
    )

    assert smpipe(ws, "registry", "show", "churn", "1") == 0

    assert (
        "Container 1: sklearn:1.2-1\n"
        "  Model data (uncompressed): s3://bucket/train/model/\n"
        f"{' ' * 29}.smpipe/registry/churn/1/model\n"
    ) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("report", "shown"),
    [
        # SageMaker's model quality format (Model Monitor's, and the AWS examples' evaluation
        # scripts'): metrics under regression_metrics, binary_classification_metrics, …
        (
            {"regression_metrics": {"rmse": {"value": 25.8, "standard_deviation": 0.4}}},
            "rmse=25.8",
        ),
        (
            {
                "binary_classification_metrics": {
                    "accuracy": {"value": 0.93},
                    "auc": {"value": 0.97},
                    "confusion_matrix": {"0": {"0": 40, "1": 3}, "1": {"0": 4, "1": 53}},
                    "receiver_operating_characteristic_curve": {"false_positive_rates": [0, 1]},
                }
            },
            "accuracy=0.93, auc=0.97",
        ),
        ({"metrics": {"accuracy": {"value": 0.95}}}, "accuracy=0.95"),  # a report's own group
        ({"notes": {"accuracy": {"value": 0.95}}, "metrics": ["not", "a", "group"]}, ""),
        # A value is a number or text: not a Boolean, a list, null, or a bare number.
        ({"metrics": {"passed": {"value": True}, "f1": {"value": "0.8"}}}, "f1=0.8"),
        (
            {
                "regression_metrics": {
                    "curve": {"value": [1, 2]},
                    "missing": {"value": None},
                    "mae": 1.5,
                    "r2": {"value": 0.5},
                }
            },
            "r2=0.5",
        ),
        # A metric a report gives in two groups is shown once, as the first group has it.
        (
            {
                "metrics": {"accuracy": {"value": 0.95}},
                "binary_classification_metrics": {
                    "accuracy": {"value": 0.95},
                    "recall": {"value": 0.9},
                },
            },
            "accuracy=0.95, recall=0.9",
        ),
    ],
)
def test_registry_list_shows_the_model_quality_metrics(
    ws: Workspace, capsys: pytest.CaptureFixture[str], report: dict[str, Any], shown: str
) -> None:
    statistics = ws.file("reports/evaluation.json", json.dumps(report))
    ModelRegistry(ws.root / ".smpipe").register(
        "prices",
        {
            "ModelApprovalStatus": "PendingManualApproval",
            "ModelMetrics": {"ModelQuality": {"Statistics": {"LocalPath": "evaluation.json"}}},
        },
        {"evaluation.json": statistics},
        dt.datetime.now(dt.UTC),
    )
    assert smpipe(ws, "registry", "list") == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    metrics = row[header.index("METRICS") : header.index("REPORTS")].strip()
    assert metrics == shown
    assert row[header.index("REPORTS") :] == "metrics ModelQuality"


def test_executions_names_the_records_it_cant_read(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    definition, resources = files(ws)
    # --stop-at-missing: Approve fails when its turn comes, for a resume to continue.
    assert (
        smpipe(ws, "run", definition, "--resources", resources, "--json", "--stop-at-missing") == 1
    )
    execution = json.loads(capsys.readouterr().out)["PipelineExecutionId"]
    record = ws.root / ".smpipe" / "executions" / execution / "execution.json"
    record.write_text("{}")
    assert smpipe(ws, "executions") == 0
    captured = capsys.readouterr()
    assert "no executions under" in captured.out
    assert captured.err == (
        f"smpipe executions: skipped: can't read the record of {execution}: {record} is not "
        "an execution record (missing 'PipelineExecutionId')\n"
    )
    assert smpipe(ws, "show", execution) == 2
    assert "is not an execution record" in capsys.readouterr().err


def one_script(ws: Workspace, body: str) -> tuple[str, str]:
    """A definition of one Processing step running ``body``, and its resources file."""
    prep = processing("Prep", ws.script("prep.py", body), outputs=["out"])
    definition = ws.root / "one.json"
    definition.write_text(json.dumps(compile_steps([prep])))
    resources = ws.root / "resources.json"
    resources.write_text(json.dumps({"s3": {"s3://code-bucket/scripts": "scripts"}}))
    return str(definition), str(resources)


def test_a_failed_job_step_says_how_to_resume_the_execution(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    definition, resources = one_script(ws, "1 / 0\n")
    assert smpipe(ws, "run", definition, "--resources", resources) == 1
    out = capsys.readouterr().out
    [execution] = re.findall(r"smpipe: execution (\w+)", out)
    hint = (
        "After a fix, continue it (its succeeded steps are kept): "
        f"smpipe run --resume {execution} --root {ws.root / '.smpipe'}"
    )
    assert out.rstrip().endswith("ZeroDivisionError: division by zero\n" + hint)
    assert smpipe(ws, "show", execution) == 0
    assert hint in capsys.readouterr().out


def approve_prep_notify(ws: Workspace, handler_body: str) -> tuple[str, str]:
    """Approve (Callback), then Prep (a Lambda step), then Notify (Callback).

    The definition file, and the ``--lambda`` binding Prep's function to ``handler_body``.
    """
    arn = "arn:aws:lambda:us-east-1:111122223333:function:prep"
    queue = "https://sqs.us-east-1.amazonaws.com/111122223333/q"
    approve = CallbackStep(
        name="Approve",
        sqs_queue_url=queue,
        outputs=[StepOutput(output_name="ok", output_type=OutputType.BOOLEAN)],
    )
    prep = LambdaStep(
        name="Prep",
        function_arn=arn,
        inputs={"ok": approve.properties.OutputParameters["ok"]},
        outputs=[StepOutput(output_name="rows", output_type=OutputType.INTEGER)],
    )
    notify = CallbackStep(
        name="Notify",
        sqs_queue_url=queue,
        inputs={"rows": prep.properties.OutputParameters["rows"]},
        outputs=[StepOutput(output_name="note", output_type=OutputType.STRING)],
    )
    definition = ws.root / "pipeline.json"
    definition.write_text(json.dumps(compile_steps([notify])))
    handler = ws.script("prep.py", handler_body)
    return str(definition), f"{arn}={handler}:handler"


def test_the_resume_command_repeats_the_options_the_record_does_not_keep(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "After a fix, continue it …: smpipe run --resume ID". Resumed so after the
    # Lambda handler was fixed, the execution failed at Notify: the callback outputs given
    # to the run are not recorded, and the resume was given none.
    definition, binding = approve_prep_notify(
        ws, "def handler(event, context):\n    raise RuntimeError('not yet')\n"
    )
    run_options = [
        "--max-parallel",
        "1",
        "--isolation",
        "redirect",
        "--retry-interval-scale",
        "0",
        "--allow-empty-outputs",
        "--keep-work",
        "--no-cache",
        "--no-iam-check",
    ]
    code = smpipe(
        ws,
        "run",
        definition,
        "--lambda",
        binding,
        "--callback-output",
        "Approve.ok=true",
        "--callback-output",
        "Notify.note=rows are in",
        *run_options,
    )
    assert code == 1
    out = capsys.readouterr().out
    [execution] = re.findall(r"smpipe: execution (\w+)", out)
    # Not Approve's output (the step succeeded; a resume keeps it) nor --lambda (the
    # record keeps the resources); quoted to paste.
    command = shlex.join(
        [
            "smpipe",
            "run",
            "--resume",
            execution,
            "--root",
            str(ws.root / ".smpipe"),
            "--callback-output",
            "Notify.note=rows are in",
            *run_options[:5],
            "0.0",
            *run_options[6:],
        ]
    )
    hint = f"After a fix, continue it (its succeeded steps are kept): {command}"
    assert out.rstrip().endswith(f"\n{hint}"), out
    assert smpipe(ws, "show", execution) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"\n{hint}")

    ws.script("prep.py", "def handler(event, context):\n    return {'rows': 3}\n")
    assert main(shlex.split(command)[1:]) == 0, capsys.readouterr().out
    record = json.loads(
        (ws.root / ".smpipe" / "executions" / execution / "execution.json").read_text()
    )
    assert record["PipelineExecutionStatus"] == "Succeeded"
    assert [step["StepName"] for step in record["PipelineExecutionSteps"]] == [
        "Approve",
        "Prep",
        "Notify",
    ]


def test_resume_refuses_the_options_of_a_new_run_rather_than_ignore_them(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: --param, --pipeline-name, --from-execution, --pipeline and --region given with
    # --resume were dropped silently: the steps ran with the recorded values.
    definition, resources = one_script(ws, "1 / 0\n")
    assert smpipe(ws, "run", definition, "--resources", resources) == 1
    [execution] = re.findall(r"smpipe: execution (\w+)", capsys.readouterr().out)
    assert smpipe(ws, "run", "--resume", execution, "--param", "Threshold=0.9") == 2
    assert capsys.readouterr().err == (
        f"smpipe run: --resume continues execution {execution} with its recorded definition, "
        "parameters and steps: it takes no --param; to change them, run the pipeline again "
        "(--steps A,B --from-execution ID reuses its succeeded steps)\n"
    )
    given = [definition, "--pipeline-name", "p", "--from-execution", execution, "--region", "r"]
    assert smpipe(ws, "run", "--resume", execution, *given) == 2
    assert "it takes no DEFINITION.json, --region, --from-execution or --pipeline-name;" in (
        capsys.readouterr().err
    )
    record = json.loads(
        (ws.root / ".smpipe" / "executions" / execution / "execution.json").read_text()
    )
    assert "History" not in record  # not resumed


def test_a_lambda_handler_that_calls_aws_fails_saying_to_give_its_outputs(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "botocore.exceptions.NoRegionError: You must specify a region." and nothing
    # more: the assembly's function (docs/batch-scoring.md's ResolveModel) calls SageMaker.
    definition, binding = approve_prep_notify(
        ws,
        "import botocore.exceptions\n\ndef handler(event, context):\n"
        "    raise botocore.exceptions.NoRegionError()\n",
    )
    callbacks = ["--callback-output", "Approve.ok=true", "--callback-output", "Notify.note=-"]
    assert smpipe(ws, "run", definition, "--lambda", binding, *callbacks) == 1
    out = capsys.readouterr().out
    assert (
        "\nPrep: AlgorithmError: the Lambda handler exited with code 1: "
        "botocore.exceptions.NoRegionError: You must specify a region. (the function calls "
        "AWS, which a local run doesn't: give its outputs with --callback-output "
        "Prep.rows=VALUE)\n"
    ) in out, out


def test_a_lambda_handlers_traceback_shows_its_own_frames_not_the_runners(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: two frames of the runner's lambda_driver.py came first (one counted as an
    # "earlier frame", one shown), where a processing script's traceback starts at its own.
    body = "import json\n\ndef load():\n    return json.loads('{')\n\n"
    definition, binding = approve_prep_notify(
        ws, body + "def handler(event, context):\n    return load()\n"
    )
    handler = binding.rsplit("=", 1)[1].rsplit(":", 1)[0]
    callbacks = ["--callback-output", "Approve.ok=true", "--callback-output", "Notify.note=-"]
    assert smpipe(ws, "run", definition, "--lambda", binding, *callbacks) == 1
    out = capsys.readouterr().out
    excerpt = (
        "\nPrep: AlgorithmError: the Lambda handler exited with code 1: "
        "json.decoder.JSONDecodeError: Expecting property name"
    )
    assert re.search(
        re.escape(excerpt) + r".*\n"
        r"  Traceback \(most recent call last\):\n"
        rf'    File "{handler}", line 7, in handler\n      return load\(\)\n'
        rf'    File "{handler}", line 4, in load\n'
        r"      return json.loads\('\{'\)\n"
        r"    … \d+ frame\(s\) in libraries\n"
        r"  json.decoder.JSONDecodeError: Expecting property name",
        out,
    ), out
    [log] = re.findall(r"\n  log: (.+)\n", out)
    assert "lambda_driver.py" not in Path(log).read_text()
    # Raised as the module loads: its top level is the first frame, as a script's is.
    ws.script("prep.py", body + "CONFIG = load()\n\ndef handler(event, context):\n    return {}\n")
    assert smpipe(ws, "run", definition, "--lambda", binding, *callbacks) == 1
    out = capsys.readouterr().out
    assert re.search(
        r"\n  Traceback \(most recent call last\):\n"
        rf'    File "{handler}", line 6, in <module>\n      CONFIG = load\(\)\n'
        rf'    File "{handler}", line 4, in load\n',
        out,
    ), out


def test_a_failed_script_shows_its_own_frames_and_where_its_files_are(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: only the exception line and the log's path; the line of the script that raised
    # it and the inputs the script saw were left to find in the records.
    body = "import json\n\ndef load():\n    return json.loads('{')\n\nload()\n"
    definition, resources = one_script(ws, body)
    assert smpipe(ws, "run", definition, "--resources", resources) == 1
    out = capsys.readouterr().out
    [execution] = re.findall(r"smpipe: execution (\w+)", out)
    script = "/opt/ml/processing/input/code/prep.py"
    assert re.search(
        r"\n  Traceback \(most recent call last\):\n"
        rf'    File "{script}", line 6, in <module>\n      load\(\)\n'
        rf'    File "{script}", line 4, in load\n'
        r"      return json.loads\('\{'\)\n"
        r"    … \d+ frame\(s\) in libraries\n"
        r"  json.decoder.JSONDecodeError: Expecting property name",
        out,
    ), out
    # The container's path names the local file to open.
    assert f"\n  code: {script} = {ws.scripts / 'prep.py'}\n  log: " in out
    [work] = re.findall(r"\n  work \(its /opt/ml: inputs, code, what it wrote\): (.+)\n", out)
    assert (Path(work) / "processing" / "input" / "code" / "prep.py").read_text() == body
    assert Path(work).is_relative_to(ws.root / ".smpipe" / "executions" / execution)
    assert smpipe(ws, "show", execution) == 0
    assert f"  work (its /opt/ml: inputs, code, what it wrote): {work}\n" in (
        capsys.readouterr().out
    )


def test_last_traceback_keeps_the_scripts_last_frames_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    script = '  File "/opt/ml/code/train.py"'
    frames = [f"{script}, line {n}, in f{n}\n    f{n + 1}()\n" for n in range(5)]
    library = '  File "/usr/lib/python3.11/site-packages/numpy/x.py", line 9, in g\n    raise E\n'
    log = tmp_path / "Train.log"
    log.write_text(
        "[smpipe 10:00:00.000] attempt 1: job\nTraceback (most recent call last):\n"
        + "".join(frames)
        + library
        + "        ^^^^^\nValueError: bad\n[smpipe 10:00:01.000] attempt 1 failed: …\n"
    )
    assert local_progress.last_traceback(log, max_frames=2) == [
        "Traceback (most recent call last):",
        "  … 3 earlier frame(s)",
        '  File "/opt/ml/code/train.py", line 3, in f3',
        "    f4()",
        '  File "/opt/ml/code/train.py", line 4, in f4',
        "    f5()",
        "  … 1 frame(s) in libraries",
        "ValueError: bad",
    ]
    log.write_text("no traceback here\n")
    assert local_progress.last_traceback(log) == []
    # Only the end of a long log is read: the traceback a script ends with is there.
    log.write_text("x" * 1_000_000 + "\nTraceback (most recent call last):\n" + frames[0] + "E\n")
    assert local_progress.last_traceback(log)[-1] == "E"


def test_last_traceback_counts_libraries_outside_site_packages_beside_a_jobs_code(
    tmp_path: Path,
) -> None:
    # Was: pandas from a PYTHONPATH folder (pip install --target) counted as the script's
    # own, so its three frames were shown and the script's line that called it was not.
    script = '  File "/opt/ml/processing/input/code/prep.py", line 8, in <module>\n    merge()\n'
    vendored = "".join(
        f'  File "/home/me/vendor/pandas/core/{name}.py", line 9, in f\n    g()\n'
        for name in ("frame", "merge", "generic")
    )
    log = tmp_path / "Prep.log"
    log.write_text(
        "Traceback (most recent call last):\n" + script + vendored + "KeyError: 'customer'\n"
    )
    assert local_progress.last_traceback(log) == [
        "Traceback (most recent call last):",
        '  File "/opt/ml/processing/input/code/prep.py", line 8, in <module>',
        "    merge()",
        "  … 3 frame(s) in libraries",
        "KeyError: 'customer'",
    ]


def test_a_condition_failing_on_a_kept_steps_file_says_a_resume_would_keep_it(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "After a fix, continue it: smpipe run --resume …" only. Fixing the script that
    # wrote the property file and resuming failed again, on the file the resume kept.
    definition = ws.root / "pipeline.json"
    built, _ = build_condition(ws, '{"metrics": {"acc": 0.9}}')
    definition.write_text(json.dumps(built))
    resources = ws.root / "resources.json"
    resources.write_text(json.dumps({"s3": {"s3://code-bucket/scripts": "scripts"}}))
    assert smpipe(ws, "run", str(definition), "--resources", str(resources)) == 1
    out = capsys.readouterr().out
    [execution] = re.findall(r"smpipe: execution (\w+)", out)
    report = ws.root / f".smpipe/executions/{execution}/outputs/Evaluate/outputs/evaluation"
    assert f"\n  property file 'Report' of step 'Evaluate': {report / 'evaluation.json'}\n" in out
    assert out.rstrip().endswith(
        f"smpipe run --resume {execution} --root {ws.root / '.smpipe'}\n"
        "  Check failed on what step 'Evaluate' wrote, which a resume keeps: if the fix is in "
        "Evaluate, run the pipeline again instead (its unchanged cached steps are reused)"
    )
    assert "work (its /opt/ml" not in out.split("\nCheck: ")[1]  # a condition runs no program


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--param", "Threshold=0.9", "--param", "Threshold=0.8"],
            "--param Threshold is given twice, as '0.9' and '0.8': give it once",
        ),
        (
            ["--s3-map", "data-bucket/raw=data"],
            "--s3-map data-bucket/raw=data: 'data-bucket/raw' is not an s3:// URI; give "
            "--s3-map s3://BUCKET/PREFIX=PATH",
        ),
        (
            ["--s3-map", "s3://data-bucket/raw=data\\raw"],
            "--s3-map s3://data-bucket/raw=data\\raw: data\\raw does not exist (this system "
            "separates folders with '/', not '\\'); give the local file or directory that "
            "holds the objects under the prefix",
        ),
    ],
)
def test_run_refuses_ambiguous_or_malformed_options(
    ws: Workspace, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    definition, resources = files(ws)
    assert smpipe(ws, "run", definition, "--resources", resources, *options) == 2
    assert capsys.readouterr().err == f"smpipe run: {message}\n"


def test_sigterm_stops_the_execution_as_ctrl_c_does(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A CI timeout or `timeout 600 smpipe run …`. Was: the process died mid-run, silent,
    # its record left Executing until the next smpipe command settled it.
    class TerminatedProgress(ConsoleProgress):
        def __call__(self, event: Any) -> None:
            super().__call__(event)
            if event.kind == "step-started":
                once_running(ws.root / "started", lambda: os.kill(os.getpid(), signal.SIGTERM))

    monkeypatch.setattr(local_cli, "ConsoleProgress", TerminatedProgress)
    definition, resources = one_script(ws, running_for_30_seconds(ws))
    assert smpipe(ws, "run", definition, "--resources", resources) == 143
    captured = capsys.readouterr()
    [execution] = re.findall(r"smpipe: execution (\w+)", captured.out)
    assert captured.err.startswith(f"smpipe: terminated (SIGTERM); execution {execution} was ")
    record = json.loads(
        (ws.root / ".smpipe" / "executions" / execution / "execution.json").read_text()
    )
    assert record["PipelineExecutionStatus"] == "Stopped"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


def running_for_30_seconds(ws: Workspace) -> str:
    """A script that sleeps 30 s, once it has created ``ws.root / "started"``."""
    started = str(ws.root / "started")
    return f"import pathlib, time\npathlib.Path({started!r}).touch()\ntime.sleep(30)\n"


def impatient_progress(ws: Workspace) -> type[ConsoleProgress]:
    """The console's progress, which presses Ctrl-C once the step's script runs."""

    class ImpatientProgress(ConsoleProgress):
        def __call__(self, event: Any) -> None:
            super().__call__(event)
            if event.kind == "step-started":
                once_running(ws.root / "started")

    return ImpatientProgress


def test_ctrl_c_names_the_stopped_execution_and_how_to_resume_it(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_cli, "ConsoleProgress", impatient_progress(ws))
    definition, resources = one_script(ws, running_for_30_seconds(ws))
    assert smpipe(ws, "run", definition, "--resources", resources) == 130
    captured = capsys.readouterr()
    [execution] = re.findall(r"smpipe: execution (\w+)", captured.out)
    assert captured.err == (
        f"smpipe: interrupted; execution {execution} was stopped (smpipe show {execution} for "
        f"its steps); continue it with: smpipe run --resume {execution} "
        f"--root {ws.root / '.smpipe'}\n"
    )


def test_ctrl_c_repeats_the_runs_options_in_the_resume_command(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_cli, "ConsoleProgress", impatient_progress(ws))
    definition, resources = one_script(ws, running_for_30_seconds(ws))
    given = ("--resources", resources, "--keep-work", "--retry-interval-scale", "0.5")
    assert smpipe(ws, "run", definition, *given) == 130
    captured = capsys.readouterr()
    [execution] = re.findall(r"smpipe: execution (\w+)", captured.out)
    assert captured.err.endswith(
        f"; continue it with: smpipe run --resume {execution} --root {ws.root / '.smpipe'} "
        "--retry-interval-scale 0.5 --keep-work\n"
    )


def test_a_closed_output_pipe_stops_the_execution_as_ctrl_c_does(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `smpipe run … | head -2`: the reader exits after a step succeeded. Was: the execution
    # Stopped "by an error of the local runner: BrokenPipeError(32, 'Broken pipe')", with
    # nothing said on stderr.
    class ClosedAfterFirstStep(ConsoleProgress):
        def __call__(self, event: Any) -> None:
            if event.kind == "step-succeeded":
                raise BrokenPipeError(32, "Broken pipe")
            super().__call__(event)

    monkeypatch.setattr(local_cli, "ConsoleProgress", ClosedAfterFirstStep)
    first = processing("First", ws.script("w.py", WRITE_OUTPUT), outputs=["out"])
    second = processing(
        "Second", ws.script("w.py", WRITE_OUTPUT), outputs=["out"], depends_on=[first]
    )
    definition = ws.root / "two.json"
    definition.write_text(json.dumps(compile_steps([second])))
    resources = ws.root / "resources.json"
    resources.write_text(json.dumps({"s3": {"s3://code-bucket/scripts": "scripts"}}))

    assert smpipe(ws, "run", str(definition), "--resources", str(resources)) == 141

    captured = capsys.readouterr()
    [execution] = re.findall(r"smpipe: execution (\w+)", captured.out)
    resume = f"smpipe run --resume {execution} --root {ws.root / '.smpipe'}"
    assert captured.err == (
        f"smpipe: the output's reader exited (a closed pipe); execution {execution} was "
        f"stopped (smpipe show {execution} for its steps); continue it with: {resume}\n"
    )
    assert smpipe(ws, "show", execution) == 0
    shown = capsys.readouterr().out
    assert "Reason     the execution was stopped\n" in shown
    assert re.search(r"\nFirst +Processing +Succeeded ", shown)
    assert re.search(r"\nSecond +Processing +NotExecuted .* the execution was stopped\n", shown)
    # Stopped between steps: nothing to fix, and still a step to run.
    assert shown.rstrip().endswith(f"Continue it (its succeeded steps are kept): {resume}")
    # The step that succeeded as the pipe closed kept its saved properties: resume reuses it.
    assert (ws.root / ".smpipe/executions" / execution / "store/First.json").is_file()
    monkeypatch.setattr(local_cli, "ConsoleProgress", ConsoleProgress)
    assert smpipe(ws, "run", "--resume", execution) == 0
    assert "First" not in capsys.readouterr().out.split("STEP")[0]


def test_a_mapped_prefix_a_run_s_parameter_value_is_under_is_not_noted(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # The run's value of a parameter names a URI under the mapped prefix (its default
    # doesn't): the prefix is read, so no note.
    definition = ws.root / "parameter.json"
    definition.write_text(
        json.dumps(
            {
                "Version": "2020-12-01",
                "Parameters": [
                    {"Name": "Input", "Type": "String", "DefaultValue": "s3://data/old/in.csv"}
                ],
                "Steps": [
                    {
                        "Name": "Stop",
                        "Type": "Fail",
                        "Arguments": {"ErrorMessage": {"Get": "Parameters.Input"}},
                    }
                ],
            }
        )
    )
    ws.data.mkdir(exist_ok=True)
    mapping = ("--s3-map", f"s3://data/new={ws.data}")

    smpipe(ws, "run", str(definition), "--param", "Input=s3://data/new/in.csv", *mapping)
    assert "note:" not in capsys.readouterr().err
    # Left to its default, the parameter names no URI under the prefix: noted.
    smpipe(ws, "run", str(definition), *mapping)
    assert f"smpipe run: note: --s3-map s3://data/new={ws.data}: " in capsys.readouterr().err


def test_a_definition_that_is_no_object_gets_its_error_and_no_note(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = ws.root / "list.json"
    definition.write_text(json.dumps([{"S3Uri": "s3://data/old/in.csv"}]))
    ws.data.mkdir(exist_ok=True)

    assert smpipe(ws, "run", str(definition), "--s3-map", f"s3://data/new={ws.data}") == 2
    assert capsys.readouterr().err == (
        f"smpipe run: definition {definition}: expected a JSON object (a pipeline "
        "definition), got list\n"
    )
