"""The runner reads and writes only its own directories, whatever the values it is given.

S3 URIs with '.' or '..' key segments or a bucket that isn't a bucket name, names that
would be paths ('../x'), execution ids that would be paths, and symbolic links a script
leaves in its outputs: each is refused with a reason naming the field, never followed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    Code,
    ConditionEquals,
    ConditionStep,
    DataQualityCheckConfig,
    DatasetFormat,
    Image,
    Join,
    JsonGet,
    ParameterString,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    QualityCheckStep,
    RegisterModel,
    TrainingStep,
    TransformStep,
)
from cdk_sagemaker_pipelines.local import LocalRunError, ResourceMap
from cdk_sagemaker_pipelines.local._errors import EvaluationError, StepError
from cdk_sagemaker_pipelines.local._graph import StepGraph
from cdk_sagemaker_pipelines.local.evaluate import Evaluator, ExecutionVariables
from cdk_sagemaker_pipelines.local.registry import ModelRegistry
from cdk_sagemaker_pipelines.local.store import StepStore, extract
from tests.local.conftest import SKLEARN, WRITE_OUTPUT, Workspace, compile_steps, processing

# Each URI names a key S3 keeps as it is but a local path would follow elsewhere.
UNMAPPABLE = [
    ("s3://b/../secret.txt", "its key has a '..' segment"),
    ("s3://b/raw/../../secret.txt", "its key has a '..' segment"),
    ("s3://b/raw/..", "its key has a '..' segment"),
    ("s3://b/raw/./one.csv", "its key has a '.' segment"),
    ("s3://../secret.txt", "'..' is not a bucket name"),
    ("s3://./s3/b/raw/one.csv", "'.' is not a bucket name"),
    ("s3://-b/raw", "'-b' is not a bucket name"),
]


def make(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- S3 URIs: the store, the one place URIs become paths -----------------------------


@pytest.mark.parametrize(("uri", "problem"), UNMAPPABLE)
def test_the_store_refuses_a_uri_that_would_be_another_path_naming_the_field(
    tmp_path: Path, uri: str, problem: str
) -> None:
    # <tmp>/secret.txt is what s3://b/../secret.txt would read from the tree <tmp>/s3.
    make(tmp_path / "secret.txt", "secret")
    make(tmp_path / "s3/b/raw/one.csv")
    make(tmp_path / "s3/b/one.csv")
    store = StepStore(tmp_path / "s3")
    reason = rf"input 'raw': refusing {re.escape(uri)}: {re.escape(problem)}"

    with pytest.raises(StepError, match=reason):
        store.materialize(uri, tmp_path / "dest", "input 'raw'")
    with pytest.raises(StepError, match=reason):
        store.local_file(uri, "input 'raw'")
    with pytest.raises(StepError, match=reason):
        store.locate(uri, "input 'raw'")
    assert not (tmp_path / "dest").exists() or not any((tmp_path / "dest").iterdir())


def test_a_recorded_output_at_an_unmappable_uri_is_refused_and_not_recorded(
    tmp_path: Path,
) -> None:
    # Recorded, s3://b/p/../../escape would make a read of s3://b/p copy it to dest/../../.
    out = make(tmp_path / "out/data.txt").parent
    store = StepStore(tmp_path / "s3")

    with pytest.raises(
        StepError, match=r"output 'train': refusing s3://b/p/\.\./\.\./escape: its key has a '\.\.'"
    ):
        store.record("Prep", {}, {"s3://b/p/../../escape": out}, {"s3://b/p/../../escape": "train"})

    assert store.outputs_of("Prep") == {}
    assert "Prep" not in store.properties


def test_empty_segments_and_a_leading_slash_are_kept_as_s3_keeps_them(tmp_path: Path) -> None:
    # They can't leave the tree. A URI keeps them, so an output published at a//b is read at
    # a//b only (as in S3); on disk the shared tree has one file for a//b and a/b.
    make(tmp_path / "s3/b/a/b.csv", "shared")
    out = make(tmp_path / "out/b.csv", "output").parent
    store = StepStore(tmp_path / "s3")
    store.record("Prep", {}, {"s3://b/p//x": out})

    assert store.locate("s3://b/p//x/b.csv").path.read_text() == "output"  # type: ignore[union-attr]
    assert store.locate("s3://b/p/x/b.csv") is None
    assert store.locate("s3://b/a//b.csv").path.read_text() == "shared"  # type: ignore[union-attr]
    assert store.locate("s3://b//a/b.csv").path.read_text() == "shared"  # type: ignore[union-attr]


def test_an_access_points_arn_stands_where_a_bucket_goes(tmp_path: Path) -> None:
    uri = "s3://arn:aws:s3:us-east-1:111122223333:accesspoint/data/raw"
    mapped = make(tmp_path / "mapped/one.csv").parent
    store = StepStore(tmp_path / "s3", ResourceMap(s3={uri: mapped}).s3_mappings())
    assert store.locate(f"{uri}/one.csv", "input") is not None


def test_a_mapping_of_an_unmappable_prefix_is_an_error_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(LocalRunError, match=r"ResourceMap\.s3: refusing s3://b/\.\./x: its key"):
        ResourceMap(s3={"s3://b/../x": tmp_path})
    (tmp_path / "resources.json").write_text(json.dumps({"s3": {"s3://../x": "."}}))
    with pytest.raises(LocalRunError, match=r"resources file .*: ResourceMap\.s3: refusing"):
        ResourceMap.load(tmp_path / "resources.json")

    definition = make(tmp_path / "pipeline.json", json.dumps({"Version": "2020-12-01"}))
    code = main(["run", str(definition), "--s3-map", f"s3://b/a/../x={tmp_path}"])

    assert code == 2
    assert (
        f"--s3-map s3://b/a/../x={tmp_path}: refusing s3://b/a/../x: its key has a '..' segment"
        in capsys.readouterr().err
    )


def evaluator(tmp_path: Path, file_path: str) -> Evaluator:
    store = StepStore(tmp_path / "s3")
    out = make(tmp_path / "out/e.json", '{"passed": false}').parent
    uri = "s3://b/p/evaluation"
    outputs = [{"OutputName": "evaluation", "S3Output": {"S3Uri": uri, "LocalPath": "/x"}}]
    store.record("Evaluate", {"ProcessingOutputConfig": {"Outputs": outputs}}, {uri: out})
    entry = {"PropertyFileName": "Report", "OutputName": "evaluation", "FilePath": file_path}
    definition = {
        "Steps": [
            {"Name": "Evaluate", "Type": "Processing", "Arguments": {}, "PropertyFiles": [entry]}
        ]
    }
    start = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    return Evaluator(
        parameters={},
        execution=ExecutionVariables("pipe", "arn:p", "abc", "arn:p/execution/abc", start),
        store=store,
        graph=StepGraph.from_definition(definition),
    )


def test_json_get_refuses_a_property_file_path_or_uri_that_leads_out(tmp_path: Path) -> None:
    # <tmp>/out/../secret.json and <tmp>/s3/b/../../secret.json are both <tmp>/secret.json.
    make(tmp_path / "secret.json", '{"passed": true}')
    ev = evaluator(tmp_path, "../secret.json")
    by_file = {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"}, "Path": "passed"}
    by_uri = {"S3Uri": "s3://b/../../secret.json", "Path": "passed"}

    with pytest.raises(
        EvaluationError,
        match=r"property file 'Report' of step 'Evaluate' \(FilePath\): refusing "
        r"s3://b/p/evaluation/\.\./secret\.json: its key has a '\.\.' segment",
    ):
        ev.resolve({"Std:JsonGet": by_file})
    with pytest.raises(
        EvaluationError,
        match=r"Std:JsonGet S3Uri: refusing s3://b/\.\./\.\./secret\.json: its key has a '\.\.'",
    ):
        ev.resolve({"Std:JsonGet": by_uri})


def test_a_parameter_given_an_unmappable_input_fails_the_step_naming_input_and_uri(
    ws: Workspace,
) -> None:
    # s3://data-bucket is mapped to data/: the input would get the scripts next to it.
    source = ParameterString(name="Input", default_value="s3://data-bucket/raw")
    step = ProcessingStep(
        name="Prep",
        image=SKLEARN,
        code=Code.from_asset(ws.script("prep.py", WRITE_OUTPUT)),
        inputs=[ProcessingInput(source=source, destination="/opt/ml/processing/raw")],
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
    )
    ws.file("raw/one.csv", "1")
    uri = "s3://data-bucket/../scripts"

    result = ws.runner().run(compile_steps([step], [source]), {"Input": uri})

    assert result.status == "Failed"
    assert result.step("Prep").failure_reason == (
        f"input 'input-1': refusing {uri}: its key has a '..' segment, which S3 keeps as two "
        "characters of the key but a local path would follow up a folder, out of the local S3 "
        "tree (write the key without it)"
    )


def test_an_unmappable_output_location_fails_the_step_before_its_script_runs(
    ws: Workspace,
) -> None:
    destination = ParameterString(name="Out", default_value="s3://art-bucket/out")
    marker = ws.root / "ran.txt"
    step = ProcessingStep(
        name="Prep",
        image=SKLEARN,
        code=Code.from_asset(
            ws.script("prep.py", f"open({str(marker)!r}, 'w').write('ran')\n" + WRITE_OUTPUT)
        ),
        outputs=[
            ProcessingOutput(
                output_name="out", source="/opt/ml/processing/out", destination=destination
            )
        ],
    )

    result = ws.runner().run(compile_steps([step], [destination]), {"Out": "s3://art-bucket/.."})

    assert result.status == "Failed"
    assert (result.step("Prep").failure_reason or "").startswith(
        "output 'out': refusing s3://art-bucket/..: its key has a '..' segment"
    )
    assert not marker.exists()


def test_a_training_jobs_output_path_and_checkpoints_are_checked_before_it_runs(
    ws: Workspace,
) -> None:
    path = ParameterString(name="Models", default_value="s3://art-bucket/models")
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", "raise SystemExit('ran')\n")),
        output_path=path,
        checkpoint_s3_uri="s3://art-bucket/checkpoints",
    )

    result = ws.runner().run(compile_steps([step], [path]), {"Models": "s3://../models"})

    assert result.step("Train").failure_reason == (
        "OutputDataConfig.S3OutputPath: refusing s3://../models: '..' is not a bucket name "
        "(letters, digits, '.', '-' and '_', beginning and ending with a letter or digit)"
    )


# -- names that become folder names ---------------------------------------------------


def test_an_output_name_that_is_a_path_fails_the_step_and_writes_nothing_outside(
    ws: Workspace,
) -> None:
    # The API takes any string as an OutputName; the runner makes it a folder of the step's.
    definition = compile_steps([processing("Prep", ws.script("prep.py", WRITE_OUTPUT))])
    outputs = definition["Steps"][0]["Arguments"]["ProcessingOutputConfig"] = {
        "Outputs": [
            {
                "OutputName": "../../../../../../escaped",
                "S3Output": {
                    "S3Uri": "s3://art-bucket/out",
                    "LocalPath": "/opt/ml/processing/out",
                    "S3UploadMode": "EndOfJob",
                },
            }
        ]
    }
    assert outputs

    result = ws.runner().run(definition)

    assert result.step("Prep").failure_reason == (
        "output '../../../../../../escaped': OutputName '../../../../../../escaped' can't name "
        "a local folder: it holds '/', which would make it a path of folders"
    )
    assert not list(ws.root.rglob("escaped"))


def test_a_channel_named_dot_dot_fails_the_training_step(ws: Workspace) -> None:
    # ChannelName's pattern ([A-Za-z0-9.\-_]+) takes '..': /opt/ml/input/data/.. is the input.
    ws.file("train/train.csv", "1")
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", "print('trained')\n")),
        inputs={"..": "s3://data-bucket/train"},
    )

    result = ws.runner().run(compile_steps([step]))

    assert result.step("Train").failure_reason == (
        "channel '..': ChannelName '..' can't name a folder of /opt/ml/input/data: '..' names "
        "the folder above"
    )


TRAIN_MODEL = """
import json, os
json.dump({"offset": 10}, open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w"))
"""


def test_a_model_package_group_from_a_parameter_must_be_a_group_name(ws: Workspace) -> None:
    group = ParameterString(name="Group", default_value="scores")
    train = TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", TRAIN_MODEL))
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name=group,
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
    )
    definition = compile_steps([register], [group])
    runner = ws.runner()

    refused = runner.run(definition, {"Group": "../../../escaped"})
    by_arn = runner.run(
        definition,
        {"Group": "arn:aws:sagemaker:us-east-1:111122223333:model-package-group/scores"},
    )

    assert refused.step("Register").failure_reason == (
        "ModelPackageGroupName '../../../escaped' is not a model package group's name or ARN (a "
        "name is 1-63 letters, digits and hyphens, not starting or ending with a hyphen): "
        "SageMaker would refuse it"
    )
    assert not list(ws.root.rglob("escaped"))
    assert by_arn.status == "Succeeded", by_arn.failure_reason
    assert by_arn.registry.groups() == ["scores"]
    with pytest.raises(LocalRunError, match=r"'\.\./x' is not a model package group name"):
        ModelRegistry(ws.root).versions("../x")


@pytest.mark.parametrize("execution_id", ["../other", "/tmp", "a/../b", ""])
def test_an_execution_id_that_is_a_path_is_an_error(ws: Workspace, execution_id: str) -> None:
    # <root>/executions/../other/execution.json exists: a path would find it.
    elsewhere = ws.root / ".smpipe" / "other"
    make(elsewhere / "execution.json", "{}")
    runner = ws.runner()
    message = rf"{re.escape(repr(execution_id))} is not an execution id: ids are letters and digits"

    with pytest.raises(LocalRunError, match=message):
        runner.resume(execution_id)
    with pytest.raises(LocalRunError, match=message):
        runner.execution(execution_id)
    prep = processing("Prep", ws.script("prep.py", WRITE_OUTPUT), outputs=["out"])
    read = processing("Read", ws.script("read.py", "print(1)\n"), depends_on=[prep])
    with pytest.raises(LocalRunError, match=message):
        runner.run(compile_steps([read]), steps=["Read"], from_execution=execution_id)


def test_show_and_resume_refuse_an_id_that_is_a_path(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    make(ws.root / ".smpipe" / "other" / "execution.json", "{}")
    root = str(ws.root / ".smpipe")

    assert main(["show", "../other", "--root", root]) == 2
    assert main(["run", "--resume", "../other", "--root", root]) == 2
    assert capsys.readouterr().err.count("'../other' is not an execution id") == 2


def test_a_resumed_definition_whose_step_name_is_a_path_is_refused(ws: Workspace) -> None:
    failing = processing("Prep", ws.script("prep.py", "raise SystemExit(1)\n"))
    runner = ws.runner()
    result = runner.run(compile_steps([failing]))
    recorded = result.directory / "definition.json"
    body = json.loads(recorded.read_text())
    body["Steps"][0]["Name"] = "../../escaped"
    recorded.write_text(json.dumps(body))

    with pytest.raises(
        LocalRunError,
        match=r"can't resume \w+: its definition\.json has a step named '\.\./\.\./escaped'",
    ):
        runner.resume(result.execution_id)


# -- symbolic links a script leaves in what it outputs -------------------------------

LINK = """
import os, sys
os.makedirs("/opt/ml/processing/out", exist_ok=True)
open("/opt/ml/processing/out/data.txt", "w").write("data")
os.symlink(os.environ["TARGET"], "/opt/ml/processing/out/" + os.environ.get("NAME", "link"))
"""


def run_link(ws: Workspace, target: str, isolation: str = "auto", **environment: str) -> Any:
    step = processing(
        "Prep",
        ws.script("link.py", LINK),
        outputs=["out"],
        environment={"TARGET": target, **environment},
    )
    return ws.runner(isolation=isolation).run(compile_steps([step]))


def test_a_link_out_of_the_step_fails_it_and_nothing_is_published(ws: Workspace) -> None:
    secret = make(ws.root / "home" / "id_rsa", "secret")

    result = run_link(ws, str(secret))

    assert result.status == "Failed"
    assert result.step("Prep").failure_reason == (
        f"output 'out' (/opt/ml/processing/out): /opt/ml/processing/out/link is a symbolic link "
        f"to {secret}, outside the step's /opt/ml: the local runner doesn't follow a link out of "
        "a step (publishing it would copy a file of this machine into the outputs); write the "
        "file itself there"
    )
    assert not (result.directory / "outputs").exists()


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("/", "is a symbolic link to /, outside the step's /opt/ml"),
        ("/opt/ml/processing", "is a symbolic link to a directory (/opt/ml/processing)"),
        ("link", "is a symbolic link to link, which leads nowhere (a broken link or a loop"),
        ("missing.txt", "is a symbolic link to missing.txt, which leads nowhere"),
    ],
    ids=["root", "a folder of the step", "a loop", "broken"],
)
def test_a_link_to_a_folder_or_nowhere_fails_the_step(
    ws: Workspace, target: str, problem: str
) -> None:
    result = run_link(ws, target)

    assert result.status == "Failed"
    reason = result.step("Prep").failure_reason or ""
    assert reason.startswith(
        f"output 'out' (/opt/ml/processing/out): /opt/ml/processing/out/link {problem}"
    )


@pytest.mark.parametrize("isolation", ["auto", "redirect"])
def test_a_link_to_a_file_of_the_step_is_published_as_a_copy(ws: Workspace, isolation: str) -> None:
    # As an upload of it would hold: the file's content, at the link's key. The link reads
    # /opt/ml/… in a mount namespace, the step's host folder under path redirection.
    result = run_link(ws, "/opt/ml/processing/out/data.txt", isolation, NAME="copy.txt")

    assert result.status == "Succeeded", result.failure_reason
    published = result.output("Prep", "out") / "copy.txt"
    assert not published.is_symlink()
    assert published.read_text() == "data"


def test_a_named_pipe_in_an_output_fails_the_step(ws: Workspace) -> None:
    script = ws.script(
        "fifo.py",
        "import os\n"
        "os.makedirs('/opt/ml/processing/out', exist_ok=True)\n"
        "os.mkfifo('/opt/ml/processing/out/p')\n",
    )
    result = ws.runner().run(compile_steps([processing("Prep", script, outputs=["out"])]))

    assert result.step("Prep").failure_reason == (
        "output 'out' (/opt/ml/processing/out): /opt/ml/processing/out/p is a named pipe, not a "
        "file: S3 holds files only (remove it)"
    )


def test_a_link_out_of_a_training_jobs_model_or_checkpoints_fails_the_step(
    ws: Workspace,
) -> None:
    secret = make(ws.root / "home" / ".ssh" / "id_rsa", "secret").parent
    script = """
import os
open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write("model")
os.symlink(os.environ["TARGET"], os.environ["LINK"])
"""
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", script)),
        environment={"TARGET": str(secret), "LINK": "/opt/ml/model/keys"},
        checkpoint_s3_uri="s3://art-bucket/checkpoints",
    )
    to_checkpoints = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=step.code,
        environment={"TARGET": str(secret / "id_rsa"), "LINK": "/opt/ml/checkpoints/id_rsa"},
        checkpoint_s3_uri="s3://art-bucket/checkpoints",
    )

    model = ws.runner().run(compile_steps([step]))
    checkpoints = ws.runner().run(compile_steps([to_checkpoints]))

    assert model.step("Train").failure_reason == (
        f"the model directory /opt/ml/model: /opt/ml/model/keys is a symbolic link to {secret}, "
        "outside the step's /opt/ml: the local runner doesn't follow a link out of a step "
        "(publishing it would copy a file of this machine into the outputs); write the file "
        "itself there"
    )
    assert (checkpoints.step("Train").failure_reason or "").startswith(
        "checkpoints (CheckpointConfig.LocalPath /opt/ml/checkpoints): "
        f"/opt/ml/checkpoints/id_rsa is a symbolic link to {secret / 'id_rsa'}, outside"
    )
    assert not list(ws.root.glob(".smpipe/executions/*/outputs"))


def test_a_condition_reading_a_link_that_a_step_published_never_happens(ws: Workspace) -> None:
    # End to end: a JsonGet would read the linked file if the link had been published.
    secret = make(ws.root / "home" / "report.json", '{"passed": true}')
    script = ws.script(
        "report.py",
        "import os\nos.makedirs('/opt/ml/processing/out', exist_ok=True)\n"
        f"os.symlink({str(secret)!r}, '/opt/ml/processing/out/report.json')\n",
    )
    prep = processing("Prep", script, outputs=["out"])
    uri = prep.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionEquals(
                left=JsonGet(s3_uri=Join(on="/", values=[uri, "report.json"]), json_path="passed"),
                right=True,
            )
        ],
    )

    result = ws.runner().run(compile_steps([prep, check]))

    assert result.step("Prep").status == "Failed"
    assert result.step("Check").status == "NotExecuted"


# -- archives ------------------------------------------------------------------------


def test_extracting_an_archive_with_a_link_out_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        link = tarfile.TarInfo("keys")
        link.type = tarfile.SYMTYPE
        link.linkname = str(tmp_path / "home")
        tar.addfile(link)
    with pytest.raises(StepError, match=r"model\.tar\.gz: refusing to extract"):
        extract(archive, tmp_path / "out")
    assert not os.path.lexists(tmp_path / "out" / "keys")


def test_a_supplied_baseline_uri_that_would_be_another_path_is_an_error_before_running(
    ws: Workspace,
) -> None:
    quality = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://data/train/", dataset_format=DatasetFormat.csv()
        ),
    )
    supplied = {"DataQuality": {"CalculatedBaselineStatistics": "s3://baselines/../stats.json"}}

    with pytest.raises(
        LocalRunError,
        match=r"callback_outputs \(--callback-output\): step 'DataQuality': property "
        r"'CalculatedBaselineStatistics': refusing s3://baselines/\.\./stats\.json: its key has",
    ):
        ws.runner(callback_outputs=supplied).run(compile_steps([quality]))


def test_a_transform_reads_only_models_of_the_runner(ws: Workspace) -> None:
    # <root>/models/../../model.json is a file of the workspace, not a model.
    make(ws.root / "model.json", json.dumps({"PrimaryContainer": {"Image": "x"}}))
    (ws.root / ".smpipe" / "models").mkdir(parents=True)
    name = ParameterString(name="Model", default_value="m")
    ws.file("batch/a.csv", "1\n")
    transform = TransformStep(
        name="Score", model_name=name, input_data="s3://data-bucket/batch", content_type="text/csv"
    )

    result = ws.runner().run(compile_steps([transform], [name]), {"Model": "../../model"})

    assert (result.step("Score").failure_reason or "").startswith(
        "no local model named '../../model': the local runner transforms with models created by"
    )
