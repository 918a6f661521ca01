"""Model, Transform and RegisterModel steps."""

from __future__ import annotations

import gzip
import json
import re
import tarfile

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    Container,
    DriftCheckBaselines,
    FileSource,
    Image,
    MetadataProperties,
    MetricsSource,
    ModelData,
    ModelMetrics,
    ModelStep,
    ParameterString,
    PipelineValidationError,
    RegisterModel,
    TrainingStep,
    TransformStep,
)
from cdk_sagemaker_pipelines.local.progress import last_traceback, registry_table, summary
from tests.local.conftest import SKLEARN, Workspace, compile_steps

TRAIN = """
import json, os
json.dump({"offset": 10}, open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w"))
"""
INFERENCE = """
import json, os

def model_fn(model_dir):
    return json.load(open(os.path.join(model_dir, "model.json")))

def input_fn(body, content_type):
    assert content_type == "text/csv", content_type
    return [int(line) for line in body.splitlines()]

def predict_fn(rows, model):
    return [row + model["offset"] for row in rows]

def output_fn(predictions, accept):
    return "\\n".join(str(p) for p in predictions)
"""


def pipeline(
    ws: Workspace,
    *,
    with_code: bool = True,
    split_type: str = "Line",
    compression_type: str | None = None,
) -> list[object]:
    train = TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", TRAIN))
    )
    model = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        code=Code.from_asset(ws.script("inference.py", INFERENCE)) if with_code else None,
    )
    ws.file("batch/a.csv", "1\n2\n3\n")
    ws.file("batch/sub/b.csv", "5\n")
    transform = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://data-bucket/batch",
        content_type="text/csv",
        split_type=split_type,
        compression_type=compression_type,
        assemble_with="Line",
    )
    return [transform]


def test_transform_runs_the_inference_handlers_over_each_input_file(ws: Workspace) -> None:
    result = ws.runner().run(compile_steps(pipeline(ws)))  # type: ignore[arg-type]
    assert result.status == "Succeeded", result.failure_reason
    output = result.output("Score")
    assert (output / "a.csv.out").read_text() == "11\n12\n13\n"
    assert (output / "sub/b.csv.out").read_text() == "15\n"
    name = result.properties("CreateModel")["ModelName"]
    assert result.properties("Score")["ModelName"] == name
    assert result.step("CreateModel").metadata["Model"]["Arn"].endswith(name.lower())


@pytest.mark.parametrize("where", ["predict_fn", "default input_fn"])
def test_a_failed_inference_scripts_traceback_starts_at_its_own_code(
    ws: Workspace, where: str
) -> None:
    # Was: the frames of the runner's transform driver came first, where a processing
    # script's traceback starts at its own. An error of the driver's default handler,
    # which passes through no frame of the script, keeps the driver's frames.
    if where == "predict_fn":
        script = (
            INFERENCE.replace(
                'return [row + model["offset"] for row in rows]', "return add(rows, model)"
            )
            + "\ndef add(rows, model):\n    return [row + model['scale'] for row in rows]\n"
        )
    else:  # numpy's loadtxt fails on a word: the driver's input_fn calls it
        script = INFERENCE.split("def input_fn")[0] + (
            "def predict_fn(rows, model):\n    return rows\n"
        )
    steps = pipeline(ws)
    if where != "predict_fn":
        ws.file("batch/a.csv", "one\n")
    ws.script("inference.py", script)
    result = ws.runner().run(compile_steps(steps))  # type: ignore[arg-type]
    run = result.step("Score")
    assert run.status == "Failed"
    assert run.log is not None
    shown = "\n".join(last_traceback(run.log))
    if where == "predict_fn":
        # The script as the sandbox sees it (/opt/ml/model/code/, or a host path).
        frame = r'  File ".*/inference\.py", line {}, in {}\n'
        assert re.match(
            r"Traceback \(most recent call last\):\n"
            + frame.format(11, "predict_fn")
            + r"    return add\(rows, model\)\n"
            + frame.format(17, "add"),
            shown,
        ), shown
        assert "driver.py" not in run.log.read_text()
    else:
        assert 'driver.py", line' in shown, shown


def test_fails_a_transform_whose_model_has_no_inference_script(ws: Workspace) -> None:
    result = ws.runner().run(compile_steps(pipeline(ws, with_code=False)))  # type: ignore[arg-type]
    reason = result.step("Score").failure_reason
    assert reason is not None
    name = result.properties("CreateModel")["ModelName"]
    assert reason.startswith(f"the model of step 'CreateModel' ({name}) has no"), reason
    assert reason.endswith(
        "has no inference script (SAGEMAKER_PROGRAM and SAGEMAKER_SUBMIT_DIRECTORY): the local "
        "runner runs the framework's script handlers (model_fn, input_fn, predict_fn, "
        "output_fn), not a serving image; give the Model step code=…"
    )


def test_transform_decompresses_gzip_input_as_the_service_does(ws: Workspace) -> None:
    steps = pipeline(ws, compression_type="Gzip")
    (ws.data / "batch/a.csv").unlink()
    (ws.data / "batch/sub/b.csv").unlink()
    (ws.data / "batch/a.csv.gz").write_bytes(gzip.compress(b"1\n2\n3\n"))

    result = ws.runner().run(compile_steps(steps))  # type: ignore[arg-type]

    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("Score") / "a.csv.gz.out").read_text() == "11\n12\n13\n"


def test_fails_gzip_input_that_is_plain_before_the_script_runs(ws: Workspace) -> None:
    result = ws.runner().run(compile_steps(pipeline(ws, compression_type="Gzip")))  # type: ignore[arg-type]

    assert result.step("Score").failure_reason == (
        "TransformInput: CompressionType is Gzip but a.csv is not gzip-compressed; gzip the "
        "input objects, or leave compression_type unset for plain ones"
    )


def test_fails_a_split_type_the_runner_cannot_read_before_the_script_runs(ws: Workspace) -> None:
    result = ws.runner().run(compile_steps(pipeline(ws, split_type="RecordIO")))  # type: ignore[arg-type]

    # Not the inference script's failure (an AlgorithmError): the runner's limit, said so.
    assert result.step("Score").failure_reason == (
        "TransformInput.SplitType RecordIO is not supported locally (Line or None): the runner "
        "doesn't read RecordIO or TFRecord framing; transform a copy of the data as lines "
        '(split_type="Line") to test the pipeline locally'
    )


# Scores the sum of a record's columns: only the columns the input filter kept reach it.
SUMMING = """
import json

def model_fn(model_dir):
    return None

def input_fn(body, content_type):
    if content_type == "text/csv":
        return [[float(cell) for cell in line.split(",")] for line in body.splitlines()]
    return [json.loads(line) for line in body.splitlines()]

def predict_fn(rows, model):
    return [sum(row) if isinstance(row, list) else sum(row["features"]) for row in rows]

def output_fn(predictions, accept):
    if accept == "application/jsonlines":
        return "\\n".join(json.dumps({"score": p}) for p in predictions)
    return "\\n".join(str(p) for p in predictions)
"""


def scoring(ws: Workspace, **options: object) -> list[object]:
    model = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        code=Code.from_asset(ws.script("inference.py", SUMMING)),
    )
    transform = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://data-bucket/batch",
        split_type="Line",
        assemble_with="Line",
        **options,  # type: ignore[arg-type]
    )
    return [transform]


def test_transform_filters_and_joins_csv_records_as_the_service_does(ws: Workspace) -> None:
    # The guide's example: the ID column kept out of the request, joined back with the score.
    ws.file("batch/a.csv", "id-1,1,2\nid-2,3,4\n")
    steps = scoring(
        ws,
        content_type="text/csv",
        accept="text/csv",
        input_filter="$[1:]",
        join_source="Input",
        output_filter="$[0,-1]",
    )

    result = ws.runner().run(compile_steps(steps))  # type: ignore[arg-type]

    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("Score") / "a.csv.out").read_text() == "id-1,3.0\nid-2,7.0\n"


def test_transform_joins_csv_records_whole_without_an_output_filter(ws: Workspace) -> None:
    ws.file("batch/a.csv", "id-1,1,2\n")
    steps = scoring(ws, content_type="text/csv", input_filter="$[1:]", join_source="Input")

    result = ws.runner().run(compile_steps(steps))  # type: ignore[arg-type]

    assert (result.output("Score") / "a.csv.out").read_text() == "id-1,1,2,3.0\n"


def test_transform_joins_json_lines_under_sagemaker_output(ws: Workspace) -> None:
    ws.file("batch/a.jsonl", '{"id": "a", "features": [1, 2]}\n{"id": "b", "features": [5]}\n')
    steps = scoring(
        ws,
        content_type="application/jsonlines",
        accept="application/jsonlines",
        input_filter="$['features']",
        join_source="Input",
        output_filter="$['id','SageMakerOutput']",
    )

    result = ws.runner().run(compile_steps(steps))  # type: ignore[arg-type]

    assert result.status == "Succeeded", result.failure_reason
    lines = (result.output("Score") / "a.jsonl.out").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": "a", "SageMakerOutput": {"score": 3}},
        {"id": "b", "SageMakerOutput": {"score": 5}},
    ]


def test_transform_keeps_quoted_names_whole_and_non_ascii_text_as_read(ws: Workspace) -> None:
    # Was: $['last, first'] split at its comma into two names the record lacks, and the
    # joined records written with \u escapes ("Zo\u00eb" for "Zoë").
    ws.file("batch/a.jsonl", '{"last, first": "Zoë", "features": [1, 2]}\n')
    steps = scoring(
        ws,
        content_type="application/jsonlines",
        accept="application/jsonlines",
        input_filter="$['features']",
        join_source="Input",
        output_filter="$['last, first','SageMakerOutput']",
    )

    result = ws.runner().run(compile_steps(steps))  # type: ignore[arg-type]

    assert result.status == "Succeeded", result.failure_reason
    text = (result.output("Score") / "a.jsonl.out").read_text(encoding="utf-8")
    assert text == '{"last, first": "Zoë", "SageMakerOutput": {"score": 3}}\n'


def test_transform_output_filter_outside_the_joined_record_fails_the_step(
    ws: Workspace,
) -> None:
    # "If you specify indexes that aren't within the dimension size of the joined dataset,
    # you get an error."
    ws.file("batch/a.csv", "id-1,1,2\n")
    steps = scoring(
        ws,
        content_type="text/csv",
        input_filter="$[1:]",
        join_source="Input",
        output_filter="$[0,7]",
    )

    result = ws.runner().run(compile_steps(steps))  # type: ignore[arg-type]

    assert result.status == "Failed"
    assert "index 7 is outside the record (4 elements)" in str(result.step("Score").failure_reason)


def test_refuses_a_hand_written_filter_outside_the_subset_before_any_step_runs(
    ws: Workspace,
) -> None:
    ws.file("batch/a.csv", "id-1,1,2\n")
    [transform] = scoring(ws, content_type="text/csv")
    definition = compile_steps([transform])  # type: ignore[list-item]
    arguments = definition["Steps"][-1]["Arguments"]
    arguments["DataProcessing"] = {"InputFilter": "$..features", "JoinSource": "Input"}

    with pytest.raises(PipelineValidationError, match=r"InputFilter': '\$\.\.features' is out"):
        ws.runner().run(definition)

    assert not (ws.root / ".smpipe" / "executions").exists()


def test_register_model_writes_a_version_to_the_local_registry(ws: Workspace) -> None:
    ws.file("reports/evaluation.json", '{"metrics": {"accuracy": {"value": 0.95}}}')
    train = TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", TRAIN))
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="scores",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        code=Code.from_asset(ws.script("inference.py", INFERENCE)),
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(s3_uri="s3://data-bucket/reports/evaluation.json")
        ),
    )
    runner = ws.runner()
    result = runner.run(compile_steps([register]))
    assert result.status == "Succeeded", result.failure_reason
    package = result.registry.latest("scores")
    assert package is not None
    assert (package.version, package.approval_status) == (1, "PendingManualApproval")
    assert package.metrics["ModelQuality"]["Statistics"]["metrics"]["accuracy"]["value"] == 0.95
    assert package.model_data is not None
    assert (package.directory / "code.tar.gz").exists()
    assert package.description["MetadataProperties"]["GeneratedBy"] == result.arn
    properties = result.properties("Register")
    assert properties["ModelPackageVersion"] == 1
    assert result.step("Register").metadata == {"RegisterModel": {"Arn": package.arn}}
    assert runner.run(compile_steps([register])).properties("Register")["ModelPackageVersion"] == 2


def test_a_large_model_serving_image_is_modelled_and_registered_but_not_run(
    ws: Workspace,
) -> None:
    # The Model and RegisterModel steps record the LMI image as they record any other; only
    # a step that would run its model server (a transform) fails, saying why.
    train = TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", TRAIN))
    )
    artifacts = train.properties.ModelArtifacts.S3ModelArtifacts
    code = Code.from_asset(ws.script("inference.py", INFERENCE))
    model = ModelStep(
        name="CreateModel", image=Image.djl_lmi("0.33.0"), model_data=artifacts, code=code
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="llms",
        image=Image.djl_lmi("0.33.0"),
        model_data=artifacts,
        inference_instances=["ml.g5.12xlarge"],
    )
    ws.file("batch/a.csv", "1\n")
    transform = TransformStep(
        name="Score", model_name=model.properties.ModelName, input_data="s3://data-bucket/batch"
    )

    result = ws.runner().run(compile_steps([train, model, register, transform]))

    assert [result.step(name).status for name in ("CreateModel", "Register", "Score")] == [
        "Succeeded",
        "Succeeded",
        "Failed",
    ]
    package = result.registry.latest("llms")
    assert package is not None
    lmi = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.33.0-lmi15.0.0-cu128"
    assert package.description["InferenceSpecification"]["Containers"][0]["Image"] == lmi
    reason = result.step("Score").failure_reason
    assert reason is not None
    assert reason.startswith(
        f"step 'Score': image {lmi} is the Large Model Inference (LMI, DJL Serving) container "
        "(djl-lmi): a model server, which the local runner can't run"
    ), reason


def test_the_summary_says_where_the_registered_version_is_and_the_final_metrics(
    ws: Workspace,
) -> None:
    # Was: a successful run's summary said nothing of either; both were in the records only.
    script = TRAIN + 'print("rmse=0.25")\nprint("rmse=0.125")\n'
    train = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", script)),
        metric_definitions={"rmse": r"rmse=([0-9.]+)"},
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="scores",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    )
    result = ws.runner().run(compile_steps([register]))
    assert result.status == "Succeeded", result.failure_reason
    types = {"Train": "Training", "Register": "RegisterModel"}
    folder = ws.root / ".smpipe" / "registry" / "scores" / "1"
    assert (
        "\nTrain: final metrics rmse=0.125\n"
        f"Register: scores version 1 (PendingManualApproval): {folder}\n\nrecords: "
    ) in summary(result, types)
    # The status is the version's now, as `smpipe show` prints it after an approval.
    result.registry.approve("scores", 1, "Approved")
    assert "Register: scores version 1 (Approved): " in summary(result, types)


def test_register_model_keeps_the_definitions_lineage_and_names_the_execution(
    ws: Workspace,
) -> None:
    commit = ParameterString(name="CommitId")
    framework_version = ParameterString(name="FrameworkVersion", default_value="1.2")
    train = TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", TRAIN))
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="scores",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        metadata_properties=MetadataProperties(commit_id=commit, generated_by="ci-run-42"),
        framework="SAGEMAKER-SCIKIT-LEARN",
        framework_version=framework_version,
    )
    definition = compile_steps([register], parameters=[commit, framework_version])

    result = ws.runner().run(definition, {"CommitId": "0a1b2c3", "FrameworkVersion": "1.4"})

    assert result.status == "Succeeded", result.failure_reason
    package = result.registry.latest("scores")
    assert package is not None
    # A generated_by the definition sets (a CI run) is the user's lineage: not replaced.
    assert package.description["MetadataProperties"] == {
        "CommitId": "0a1b2c3",
        "GeneratedBy": "ci-run-42",
    }
    assert package.description["LocalExecutionArn"] == result.arn
    assert package.description["InferenceSpecification"]["Containers"][0]["FrameworkVersion"] == (
        "1.4"
    )
    listing = registry_table([package])
    assert result.arn.rsplit("/", 1)[-1] in listing
    assert "ci-run-42" not in listing
    header, row = listing.splitlines()[:2]
    assert row[header.index("COMMIT") :].split()[:1] == ["0a1b2c3"]


# Serving code packed in the model artifact (code/ in model.tar.gz), as the SageMaker SDK's
# repack does: SAGEMAKER_SUBMIT_DIRECTORY is a directory of the unpacked model.
TRAIN_PACKING_CODE = """
import json, os, shutil
model_dir = os.environ["SM_MODEL_DIR"]
json.dump({"offset": 10}, open(os.path.join(model_dir, "model.json"), "w"))
os.makedirs(os.path.join(model_dir, "code"))
here = os.path.dirname(os.path.abspath(__file__))
shutil.copyfile(os.path.join(here, "inference.py"), os.path.join(model_dir, "code", "serve.py"))
"""
CODE_IN_MODEL = {
    "SAGEMAKER_PROGRAM": "serve.py",
    "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
}


def packing_train(ws: Workspace) -> TrainingStep:
    ws.script("model/inference.py", INFERENCE)
    ws.script("model/train.py", TRAIN_PACKING_CODE)
    return TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.scripts / "model", "train.py")
    )


def register_after(train: TrainingStep, environment: dict[str, str]) -> RegisterModel:
    """A version of ``train``'s model, served by the code ``environment`` points at."""
    return RegisterModel(
        name="Register",
        model_package_group_name="scores",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        environment=environment,
    )


def plain_train(ws: Workspace) -> TrainingStep:
    """A training step whose model holds no serving code."""
    return TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", TRAIN))
    )


def test_transform_runs_inference_code_packed_in_the_model(ws: Workspace) -> None:
    train = packing_train(ws)
    model = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        environment=CODE_IN_MODEL,
    )
    ws.file("batch/a.csv", "1\n2\n")
    transform = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://data-bucket/batch",
        content_type="text/csv",
        split_type="Line",
        assemble_with="Line",
    )
    result = ws.runner().run(compile_steps([transform]))
    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("Score") / "a.csv.out").read_text() == "11\n12\n"


def test_register_model_with_code_packed_in_the_model_copies_only_the_model(
    ws: Workspace,
) -> None:
    register = register_after(packing_train(ws), CODE_IN_MODEL)
    result = ws.runner().run(compile_steps([register]))
    assert result.status == "Succeeded", result.failure_reason
    package = result.registry.latest("scores")
    assert package is not None
    assert package.model_data is not None
    assert sorted(path.name for path in package.directory.iterdir()) == [
        "model.tar.gz",
        "package.json",
    ]
    (container,) = package.description["InferenceSpecification"]["Containers"]
    assert container["Environment"] == CODE_IN_MODEL


def test_fails_code_in_the_model_that_the_model_lacks(ws: Workspace) -> None:
    register = register_after(plain_train(ws), CODE_IN_MODEL)
    result = ws.runner().run(compile_steps([register]))
    assert result.step("Register").failure_reason == (
        "Containers[0]: SAGEMAKER_SUBMIT_DIRECTORY is /opt/ml/model/code, but the model data "
        "has no code/serve.py (have the training script copy the serving code to "
        "$SM_MODEL_DIR/code/serve.py)"
    )


def test_fails_a_submit_directory_outside_the_model(ws: Workspace) -> None:
    environment = {**CODE_IN_MODEL, "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/code"}
    register = register_after(plain_train(ws), environment)
    result = ws.runner().run(compile_steps([register]))
    assert result.step("Register").failure_reason == (
        "Containers[0]: SAGEMAKER_SUBMIT_DIRECTORY '/opt/ml/code' is neither an S3 URI nor a "
        "directory inside the model (/opt/ml/model/…): pack the code in model.tar.gz and use "
        "/opt/ml/model/code, or give the step code="
    )


def test_register_model_with_code_at_the_model_root(ws: Workspace) -> None:
    environment = {
        "SAGEMAKER_PROGRAM": "code/serve.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model",
    }
    result = ws.runner().run(compile_steps([register_after(packing_train(ws), environment)]))
    assert result.status == "Succeeded", result.failure_reason


def test_register_model_keeps_bias_reports_and_drift_check_baselines(ws: Workspace) -> None:
    ws.file("baselines/constraints.json", '{"accuracy": {"threshold": 0.9}}')
    ws.file("baselines/bias-config.json", '{"label": "churn"}')
    ws.file("reports/bias.json", '{"DPL": 0.01}')
    train = TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", TRAIN))
    )

    def register(config_file: str) -> RegisterModel:
        return RegisterModel(
            name="Register",
            model_package_group_name="scores",
            image=Image.sklearn("1.2-1", scope="inference"),
            model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
            code=Code.from_asset(ws.script("inference.py", INFERENCE)),
            model_metrics=ModelMetrics(
                bias_pre_training_report=MetricsSource(s3_uri="s3://data-bucket/reports/bias.json")
            ),
            drift_check_baselines=DriftCheckBaselines(
                model_constraints=MetricsSource(
                    s3_uri="s3://data-bucket/baselines/constraints.json"
                ),
                bias_config_file=FileSource(s3_uri=f"s3://data-bucket/baselines/{config_file}"),
            ),
        )

    runner = ws.runner()
    result = runner.run(compile_steps([register("bias-config.json")]))
    missing = runner.run(compile_steps([register("bias.json.missing")]))

    assert result.status == "Succeeded", result.failure_reason
    package = result.registry.latest("scores")
    assert package is not None
    assert package.metrics["Bias"]["PreTrainingReport"] == {"DPL": 0.01}
    assert package.drift_check_baselines == {
        "ModelQuality": {"Constraints": {"accuracy": {"threshold": 0.9}}},
        "Bias": {"ConfigFile": {"label": "churn"}},
    }
    # Copies in the version's folder: the version outlives the data it was registered from.
    baseline = package.description["DriftCheckBaselines"]["Bias"]["ConfigFile"]
    assert baseline["S3Uri"] == "s3://data-bucket/baselines/bias-config.json"
    assert baseline["LocalPath"].startswith(str(package.directory))
    reason = missing.step("Register").failure_reason
    assert reason is not None
    assert reason.startswith(
        "DriftCheckBaselines.Bias.ConfigFile: no object at "
        "s3://data-bucket/baselines/bias.json.missing"
    )


# An inference pipeline (ModelStep/RegisterModel containers=): every container's model data
# and code are located and kept; a batch transform passes each request through them in order.


def pipeline_model_containers(ws: Workspace, train: TrainingStep) -> list[Container]:
    return [
        Container(
            image=Image.sklearn("1.2-1", scope="inference"),
            model_data="s3://data-bucket/prep/model.tar.gz",
            code=Code.from_asset(ws.script("featurize.py", "def model_fn(model_dir): ...\n")),
        ),
        Container(
            image=Image.sklearn("1.2-1", scope="inference"),
            model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
            code=Code.from_asset(ws.script("inference.py", INFERENCE)),
        ),
    ]


def test_model_and_register_model_of_several_containers(ws: Workspace) -> None:
    ws.file("prep/model.tar.gz", "")  # an empty file stands in for the archive
    train = plain_train(ws)
    containers = pipeline_model_containers(ws, train)
    model = ModelStep(name="CreateModel", containers=containers)
    register = RegisterModel(
        name="Register", model_package_group_name="scores", containers=containers
    )

    result = ws.runner().run(compile_steps([model, register]))

    assert result.status == "Succeeded", result.failure_reason
    name = result.properties("CreateModel")["ModelName"]
    record = json.loads((ws.root / ".smpipe" / "models" / f"{name}.json").read_text())
    codes = [item["Code"]["Uri"] for item in record["Local"]["Containers"]]
    assert [uri.rsplit("/", 1)[-1] for uri in codes] == [
        "featurize.py.tar.gz",
        "inference.py.tar.gz",
    ]
    package = result.registry.latest("scores")
    assert package is not None
    described = package.description["InferenceSpecification"]["Containers"]
    assert [(item["LocalModelData"], item["LocalCode"]) for item in described] == [
        ("model.tar.gz", "code.tar.gz"),
        ("container-1/model.tar.gz", "container-1/code.tar.gz"),
    ]

    def archived(name: str) -> list[str]:
        with tarfile.open(package.directory / name) as archive:
            return archive.getnames()

    # Each container keeps its own code.
    assert archived("code.tar.gz") == ["featurize.py"]
    assert archived("container-1/code.tar.gz") == ["inference.py"]


# A featurizer scaling the numbers of each CSV line, then a model summing them (plus the
# trained offset). Each reports the content types it received and answered in.
FEATURIZE = """
import json, os

def model_fn(model_dir):
    return json.load(open(os.path.join(model_dir, "scale.json")))

def input_fn(body, content_type):
    assert content_type == "text/csv", content_type
    return [[float(x) for x in line.split(",")] for line in body.splitlines()]

def predict_fn(rows, model):
    return [[x * model["scale"] for x in row] for row in rows]

def output_fn(rows, accept):
    if accept == "application/json":
        return json.dumps(rows)
    assert accept == "text/csv", accept
    return "\\n".join(",".join(str(x) for x in row) for row in rows)
"""
SUM = """
import json, os

def model_fn(model_dir):
    return json.load(open(os.path.join(model_dir, "model.json")))

def input_fn(body, content_type):
    if content_type == "application/json":
        return content_type, json.loads(body)
    return content_type, [[float(x) for x in line.split(",")] for line in body.splitlines()]

def predict_fn(data, model):
    content_type, rows = data
    return content_type, [sum(row) + model["offset"] for row in rows]

def output_fn(prediction, accept):
    content_type, sums = prediction
    return "\\n".join(f"{content_type}>{accept}:{total:g}" for total in sums)
"""
# output_fn may name the type it answers in, whatever was asked (the inference toolkit's
# (body, content_type) return).
FEATURIZE_ANSWERING_JSON = FEATURIZE.replace(
    '    if accept == "application/json":\n        return json.dumps(rows)\n',
    '    return json.dumps(rows), "application/json"\n',
)
FAILING_SUM = SUM.replace("    content_type, rows = data\n", "    raise ValueError('no offset')\n")


def serial_pipeline(
    ws: Workspace,
    *,
    featurizer_accept: str | None = "text/csv",
    featurizer_script: str = FEATURIZE,
    model_script: str = SUM,
    mode: str | None = None,
    accept: str | None = "text/plain",
) -> TransformStep:
    """Score ``batch/`` with a featurizer (scale 2) then a summing model (offset 10)."""
    with tarfile.open(ws.data / "prep-model.tar.gz", "w:gz") as archive:
        archive.add(ws.file("prep/scale.json", '{"scale": 2}'), arcname="scale.json")
    ws.file("batch/a.csv", "1,2\n3,4\n")
    ws.file("batch/sub/b.csv", "0.5,0.5\n")
    environment = {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": featurizer_accept}
    model = ModelStep(
        name="CreateModel",
        inference_execution_mode=mode,
        containers=[
            Container(
                image=Image.sklearn("1.2-1", scope="inference"),
                model_data="s3://data-bucket/prep-model.tar.gz",
                code=Code.from_asset(ws.script("featurize.py", featurizer_script)),
                environment=environment if featurizer_accept else None,
            ),
            Container(
                image=Image.sklearn("1.2-1", scope="inference"),
                model_data=plain_train(ws).properties.ModelArtifacts.S3ModelArtifacts,
                code=Code.from_asset(ws.script("sum.py", model_script)),
            ),
        ],
    )
    return TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://data-bucket/batch",
        content_type="text/csv",
        accept=accept,
        split_type="Line",
        assemble_with="Line",
    )


def test_transform_through_an_inference_pipeline_passes_each_response_on(ws: Workspace) -> None:
    result = ws.runner().run(compile_steps([serial_pipeline(ws)]))

    assert result.status == "Succeeded", result.failure_reason
    output = result.output("Score")
    # The featurizer answers in its SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, which the model
    # receives; the job's Accept reaches the last container only.
    assert (output / "a.csv.out").read_text() == "text/csv>text/plain:16\ntext/csv>text/plain:24\n"
    assert (output / "sub/b.csv.out").read_text() == "text/csv>text/plain:12\n"
    assert sorted(path.name for path in output.rglob("*") if path.is_file()) == [
        "a.csv.out",
        "b.csv.out",
    ]


def test_transform_through_an_inference_pipeline_without_accept_settings(ws: Workspace) -> None:
    transform = serial_pipeline(ws, featurizer_accept=None, accept=None)

    result = ws.runner().run(compile_steps([transform]))

    assert result.status == "Succeeded", result.failure_reason
    # A container asked for no type answers in JSON, as SageMaker's framework containers
    # do; the last one, without the job's Accept, in the type it received.
    assert (result.output("Score") / "a.csv.out").read_text() == (
        "application/json>application/json:16\napplication/json>application/json:24\n"
    )


def test_transform_through_an_inference_pipeline_passes_the_type_a_container_names(
    ws: Workspace,
) -> None:
    transform = serial_pipeline(ws, featurizer_script=FEATURIZE_ANSWERING_JSON)

    result = ws.runner().run(compile_steps([transform]))

    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("Score") / "sub/b.csv.out").read_text() == (
        "application/json>text/plain:12\n"
    )


def test_transform_of_one_container_without_accept_answers_in_its_default_accept(
    ws: Workspace,
) -> None:
    # As the last container of an inference pipeline does (was: the type it received).
    echo = "def model_fn(d):\n    return None\n\n\ndef input_fn(body, content_type):\n"
    echo += "    return content_type\n\n\ndef predict_fn(data, model):\n    return data\n\n\n"
    echo += "def output_fn(prediction, accept):\n    return f'{prediction}>{accept}'\n"
    ws.file("batch/a.csv", "1\n")
    model = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        code=Code.from_asset(ws.script("echo.py", echo)),
        environment={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "application/json"},
    )
    transform = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://data-bucket/batch",
        content_type="text/csv",
    )

    result = ws.runner().run(compile_steps([transform]))

    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("Score") / "a.csv.out").read_text() == "text/csv>application/json"


def test_fails_a_transform_whose_pipeline_container_fails_naming_it(ws: Workspace) -> None:
    result = ws.runner().run(compile_steps([serial_pipeline(ws, model_script=FAILING_SUM)]))

    reason = result.step("Score").failure_reason
    assert reason is not None
    assert reason.startswith(
        "AlgorithmError: the inference script of container 1 (image "
        + result.properties("CreateModel")["Containers"][1]["Image"]
        + ", sum.py) exited with code 1: ValueError: no offset"
    ), reason


def test_fails_a_transform_through_a_direct_model(ws: Workspace) -> None:
    result = ws.runner().run(compile_steps([serial_pipeline(ws, mode="Direct")]))

    assert result.step("CreateModel").status == "Succeeded"
    reason = result.step("Score").failure_reason
    assert reason is not None
    # Named the generated model name alone, not the step that created the model.
    name = result.properties("CreateModel")["ModelName"]
    assert reason.startswith(f"the model of step 'CreateModel' ({name}) runs its"), reason
    assert reason.endswith(
        "runs its 2 containers in Direct mode (InferenceExecutionConfig): every request to it "
        "must name the container it invokes (TargetContainerHostname), which a batch "
        "transform's requests can't; use Serial mode "
        '(ModelStep(inference_execution_mode="Serial"), or leave it unset) to pass each '
        "request through the containers in order, or "
        "transform with a model of the one container you mean"
    )


@pytest.mark.parametrize("several", [False, True], ids=["one container", "inference pipeline"])
def test_fails_a_model_whose_data_is_missing_naming_the_container_field(
    ws: Workspace, several: bool
) -> None:
    # Was "container 0.ModelDataUrl" whatever the definition's field.
    image = Image.sklearn("1.2-1", scope="inference")
    code = Code.from_asset(ws.script("inference.py", INFERENCE))
    missing = "s3://data-bucket/nothing/model.tar.gz"
    if several:
        containers = [Container(image=image, code=code), Container(image=image, model_data=missing)]
        model = ModelStep(name="CreateModel", containers=containers)
    else:
        model = ModelStep(name="CreateModel", image=image, model_data=missing, code=code)

    result = ws.runner().run(compile_steps([model]))

    reason = result.step("CreateModel").failure_reason
    assert reason is not None
    field = "Containers[1]" if several else "PrimaryContainer"
    assert reason.startswith(f"{field}.ModelDataUrl: no object at {missing} ("), reason


def test_fails_a_transform_through_a_container_that_is_no_model(ws: Workspace) -> None:
    ws.file("prep/model.tar.gz", "")  # not an archive
    ws.file("batch/a.csv", "1\n")
    model = ModelStep(name="CreateModel", containers=pipeline_model_containers(ws, plain_train(ws)))
    transform = TransformStep(
        name="Score", model_name=model.properties.ModelName, input_data="s3://data-bucket/batch"
    )

    result = ws.runner().run(compile_steps([transform]))

    assert result.step("CreateModel").status == "Succeeded"
    reason = result.step("Score").failure_reason
    assert reason is not None
    assert reason.endswith(
        ", featurize.py): ModelDataUrl: model.tar.gz is not a readable tar archive (.tar.gz)"
    )
    assert reason.startswith("container 0 (image ")


def test_fails_a_transform_through_a_container_without_inference_script(ws: Workspace) -> None:
    containers = pipeline_model_containers(ws, plain_train(ws))
    containers[1] = Container(
        image=containers[1].image, model_data=containers[1].model_data, code=None
    )
    model = ModelStep(name="CreateModel", containers=containers)
    ws.file("prep/model.tar.gz", "")
    ws.file("batch/a.csv", "1\n")
    transform = TransformStep(
        name="Score", model_name=model.properties.ModelName, input_data="s3://data-bucket/batch"
    )

    result = ws.runner().run(compile_steps([transform]))

    reason = result.step("Score").failure_reason
    assert reason is not None
    name = result.properties("CreateModel")["ModelName"]
    assert reason.startswith(f"the model of step 'CreateModel' ({name}): container 1 "), reason
    assert reason.endswith(
        ": container 1 (image "
        + result.properties("CreateModel")["Containers"][1]["Image"]
        + ") has no inference script (SAGEMAKER_PROGRAM and SAGEMAKER_SUBMIT_DIRECTORY): the "
        "local runner runs the framework's script handlers (model_fn, input_fn, predict_fn, "
        "output_fn), not a serving image; give the Container code=…"
    )


def uncompressed_pipeline(ws: Workspace) -> tuple[TransformStep, RegisterModel]:
    """A model trained without compression, scored and registered from its prefix."""
    train = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        disable_output_compression=True,
    )
    data = ModelData.uncompressed(train.model_data)
    model = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=data,
        code=Code.from_asset(ws.script("inference.py", INFERENCE)),
    )
    ws.file("batch/a.csv", "1\n2\n")
    transform = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://data-bucket/batch",
        content_type="text/csv",
        split_type="Line",
        assemble_with="Line",
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="scores",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=data,
    )
    return transform, register


def test_an_uncompressed_model_is_served_and_registered_from_its_prefix(ws: Workspace) -> None:
    # Was: "ModelDataSource is not supported locally; use ModelDataUrl".
    transform, register = uncompressed_pipeline(ws)
    result = ws.runner().run(compile_steps([transform, register]))
    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("Score") / "a.csv.out").read_text() == "11\n12\n"
    package = result.registry.latest("scores")
    assert package is not None
    # The version keeps the model's files, as SageMaker keeps the prefix: no archive.
    assert json.loads((package.directory / "model" / "model.json").read_text()) == {"offset": 10}
    assert package.model_data is None
