"""``convert_definition``: definition JSON → Python of the language → the same JSON again."""

from __future__ import annotations

import ast
import copy
import importlib
import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.convert import ConversionError, convert_definition
from cdk_sagemaker_pipelines.convert import _convert as convert_module
from cdk_sagemaker_pipelines.convert._convert import (
    _imports,
    _Scope,
    _UnconvertibleError,
    definition_difference,
    same,
    snake_name,
)
from cdk_sagemaker_pipelines.convert._layout import Call, flat, layout, literal, statement, string
from cdk_sagemaker_pipelines.definition import StaticBinder
from tests.conftest import ROLE, SDK_EXAMPLES
from tests.definition.test_sdk_reference import EXAMPLES, differences

SDK_GENERATED = Path(__file__).resolve().parent.parent / "definition" / "sdk_generated"
# Every SDK definition converts: a step no class writes is a RawStep (see below).
CONVERTIBLE = sorted(p.name for p in SDK_GENERATED.glob("*.json"))


def normalized(definition: dict[str, Any]) -> dict[str, Any]:
    """What carries no meaning, made equal: the order of top-level steps, and two spellings.

    The deliberate differences of a round trip: compiling orders the top-level steps so each
    follows what it reads (any order runs the same); the SDK's
    ``"PipelineExperimentConfig": null`` is written as no member, as the language writes
    a pipeline without one; a missing ``Metadata`` as the language's ``{}``; and a check
    step's unset settings, which the SDK writes as null (``"ModelPackageGroupName":
    null``), as no member (``test_check_steps_render_as_the_sdk_writes_them``).
    """
    result = copy.deepcopy(definition)
    if result.get("PipelineExperimentConfig", 0) is None:
        del result["PipelineExperimentConfig"]
    result.setdefault("Metadata", {})
    for step in result["Steps"]:
        if step.get("Type") in ("QualityCheck", "ClarifyCheck"):
            for member in (
                "ModelPackageGroupName",
                "SuppliedBaselineStatistics",
                "SuppliedBaselineConstraints",
            ):
                if step.get(member, 0) is None:
                    del step[member]
    result["Steps"] = sorted(result["Steps"], key=lambda step: step["Name"])
    return result


def round_trip(definition: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The converted source, and what it compiles to (run as a user runs it)."""
    source = convert_definition(definition)
    namespace: dict[str, Any] = {"__name__": "converted"}
    exec(compile(source, "converted.py", "exec"), namespace)
    return source, namespace["definition"].to_definition(StaticBinder())


def assert_round_trips(definition: dict[str, Any]) -> str:
    source, compiled = round_trip(definition)
    assert differences(normalized(compiled), normalized(definition)) == {}
    return source


def why_raw(source: str, variable: str) -> str:
    """The comment above ``<variable> = RawStep(``, its lines joined: why it is raw."""
    lines = source[: source.index(f"\n{variable} = RawStep(\n")].splitlines()
    comment: list[str] = []
    while lines and lines[-1].startswith("# "):
        comment.insert(0, lines.pop()[2:])
    return " ".join(comment)


@pytest.mark.parametrize("name", EXAMPLES)
def test_sdk_reference_examples_round_trip(name: str) -> None:
    path = SDK_EXAMPLES / f"{name}.json"
    if not path.exists():
        pytest.skip(f"reference data not available: {path}")
    assert_round_trips(json.loads(path.read_text()))


@pytest.mark.parametrize("name", CONVERTIBLE)
def test_sdk_generated_definitions_round_trip(name: str) -> None:
    assert_round_trips(json.loads((SDK_GENERATED / name).read_text()))


def test_a_step_its_class_cant_write_is_a_raw_step_of_its_entry() -> None:
    # RegisterModel always writes a model package group: an unversioned package has none.
    source = assert_round_trips(
        json.loads((SDK_GENERATED / "sdk-registration-options.json").read_text())
    )
    assert (
        "register_unversioned = RawStep(\n"
        '    name="RegisterUnversioned-RegisterModel",\n'
        '    type="RegisterModel",\n'
        "    arguments={\n"
        '        "ModelPackageDescription": "unversioned",\n'
    ) in source
    assert source.count("RawStep(") == 1
    # The comment above it says why, as the error did before RawStep.
    assert why_raw(source, "register_unversioned") == (
        "register_unversioned is its entry, as no step class writes it: "
        "Arguments.ModelPackageName: RegisterModel registers a version in a model package "
        "group (model_package_group_name=): the language can't write an unversioned package."
    )


def test_variables_leave_out_the_suffix_of_the_sdks_model_step() -> None:
    # The SDK's ModelStep names its steps "<name>-RegisterModel" and "<name>-CreateModel":
    # the variables are named after <name>, the step keeps its name.
    source = assert_round_trips(json.loads((SDK_GENERATED / "sdk-abalone.json").read_text()))
    assert "abalone_register_model = RegisterModel(\n" in source
    assert '    name="AbaloneRegisterModel-RegisterModel",\n' in source
    assert "abalone_create_model = ModelStep(\n" in source
    assert '    name="AbaloneCreateModel-CreateModel",\n' in source
    assert "register_model_register_model" not in source
    assert "create_model_create_model" not in source


def test_the_suffix_of_another_step_type_stays_in_its_variable() -> None:
    definition = {
        "Version": "2020-12-01",
        "Parameters": [],
        "Steps": [{"Name": "Done-CreateModel", "Type": "Fail", "Arguments": {"ErrorMessage": "x"}}],
    }
    assert "done_create_model = FailStep(" in assert_round_trips(definition)


def _abalone_without_instance_type() -> dict[str, Any]:
    """The SDK's abalone pipeline, its processing job of no instance type: ProcessingStep
    always writes one, which botocore's ProcessingClusterConfig doesn't require."""
    definition: dict[str, Any] = json.loads((SDK_GENERATED / "sdk-abalone.json").read_text())
    [process] = [step for step in definition["Steps"] if step["Name"] == "AbaloneProcess"]
    del process["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceType"]
    return definition


def test_a_raw_step_reads_parameters_and_is_read_by_typed_steps_as_code() -> None:
    source = assert_round_trips(_abalone_without_instance_type())
    raw = source[source.index("abalone_process = RawStep(") : source.index("abalone_train =")]
    assert '"InstanceCount": processing_instance_count,' in raw
    assert '"S3Uri": input_data,' in raw
    assert "ExecutionVariables.PIPELINE_EXECUTION_ID," in raw
    # Its outputs by their property path: a RawStep has no output() shorthand.
    assert (
        's3_data=abalone_process.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri,'
    ) in source
    assert "abalone_process.output(" not in source


def test_without_roles_leaves_the_bound_role_out_of_a_raw_step() -> None:
    definition = _abalone_without_instance_type()
    source = convert_definition(definition, without_roles=True)
    raw = source[source.index("abalone_process = RawStep(") : source.index("abalone_train =")]
    assert "RoleArn" not in raw
    namespace: dict[str, Any] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    compiled = namespace["definition"].to_definition(StaticBinder(role_arn=namespace["ROLE"]))
    assert definition_difference(compiled, definition) is None


def test_a_step_with_a_null_member_is_not_raw_as_no_keyword_writes_the_null() -> None:
    # RawStep.from_json keeps the null for validation to judge, but RawStep(...) code has
    # no keyword that writes it: the step is its class's, and its problems are said so.
    definition = _abalone_without_instance_type()
    [process] = [step for step in definition["Steps"] if step["Name"] == "AbaloneProcess"]
    process["DisplayName"] = None
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)
    assert [str(problem) for problem in raised.value.problems] == [
        "step 'AbaloneProcess' field 'Arguments.ProcessingResources.ClusterConfig.InstanceType': "
        "ProcessingStep always writes this member (from instance_type=), and the definition "
        "has none",
        "step 'AbaloneProcess' field 'DisplayName': ProcessingStep can't write it as the "
        "definition has it",
    ]


def test_a_raw_step_with_an_expression_of_unknown_type_in_a_string_field_round_trips() -> None:
    # A JsonGet in an environment variable, as the definition has it (not joined): the
    # RawStep written for it compiles to it again.
    definition = _abalone_without_instance_type()
    [process] = [step for step in definition["Steps"] if step["Name"] == "AbaloneProcess"]
    uri = {"Std:Join": {"On": "", "Values": ["s3://my-bucket/settings.json"]}}
    process["Arguments"]["Environment"] = {"MODE": {"Std:JsonGet": {"S3Uri": uri, "Path": "mode"}}}
    source = assert_round_trips(definition)
    assert "abalone_process = RawStep(" in source


def test_fails_what_a_raw_step_would_write_otherwise_as_its_class_would() -> None:
    # A model of no role: the binder would give the RawStep one, which the entry hasn't.
    definition = json.loads((SDK_GENERATED / "sdk-abalone.json").read_text())
    [check] = [step for step in definition["Steps"] if step["Type"] == "Condition"]
    [model] = [step for step in check["Arguments"]["IfSteps"] if step["Type"] == "Model"]
    del model["Arguments"]["ExecutionRoleArn"]
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition, without_roles=True)
    assert [str(problem) for problem in raised.value.problems] == [
        f"step '{model['Name']}' field 'Arguments.ExecutionRoleArn': ModelStep always writes "
        "this member (from role=), and the definition has none"
    ]


def _example_project() -> dict[str, Any]:
    from example_project.pipeline import build_pipeline

    binder = StaticBinder(
        region="us-east-1", role_arn=ROLE, default_bucket="my-bucket", code_prefix="s3://b/code"
    )
    return build_pipeline(data_bucket="data", model_package_group_name="models").to_definition(
        binder
    )


def _seed() -> dict[str, Any]:
    from examples.seed_pipeline import BINDER, pipeline

    return pipeline.to_definition(BINDER)


def _sdk_reference(name: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        module = importlib.import_module(f"examples.sdk_reference.{name.replace('-', '_')}")
        definition: dict[str, Any] = module.build().to_definition()
        return definition

    return build


def _ported(name: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        module = importlib.import_module("tests.definition.test_sdk_generated")
        definition: dict[str, Any] = getattr(module, f"_{name}_in_our_language")()
        return definition

    return build


# The project's own compiled definitions: the example project, the README's seed pipeline,
# the SDK examples and SDK features as the tests write them in the language.
PROJECT: dict[str, Callable[[], dict[str, Any]]] = {
    "example_project": _example_project,
    "seed_pipeline": _seed,
    **{f"sdk_reference/{name}": _sdk_reference(name) for name in EXAMPLES},
    **{
        f"ported/{name}": _ported(name)
        for name in (
            "ported_features",
            "abalone",
            "tuning_step_example",
            "pipeline_model_example",
            "huggingface_example",
            "check_steps",
        )
    },
    "automl_and_checks": lambda: _automl_and_checks().to_definition(StaticBinder()),
}


@pytest.mark.parametrize("name", sorted(PROJECT))
def test_project_definitions_round_trip(name: str) -> None:
    assert_round_trips(PROJECT[name]())


def test_the_seed_pipeline_reads_as_a_person_writes_it() -> None:
    source = assert_round_trips(_seed())
    assert "from cdk_sagemaker_pipelines.definition import (\n" in source
    assert 'accuracy_threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.9)\n' in (
        source
    )
    assert 'source=preprocess.output("test"),' in source
    assert "source=train.properties.ModelArtifacts.S3ModelArtifacts," in source
    assert "if_steps=[register_model],\n    else_steps=[accuracy_too_low]," in source
    assert "extra_arguments" not in source
    # A keyword's default is left out, as a person leaves it out.
    assert "volume_size_in_gb=30" not in source
    assert 'content_types=["text/csv"]' not in source
    assert source.rstrip().splitlines()[-1] == ")"
    assert "\ndefinition = PipelineDefinition(\n" in source


def test_generated_code_is_ruff_clean(tmp_path: Path) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    sources = {
        "seed": assert_round_trips(_seed()),
        "project": assert_round_trips(_example_project()),
    }
    for name in CONVERTIBLE:
        sources[name] = convert_definition(json.loads((SDK_GENERATED / name).read_text()))
        sources[f"{name}-without-sdk-defaults"] = convert_definition(
            json.loads((SDK_GENERATED / name).read_text()), without_sdk_defaults=True
        )
    for name, source in sources.items():
        (tmp_path / f"{snake_name(name, 'x')}.py").write_text(source)
    # ruff's defaults (line length 88): what a project without its own setting gets.
    result = subprocess.run(
        [ruff, "format", "--check", "--diff", "--isolated", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        # Long text (an image URI) is no line ruff format can break: E501 is left out.
        [
            ruff,
            "check",
            "--isolated",
            "--select",
            "E,F,W,I,B,UP",
            "--ignore",
            "E501",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def training_definition(**arguments: Any) -> dict[str, Any]:
    base = {
        "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30},
        "RoleArn": ROLE,
    }
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [{"Name": "Train", "Type": "Training", "Arguments": {**base, **arguments}}],
    }


def test_members_no_keyword_writes_go_to_extra_arguments() -> None:
    definition = training_definition(
        TensorBoardOutputConfig={"S3OutputPath": "s3://b/tensorboard"},
        RemoteDebugConfig={"EnableRemoteDebug": True},
    )
    source = assert_round_trips(definition)
    assert "    extra_arguments={\n" in source
    assert '"TensorBoardOutputConfig": {"S3OutputPath": "s3://b/tensorboard"},' in source
    assert '"RemoteDebugConfig": {"EnableRemoteDebug": True},' in source
    assert "max_runtime_in_seconds=3600," in source
    assert "disable_profiler=False," in source  # the definition has no ProfilerConfig


def test_a_jobs_tags_become_the_tags_keyword() -> None:
    source = assert_round_trips(
        training_definition(
            Tags=[{"Key": "team", "Value": "ml"}, {"Key": "cost-centre", "Value": "CC-1"}]
        )
    )
    assert '    tags={"team": "ml", "cost-centre": "CC-1"},\n' in source
    assert "Tags" not in source


@pytest.mark.parametrize(
    "tags",
    [
        # A key known only at run time, and an empty list: tags= can't write them.
        [{"Key": {"Get": "Parameters.TagKey"}, "Value": "ml"}],
        [],
    ],
)
def test_tags_the_keyword_cant_write_stay_in_extra_arguments(tags: list[Any]) -> None:
    definition = training_definition(Tags=tags)
    if tags and isinstance(tags[0]["Key"], dict):
        definition["Parameters"] = [{"Name": "TagKey", "Type": "String", "DefaultValue": "team"}]
    source = assert_round_trips(definition)
    assert "    tags=" not in source
    assert '"Tags": [' in source


def test_warm_pool_retries_and_checkpoint_path_are_keywords() -> None:
    definition = training_definition(
        RetryStrategy={"MaximumRetryAttempts": 2},
        CheckpointConfig={"S3Uri": "s3://b/checkpoints", "LocalPath": "/opt/ml/ckpt"},
        ResourceConfig={
            "InstanceCount": 1,
            "InstanceType": "ml.m5.large",
            "VolumeSizeInGB": 30,
            "KeepAlivePeriodInSeconds": 60,
        },
    )
    source = assert_round_trips(definition)
    for line in (
        '    checkpoint_s3_uri="s3://b/checkpoints",\n',
        '    checkpoint_local_path="/opt/ml/ckpt",\n',
        "    max_retry_attempts=2,\n",
        "    keep_alive_period_in_seconds=60,\n",
    ):
        assert line in source
    assert "extra_arguments" not in source


def test_fails_a_member_the_language_always_writes_naming_step_and_field() -> None:
    definition = {
        "Version": "2020-12-01",
        "Parameters": [],
        "Steps": [
            {
                "Name": "Gate",
                "Type": "Condition",
                "Arguments": {
                    "Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}],
                    "IfSteps": [],
                },
            }
        ],
    }
    with pytest.raises(ConversionError, match=r"step 'Gate' field 'Arguments.ElseSteps'"):
        convert_definition(definition)


def test_fails_a_step_type_the_language_lacks() -> None:
    # Every type the validator knows has a class now (the Lineage step the last); a newer
    # one, such as a made-up Notebook step, fails as the validator reports it.
    definition = training_definition()
    definition["Steps"].append({"Name": "Track", "Type": "Notebook", "Arguments": {}})
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)
    assert [(p.step, p.field) for p in raised.value.problems] == [("Track", "Type")]
    assert "unknown step type 'Notebook'" in str(raised.value)


def test_fails_an_invalid_definition_with_the_validate_problems() -> None:
    definition = training_definition()
    definition["Steps"][0]["DependsOn"] = ["Nope"]
    with pytest.raises(ConversionError, match="it is not valid") as raised:
        convert_definition(definition)
    assert [(p.step, p.field) for p in raised.value.problems] == [("Train", "DependsOn[0]")]
    assert "depends on step 'Nope', which is not in the pipeline" in str(raised.value)


def test_fails_what_is_not_a_definition() -> None:
    with pytest.raises(ConversionError, match="a definition is a JSON object"):
        convert_definition(["not", "a", "definition"])


def test_variable_names_are_unique_identifiers_but_no_keywords_or_builtins() -> None:
    definition = training_definition()
    step = definition["Steps"][0]
    definition["Steps"] = [
        {**step, "Name": name} for name in ("class", "list", "2nd-Train", "Train_", "Train")
    ]
    definition["Parameters"] = [{"Name": "Train", "Type": "String", "DefaultValue": "x"}]
    source = assert_round_trips(definition)
    for line in (
        'train = ParameterString(name="Train", default_value="x")',
        'class_step = TrainingStep(\n    name="class",',
        'list_step = TrainingStep(\n    name="list",',
        'step_2nd_train = TrainingStep(\n    name="2nd-Train",',
        'train_2 = TrainingStep(\n    name="Train_",',
        'train_3 = TrainingStep(\n    name="Train",',
    ):
        assert line in source


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ('say "hi"', "'say \"hi\"'"),
        ("it's", '"it\'s"'),
        ("tab\tand\\", '"tab\\tand\\\\"'),
        ("caf\u00e9 \udce9", '"caf\u00e9 \\udce9"'),
        # As many of each quote: double quotes, the one inside escaped.
        ("a\"b'c", '"a\\"b\'c"'),
        ("line\nfeed\rreturn", '"line\\nfeed\\rreturn"'),
        # Unprintable: \x under 0x100 (NUL, DEL, NEL), \u in the BMP, \U beyond it.
        ("\x00\x7f\x85", '"\\x00\\x7f\\x85"'),
        ("\u2028", '"\\u2028"'),
        ("\U000e0001", '"\\U000e0001"'),
    ],
)
def test_strings_are_written_as_ruff_writes_them(text: str, literal: str) -> None:
    assert string(text).text == literal
    assert eval(literal) == text


# --- readable keywords: what used to stay in extra_arguments ------------------------------


def _sdk_generated(name: str) -> str:
    """The converted source of an SDK-generated definition, its round trip checked."""
    return assert_round_trips(json.loads((SDK_GENERATED / name).read_text()))


def _step_source(source: str, variable: str) -> str:
    """The statement building ``variable`` (up to the next blank line)."""
    start = source.index(f"\n{variable} = ")
    return source[start : source.index("\n\n", start)]


def test_kms_keys_network_spot_and_checkpoints_are_keywords() -> None:
    definition = training_definition(
        ResourceConfig={
            "InstanceCount": 1,
            "InstanceType": "ml.m5.large",
            "VolumeSizeInGB": 30,
            "VolumeKmsKeyId": "volume-key",
        },
        OutputDataConfig={"S3OutputPath": "s3://b/out", "KmsKeyId": "output-key"},
        VpcConfig={"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1", "subnet-2"]},
        EnableNetworkIsolation=True,
        EnableInterContainerTrafficEncryption=False,
        EnableManagedSpotTraining=True,
        StoppingCondition={"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
        CheckpointConfig={"S3Uri": "s3://b/checkpoints"},
    )
    source = assert_round_trips(definition)
    assert "extra_arguments" not in source
    for line in (
        '    volume_kms_key="volume-key",\n',
        '    output_kms_key="output-key",\n',
        "    network=NetworkConfig(\n"
        '        subnets=["subnet-1", "subnet-2"],\n'
        '        security_group_ids=["sg-1"],\n'
        "        enable_network_isolation=True,\n"
        "        enable_inter_container_traffic_encryption=False,\n"
        "    ),\n",
        "    use_spot_instances=True,\n",
        "    max_wait_in_seconds=7200,\n",
        '    checkpoint_s3_uri="s3://b/checkpoints",\n',
    ):
        assert line in source


def test_a_member_beside_a_keyword_stays_in_extra_arguments() -> None:
    # OutputDataConfig.CompressionType has no keyword: output_path= writes S3OutputPath,
    # the escape hatch adds the rest.
    definition = training_definition(
        OutputDataConfig={"S3OutputPath": "s3://b/out", "CompressionType": "NONE"}
    )
    source = assert_round_trips(definition)
    assert '    output_path="s3://b/out",\n' in source
    assert 'extra_arguments={"OutputDataConfig": {"CompressionType": "NONE"}},' in source


def test_sdk_network_kms_and_transform_options_are_keywords() -> None:
    source = _sdk_generated("sdk-pytorch-training-options.json")
    for keyword in ("network=NetworkConfig(", "volume_kms_key=", "output_kms_key="):
        assert keyword in source
    source = _sdk_generated("sdk-transform-options.json")
    for keyword in ("input_filter=", "s3_data_type=", "volume_kms_key=", "output_kms_key="):
        assert keyword in source


def test_processing_code_input_is_code_from_s3_and_its_entry_point_left_out() -> None:
    source = _sdk_generated("sdk-abalone.json")
    step = _step_source(source, "abalone_process")
    assert "    code=Code.from_s3(" in step
    assert "/preprocessing.py" in step
    assert "entrypoint=" not in step
    assert 'input_name="code"' not in step


def test_processing_code_run_by_another_command_keeps_its_entrypoint() -> None:
    source = _sdk_generated("sdk-spark-processors.json")
    step = _step_source(source, "spark_jar")
    assert 'code=Code.from_s3("s3://my-bucket/jars/app.jar"),' in step
    assert '        "smspark-submit",\n' in step


def test_processing_code_at_another_path_stays_an_input() -> None:
    # The SDK example stages its code at /opt/ml/processing/code: not where code= puts it.
    path = SDK_EXAMPLES / "process-train-evaluate-condition-register-fail.json"
    if not path.exists():
        pytest.skip(f"reference data not available: {path}")
    source = assert_round_trips(json.loads(path.read_text()))
    assert "Code.from_s3" not in source
    assert 'input_name="code"' in source


def test_training_code_channel_is_code_from_s3_with_its_entry_point() -> None:
    source = assert_round_trips(_seed())
    step = _step_source(source, "train")
    assert (
        '    code=Code.from_s3("s3://my-bucket/code/train.tar.gz", entry_point="train.py"),\n'
        in (step)
    )
    assert "sagemaker_program" not in step
    assert '"code"' not in step


def test_the_file_mode_code_channel_of_a_pipe_job_is_code() -> None:
    # A Pipe job's code channel says "InputMode": "File" (its archive must be a file): it
    # is still the code= the language wrote.
    definition = _seed()
    train = next(step for step in definition["Steps"] if step["Type"] == "Training")
    train["Arguments"]["AlgorithmSpecification"]["TrainingInputMode"] = "Pipe"
    train["Arguments"]["InputDataConfig"][-1]["InputMode"] = "File"
    source = assert_round_trips(definition)
    step = _step_source(source, "train")
    assert "    code=Code.from_s3(" in step
    assert 'input_mode="Pipe"' in step
    assert '"code"' not in step


def test_sdk_script_mode_stays_hyperparameters() -> None:
    # The SDK names its code by JSON-quoted S3 URI, no code channel: no code= writes it.
    source = _sdk_generated("sdk-huggingface.json")
    assert '"sagemaker_program": \'"train.py"\',' in source
    assert "Code.from_s3" in source  # its processing steps' code inputs


def test_model_metrics_and_drift_check_baselines_are_keywords() -> None:
    from cdk_sagemaker_pipelines.definition import (
        DriftCheckBaselines,
        FileSource,
        MetadataProperties,
        MetricsSource,
        ModelMetrics,
        PipelineDefinition,
        RegisterModel,
    )

    register = RegisterModel(
        name="Register",
        model_package_group_name="models",
        image="img",
        model_data="s3://b/model.tar.gz",
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(s3_uri="s3://b/statistics.json"),
            bias_report=MetricsSource(s3_uri="s3://b/bias.json", content_type="text/plain"),
        ),
        drift_check_baselines=DriftCheckBaselines(
            model_constraints=MetricsSource(s3_uri="s3://b/constraints.json"),
            bias_config_file=FileSource(s3_uri="s3://b/bias-config.json"),
            explainability_config_file=FileSource(
                s3_uri="s3://b/shap.json", content_type="application/json"
            ),
        ),
        metadata_properties=MetadataProperties(commit_id="abc123", repository="repo"),
    )
    source = assert_round_trips(PipelineDefinition(steps=[register]).to_definition())
    assert "extra_arguments" not in source
    for text in (
        "    model_metrics=ModelMetrics(\n"
        '        model_statistics=MetricsSource(s3_uri="s3://b/statistics.json"),\n'
        "        bias_report=MetricsSource("
        's3_uri="s3://b/bias.json", content_type="text/plain"),\n',
        "    drift_check_baselines=DriftCheckBaselines(\n",
        'bias_config_file=FileSource(s3_uri="s3://b/bias-config.json"),',
        'content_type="application/json",',  # a FileSource's given content type
        '    metadata_properties=MetadataProperties(commit_id="abc123", repository="repo"),\n',
    ):
        assert text in source


def test_sdk_model_metrics_with_empty_groups_keep_those_in_extra_arguments() -> None:
    source = _sdk_generated("sdk-abalone.json")
    assert "    model_metrics=ModelMetrics(\n        model_statistics=MetricsSource(" in source
    assert '"ModelMetrics": {"Bias": {}, "Explainability": {}},' in source


def test_tuning_of_several_algorithms_is_training_job_definitions() -> None:
    source = _sdk_generated("multi-algorithm-tuning.json")
    step = _step_source(source, "tune_algorithms")
    assert "    training_job_definitions=[\n        TrainingJobDefinition(\n" in step
    assert '            name="custom",\n' in step
    assert '            name="xgboost",\n' in step
    assert '            objective_metric_name="validation:auc",\n' in step
    assert "extra_arguments" not in step


def test_a_job_of_an_algorithm_resource_is_a_raw_step_saying_why() -> None:
    # AlgorithmName (an AWS Marketplace or account algorithm) instead of TrainingImage: the
    # language's steps take an image; the comment names the job, in a tuning step too.
    algorithm = {"AlgorithmName": "my-algorithm", "TrainingInputMode": "File"}
    definition = training_definition()
    definition["Steps"][0]["Arguments"]["AlgorithmSpecification"] = algorithm
    why = why_raw(assert_round_trips(definition), "train")
    assert "Arguments.AlgorithmSpecification.AlgorithmName: " in why
    assert "the language's training and tuning steps take an image" in why

    tuning = json.loads((SDK_GENERATED / "multi-algorithm-tuning.json").read_text())
    [step] = [entry for entry in tuning["Steps"] if entry["Type"] == "Tuning"]
    step["Arguments"]["TrainingJobDefinitions"][1]["AlgorithmSpecification"] = algorithm
    why = why_raw(assert_round_trips(tuning), snake_name(step["Name"], "step"))
    assert "Arguments.TrainingJobDefinitions[1].AlgorithmSpecification.AlgorithmName: " in why


def test_tuning_settings_are_keywords() -> None:
    source = _sdk_generated("sdk-tuning-strategies.json")
    for keyword in (
        "warm_start=WarmStartConfig(",
        "strategy_config=HyperbandStrategyConfig(",
        "completion_criteria=TuningJobCompletionCriteria(",
        "random_seed=",
        "max_tuning_runtime_in_seconds=",
        "training_job_definitions=[",
    ):
        assert keyword in source


# --- line length ----------------------------------------------------------------------------


def test_line_length_lays_the_module_out_for_that_width(tmp_path: Path) -> None:
    definition = json.loads((SDK_GENERATED / "sdk-abalone.json").read_text())
    wide = convert_definition(definition, line_length=120)
    narrow = convert_definition(definition, line_length=60)
    assert wide != convert_definition(definition) != narrow
    for width, source in ((120, wide), (60, narrow)):
        namespace: dict[str, Any] = {}
        exec(compile(source, "converted.py", "exec"), namespace)
        compiled = namespace["definition"].to_definition(StaticBinder())
        assert differences(normalized(compiled), normalized(definition)) == {}
        # A line over the width is one item no layout can break (a name, a literal).
        code = source[source.index('"""\n', 3) + 4 :]
        for line in code.splitlines():
            if len(line) > width:
                assert not re.search(r"[(\[{][^)\]}]*, ", line), line
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    for width, source in ((120, wide), (60, narrow)):
        target = tmp_path / f"width_{width}.py"
        target.write_text(source)
        result = subprocess.run(
            [
                ruff,
                "format",
                "--check",
                "--diff",
                "--isolated",
                "--line-length",
                str(width),
                str(target),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("width", [39, 0, True, 88.0])
def test_fails_a_line_length_under_40_or_not_a_whole_number(width: Any) -> None:
    with pytest.raises(ValueError, match="line_length is a whole number from 40"):
        convert_definition(training_definition(), line_length=width)


# --- what the generated code may hold: literals, names and property paths ------------------

# Text a definition may carry that must stay text in the written code.
HOSTILE_TEXT = [
    'x" + __import__("os").getcwd() + "\'',
    "x' + __import__('os').getcwd() + '\"",
    '\\" + str(1) + \\"',
    "\"'\"'\\\n#",
    "\r\n\x00\t\x1b\u2028\udce9\U000e0001",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_a_string_literal_is_one_constant_whatever_its_text(text: str) -> None:
    tree = ast.parse(string(text).text, mode="eval")
    assert isinstance(tree.body, ast.Constant)
    assert tree.body.value == text


def test_hostile_text_round_trips_as_text_through_the_written_module() -> None:
    definition = training_definition()
    definition["Parameters"] = [
        {"Name": f"Text{index}", "Type": "String", "DefaultValue": text}
        for index, text in enumerate(HOSTILE_TEXT)
        if "\udce9" not in text  # JSON text has no lone surrogate
    ]
    definition["Steps"][0]["Description"] = HOSTILE_TEXT[0]
    definition["Steps"].append(
        {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": HOSTILE_TEXT[1]}}
    )
    source = assert_round_trips(definition)
    # Every __import__ of the text (two defaults, the description, the message) is inside
    # a string constant, none a name the code calls.
    assert source.count("__import__") == 4
    assert not any(
        isinstance(node, ast.Name) and node.id == "__import__"
        for node in ast.walk(ast.parse(source))
    )


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_a_number_json_has_no_literal_for_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="is not a JSON number"):
        literal(value)


def _reference(path: str) -> str:
    scope = _Scope(steps={"Train": "train"}, step_types={"Train": "Training"})
    return flat(scope.reference(path))


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (
            "Steps.Train.FinalMetricDataList[0].Value",
            "train.properties.FinalMetricDataList[0].Value",
        ),
        ("Steps.Train.Outputs['a'].Map['b']", 'train.properties.Outputs["a"].Map["b"]'),
        ("Steps.Train.Outputs['a\"b']", "train.properties.Outputs['a\"b']"),
        ('Steps.Train.Outputs["a\'b"]', 'train.properties.Outputs["a\'b"]'),
    ],
)
def test_a_property_path_is_written_member_by_member(path: str, code: str) -> None:
    assert _reference(path) == code


@pytest.mark.parametrize(
    "path",
    [
        "Steps.Train.__class__",  # no dunder reaches the code the check runs
        "Steps.Train._private",
        "Steps.Train.Name;import os",
        "Steps.Train.Name) or (x.Other",
        "Steps.Train.Name;x.Other",
        "Steps.Train.List[__import__('os')]",
        "Steps.Train.List[0 if x else 1]",
        "Steps.Train.Map['a'] + ['b']",
        "Steps.Train.Map[a]",
        "Steps.Train.Name ",
    ],
)
def test_a_property_path_of_anything_but_members_indexes_and_quoted_keys_is_refused(
    path: str,
) -> None:
    # The converter's own guard: validate_definition refuses these first, and the code
    # the converter runs must not depend on it.
    with pytest.raises(_UnconvertibleError, match="property path"):
        _reference(path)


def test_an_output_type_is_written_as_a_member_never_as_the_input_s_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # validate_definition refuses an unknown OutputType first; the code the converter runs
    # must not depend on it (the type was written as OutputType.<its text, upper case>).
    def lambda_definition(output_type: str) -> dict[str, Any]:
        outputs = [{"OutputName": "rows", "OutputType": output_type}]
        return {
            "Version": "2020-12-01",
            "Steps": [
                {
                    "Name": "Count",
                    "Type": "Lambda",
                    "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:count",
                    "OutputParameters": outputs,
                    "Arguments": {},
                }
            ],
        }

    assert "output_type=OutputType.INTEGER" in convert_definition(lambda_definition("Integer"))
    monkeypatch.setattr(convert_module, "validate_definition", lambda definition: [])
    with pytest.raises(ConversionError) as raised:
        convert_definition(lambda_definition("Integer; import os"))
    assert "output type 'Integer; import os'" in str(raised.value)


def test_json_equality_never_takes_a_boolean_for_a_number() -> None:
    assert not same(True, 1)
    assert not same(0, False)
    assert not same({"a": [1]}, {"a": [True]})
    assert same({"a": [2, "x"]}, {"a": [2.0, "x"]})
    assert (
        definition_difference(
            {"Steps": [{"Name": "A", "X": True}]}, {"Steps": [{"Name": "A", "X": 1}]}
        )
        == "Steps.A.X"
    )


def test_variable_names_avoid_soft_keywords_and_the_module_s_own_names() -> None:
    definition = training_definition()
    step = definition["Steps"][0]
    definition["Steps"] = [{**step, "Name": name} for name in ("match", "definition", "json")]
    source = assert_round_trips(definition)
    assert '\nmatch_step = TrainingStep(\n    name="match",' in source
    assert '\ndefinition_2 = TrainingStep(\n    name="definition",' in source
    assert '\njson_2 = TrainingStep(\n    name="json",' in source
    assert source.count("\ndefinition = ") == 1


@pytest.mark.parametrize(
    ("name", "snake"),
    [("HTTPServer", "http_server"), ("XGBoostTrain", "xg_boost_train"), ("Café-Step", "caf_step")],
)
def test_snake_names_split_acronyms_and_keep_to_ascii(name: str, snake: str) -> None:
    assert snake_name(name, "step") == snake


def test_a_call_without_arguments_is_never_broken() -> None:
    call = Call("a_function_with_a_name_far_longer_than_any_line_should_ever_be_" * 2, [])
    assert layout(call) == flat(call)
    assert "\n" not in statement("value", call)


def test_an_import_line_of_exactly_the_width_stays_on_one_line() -> None:
    line = _imports({"ParameterString", "TrainingStep"}, 1000)
    assert _imports({"ParameterString", "TrainingStep"}, len(line)) == line
    assert _imports({"ParameterString", "TrainingStep"}, len(line) - 1).endswith(
        "    TrainingStep,\n)"
    )


def test_the_narrowest_line_length_is_40() -> None:
    source = convert_definition(training_definition(), line_length=40)
    assert 'train = TrainingStep(\n    name="Train",' in source


def test_a_definition_without_metadata_round_trips_one_with_metadata_is_refused() -> None:
    definition = training_definition()
    del definition["Metadata"]
    assert_round_trips(definition)
    definition["Metadata"] = {"Owner": "team"}
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)
    assert [(p.step, p.field) for p in raised.value.problems] == [(None, "Metadata")]


def test_a_step_is_written_after_the_steps_it_depends_on() -> None:
    # Each step ahead of the one it waits for (DependsOn) or reads (a property).
    definition = training_definition()
    definition["Steps"][:0] = [
        {
            "Name": "Done",
            "Type": "Fail",
            "Arguments": {"ErrorMessage": "trained"},
            "DependsOn": ["Train"],
        },
        {
            "Name": "Report",
            "Type": "Fail",
            "Arguments": {
                "ErrorMessage": {
                    "Std:Join": {
                        "On": "",
                        "Values": ["job ", {"Get": "Steps.Train.TrainingJobName"}],
                    }
                }
            },
        },
    ]
    source = assert_round_trips(definition)
    assert source.index("\ntrain = TrainingStep(") < source.index("\ndone = FailStep(")
    assert source.index("\ntrain = TrainingStep(") < source.index("\nreport = FailStep(")
    # A Join without a separator is written without on=, as a person writes it.
    assert 'error_message=Join(values=["job ", train.properties.TrainingJobName]),' in source


def test_retry_policy_defaults_are_left_out_and_others_written() -> None:
    definition = training_definition()
    definition["Steps"][0]["RetryPolicies"] = [
        {"ExceptionType": ["Step.SERVICE_FAULT"], "IntervalSeconds": 1, "BackoffRate": 2.0},
        {
            "ExceptionType": ["Step.THROTTLING"],
            "IntervalSeconds": 2,
            "BackoffRate": 2.0,
            "MaxAttempts": 3,
        },
    ]
    source = assert_round_trips(definition)
    assert "StepRetryPolicy(exception_types=[StepExceptionType.SERVICE_FAULT])," in source
    assert (
        "        StepRetryPolicy(\n"
        "            exception_types=[StepExceptionType.THROTTLING],\n"
        "            interval_seconds=2,\n"
        "            max_attempts=3,\n"
        "        ),\n"
    ) in source
    assert "interval_seconds=1" not in source
    assert "backoff_rate" not in source


def test_a_retry_policy_without_interval_or_backoff_gets_their_documented_defaults() -> None:
    # A hand-written policy may leave both out (the service's defaults: 1 s and 2.0); the
    # language writes them, so its definition has them where the input doesn't.
    definition = training_definition()
    definition["Steps"][0]["RetryPolicies"] = [
        {"ExceptionType": ["Step.SERVICE_FAULT"], "MaxAttempts": 3},
        {"ExceptionType": ["Step.THROTTLING"], "BackoffRate": 3.0},
    ]
    source, compiled = round_trip(definition)
    assert "max_attempts=3" in source
    assert "backoff_rate=3.0" in source
    assert "interval_seconds" not in source
    assert compiled["Steps"][0]["RetryPolicies"] == [
        {
            "ExceptionType": ["Step.SERVICE_FAULT"],
            "IntervalSeconds": 1,
            "BackoffRate": 2.0,
            "MaxAttempts": 3,
        },
        {"ExceptionType": ["Step.THROTTLING"], "IntervalSeconds": 1, "BackoffRate": 3.0},
    ]
    assert definition_difference(compiled, definition) is None
    # Another value than the default is a difference still.
    definition["Steps"][0]["RetryPolicies"][0]["IntervalSeconds"] = 5
    assert definition_difference(compiled, definition) is not None


def test_tuning_range_bounds_keep_the_text_the_api_has() -> None:
    from cdk_sagemaker_pipelines.definition import (
        ContinuousParameter,
        IntegerParameter,
        PipelineDefinition,
        TuningStep,
    )

    tune = TuningStep(
        name="Tune",
        image="img",
        role=ROLE,
        objective_metric_name="validation:auc",
        hyperparameter_ranges={
            "eta": ContinuousParameter(min_value=1.0, max_value=2.5),
            "depth": IntegerParameter(min_value=1, max_value=10),
        },
        max_jobs=2,
    )
    definition = PipelineDefinition(steps=[tune]).to_definition(
        StaticBinder(default_bucket="my-bucket")
    )
    source = assert_round_trips(definition)
    assert '"eta": ContinuousParameter(min_value=1.0, max_value=2.5),' in source
    assert '"depth": IntegerParameter(min_value=1, max_value=10),' in source


def test_a_value_only_the_binder_could_give_is_a_problem_naming_step_and_field() -> None:
    definition = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [
            {
                "Name": "Make",
                "Type": "Model",
                "Arguments": {"PrimaryContainer": {"Image": "img", "Environment": {}}},
            }
        ],
    }
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)
    assert ("Make", "Arguments.ExecutionRoleArn") in {
        (p.step, p.field) for p in raised.value.problems
    }
    assert "step 'Make' field 'Arguments.ExecutionRoleArn': no job role" in str(raised.value)
    # Its two findings (no role to bind; a member ModelStep always writes) are one problem.
    [problem] = raised.value.problems
    assert problem.message == (
        "no job role; ModelStep always writes this member (from role=), and the definition has none"
    )


# The last check, proved by a fault: were a step's code wrong where its own check can't see
# (the check skipped here), the module's check still refuses it, naming step and field.
def test_the_module_check_refuses_code_that_compiles_to_another_definition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(convert_module, "_check_step", lambda converter, plan, step: False)
    lift = convert_module._Writer.lift

    def wrong_lift(self: Any, name: str, value: Any, **options: Any) -> None:
        lift(self, name, 7200 if name == "max_runtime_in_seconds" else value, **options)

    monkeypatch.setattr(convert_module._Writer, "lift", wrong_lift)
    with pytest.raises(ConversionError) as raised:
        convert_definition(training_definition())
    [problem] = raised.value.problems
    assert (problem.step, problem.field) == (
        "Train",
        "Arguments.StoppingCondition.MaxRuntimeInSeconds",
    )
    assert "compiles to another value" in problem.message


def test_code_the_language_refuses_outside_a_step_is_a_conversion_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parameter = convert_module._Converter.parameter

    def wrong_parameter(self: Any, entry: Any) -> str:
        return parameter(self, entry).replace("default_value=5", 'default_value="five"')

    monkeypatch.setattr(convert_module._Converter, "parameter", wrong_parameter)
    definition = training_definition()
    definition["Parameters"] = [{"Name": "Epochs", "Type": "Integer", "DefaultValue": 5}]
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)
    [problem] = raised.value.problems
    assert problem.step is None
    assert "the language refuses the step: ParameterInteger 'Epochs'" in problem.message


def test_a_processing_input_writes_only_the_settings_that_differ_from_the_defaults() -> None:
    step = _step_source(assert_round_trips(_seed()), "preprocess")
    assert (
        "        ProcessingInput(\n"
        '            input_name="input",\n'
        "            source=input_data,\n"
        '            destination="/opt/ml/processing/input",\n'
        "        ),\n"
    ) in step
    source = _sdk_generated("sdk-processors-and-conditions.json")
    for setting in (
        's3_data_distribution_type="ShardedByS3Key",',
        's3_input_mode="Pipe",',
        's3_compression_type="Gzip",',
    ):
        assert setting in source
    assert "s3_data_type=" not in source


def test_a_member_a_job_step_always_writes_makes_it_raw_naming_field_and_keyword() -> None:
    definition = training_definition()
    del definition["Steps"][0]["Arguments"]["ResourceConfig"]["VolumeSizeInGB"]
    assert why_raw(assert_round_trips(definition), "train") == (
        "train is its entry, as no step class writes it: "
        "Arguments.ResourceConfig.VolumeSizeInGB: TrainingStep always writes this member "
        "(from volume_size_in_gb=), and the definition has none."
    )


def test_a_model_container_without_environment_runs_as_one_with_an_empty_one() -> None:
    # The language (as the SDK) always writes Environment; a hand-written or described
    # definition may leave it out, which means no variables.
    definition = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [
            {
                "Name": "Make",
                "Type": "Model",
                "Arguments": {"PrimaryContainer": {"Image": "img"}, "ExecutionRoleArn": ROLE},
            }
        ],
    }
    source, compiled = round_trip(definition)
    assert 'make = ModelStep(name="Make", image=IMAGE, role=ROLE)' in source
    assert compiled["Steps"][0]["Arguments"]["PrimaryContainer"]["Environment"] == {}
    assert definition_difference(compiled, definition) is None


def test_a_registered_container_without_environment_converts_to_keywords() -> None:
    # The SDK's RegisterModel (the SageMaker Projects abalone template) writes no
    # Environment in the version's container, the language writes {}: the same version.
    # The container must convert to image= and model_data=, not to an extra_arguments
    # Containers list that would override a later edit of model_data=.
    definition = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {
                    "ModelPackageGroupName": "abalone",
                    "InferenceSpecification": {
                        "Containers": [{"Image": "img", "ModelDataUrl": "s3://b/model.tar.gz"}],
                        "SupportedContentTypes": ["text/csv"],
                        "SupportedResponseMIMETypes": ["text/csv"],
                    },
                    "ModelApprovalStatus": "PendingManualApproval",
                },
            }
        ],
    }
    source, compiled = round_trip(definition)
    assert "extra_arguments" not in source
    assert '    model_data="s3://b/model.tar.gz",\n' in source
    container = compiled["Steps"][0]["Arguments"]["InferenceSpecification"]["Containers"][0]
    assert container["Environment"] == {}
    assert definition_difference(compiled, definition) is None


def test_a_model_of_a_registered_version_converts_to_model_package_name() -> None:
    # CreateModel's ModelPackageName: the version's containers are the model's, so the
    # step has no image to write; without Environment it gets none, as the language writes.
    version = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"
    definition = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [{"Name": "ModelPackageArn", "Type": "String"}],
        "Steps": [
            {
                "Name": "FromParameter",
                "Type": "Model",
                "Arguments": {
                    "PrimaryContainer": {
                        "ModelPackageName": {"Get": "Parameters.ModelPackageArn"},
                        "Environment": {"LOG_LEVEL": "debug"},
                    },
                    "ExecutionRoleArn": ROLE,
                },
            },
            {
                "Name": "FromLiteral",
                "Type": "Model",
                "Arguments": {
                    "PrimaryContainer": {"ModelPackageName": version},
                    "ExecutionRoleArn": ROLE,
                },
            },
        ],
    }
    source, compiled = round_trip(definition)
    assert (
        "from_parameter = ModelStep(\n"
        '    name="FromParameter",\n'
        "    model_package_name=model_package_arn,\n"
        '    environment={"LOG_LEVEL": "debug"},\n'
        "    role=ROLE,\n"
        ")\n"
    ) in source
    assert f'    model_package_name="{version}",\n    role=ROLE,\n)\n' in source
    assert "extra_arguments" not in source
    steps = {step["Name"]: step for step in compiled["Steps"]}
    assert "Environment" not in steps["FromLiteral"]["Arguments"]["PrimaryContainer"]
    assert definition_difference(compiled, definition) is None


def test_a_keyword_that_renders_otherwise_is_left_out_its_member_in_extra_arguments() -> None:
    # arguments= writes the SDK's JsonGet container arguments otherwise: the step's code
    # holds them once, in extra_arguments, not also as a keyword the escape hatch overrides.
    step = _step_source(_sdk_generated("sdk-function-steps.json"), "report")
    assert '        "AppSpecification": {\n            "ContainerArguments": [\n' in step
    assert "\n    arguments=" not in step


def _automl_and_checks() -> Any:
    """The language's AutoML and check steps, with what their keywords take."""
    from cdk_sagemaker_pipelines.definition import (
        AutoMLInput,
        AutoMLStep,
        ClarifyCheckStep,
        Code,
        DataQualityCheckConfig,
        DatasetFormat,
        ModelExplainabilityCheckConfig,
        ModelQualityCheckConfig,
        NetworkConfig,
        ParameterString,
        PipelineDefinition,
        QualityCheckStep,
    )

    data = ParameterString(name="Data", default_value="s3://b/train/")
    automl = AutoMLStep(
        name="AutoML",
        inputs=[
            AutoMLInput(inputs=data, channel_type="training", content_type="text/csv"),
            AutoMLInput(inputs="s3://b/validation/", channel_type="validation"),
        ],
        target_attribute_name="label",
        compression_type="Gzip",
        problem_type="Regression",
        job_objective="MSE",
        max_candidates=5,
        max_runtime_per_training_job_in_seconds=600,
        validation_fraction=0.2,
        feature_specification_s3_uri="s3://b/features.json",
        output_path="s3://b/automl",
        volume_kms_key="alias/volume",
        network=NetworkConfig(
            subnets=["subnet-1"],
            security_group_ids=["sg-1"],
            enable_inter_container_traffic_encryption=True,
        ),
        role=ROLE,
    )
    model = automl.best_model("BestModel", role=ROLE)
    quality = QualityCheckStep(
        name="ModelQuality",
        image="123.dkr.ecr.us-east-1.amazonaws.com/monitor",
        role=ROLE,
        quality_check_config=ModelQualityCheckConfig(
            baseline_dataset=automl.properties.OutputDataConfig.S3OutputPath,
            dataset_format=DatasetFormat.json(lines=False),
            problem_type="Regression",
            inference_attribute=0,
            ground_truth_attribute="label",
            output_s3_uri="s3://b/mq",
            post_analytics_processor_script=Code.from_s3("s3://b/code/post.py"),
        ),
        environment={"LOG_LEVEL": "debug"},
    )
    data_quality = QualityCheckStep(
        name="DataQuality",
        image="123.dkr.ecr.us-east-1.amazonaws.com/monitor",
        role=ROLE,
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://b/data/",
            dataset_format=DatasetFormat.parquet(),
            output_s3_uri="s3://b/dq",
        ),
        skip_check=True,
    )
    explain = ClarifyCheckStep(
        name="Explain",
        image="123.dkr.ecr.us-east-1.amazonaws.com/clarify",
        role=ROLE,
        clarify_check_config=ModelExplainabilityCheckConfig(
            dataset="s3://b/data/",
            analysis_config="s3://b/explain/analysis_config.json",
            model_name=model.properties.ModelName,
            output_s3_uri="s3://b/explain",
            s3_data_distribution_type="ShardedByS3Key",
            s3_compression_type="Gzip",
            s3_upload_mode="Continuous",
        ),
        fail_on_violation=False,
    )
    return PipelineDefinition(
        parameters=[data], steps=[automl, model, quality, data_quality, explain]
    )


def test_automl_and_check_steps_are_written_with_their_keywords() -> None:
    source = assert_round_trips(_automl_and_checks().to_definition(StaticBinder()))
    assert "extra_arguments" not in source
    for text in (
        'AutoMLInput(inputs=data, channel_type="training", content_type="text/csv"),',
        'AutoMLInput(inputs="s3://b/validation/", channel_type="validation")',
        'target_attribute_name="label",\n    compression_type="Gzip",',
        'job_objective="MSE",',
        "validation_fraction=0.2,",
        "enable_inter_container_traffic_encryption=True,",
        "quality_check_config=ModelQualityCheckConfig(",
        "baseline_dataset=auto_ml.properties.OutputDataConfig.S3OutputPath,",
        "dataset_format=DatasetFormat.json(lines=False),",
        'inference_attribute="0",',
        'post_analytics_processor_script=Code.from_s3("s3://b/code/post.py"),',
        'environment={"LOG_LEVEL": "debug"},',
        "dataset_format=DatasetFormat.parquet(),",
        "skip_check=True,",
        "clarify_check_config=ModelExplainabilityCheckConfig(",
        "model_name=best_model.properties.ModelName,",
        's3_data_distribution_type="ShardedByS3Key",',
        's3_upload_mode="Continuous",',
        "fail_on_violation=False,",
    ):
        assert text in source, text
    # Defaults are left out, as a person leaves them out.
    assert 'mode="ENSEMBLING"' not in source
    assert "instance_count=1" not in source


def test_sdk_check_and_automl_steps_are_written_with_their_keywords() -> None:
    checks = convert_definition(json.loads((SDK_GENERATED / "check-step-configs.json").read_text()))
    assert "extra_arguments" not in checks
    for text in (
        'dataset_format=DatasetFormat.csv(header=False, output_columns_position="END"),',
        "probability_threshold_attribute=0.5,",
        'record_preprocessor_script=Code.from_s3(\n            "s3://my-ml-bucket/code/',
        "clarify_check_config=ModelBiasCheckConfig(",
        'model_name="churn-model",',
        "skip_check=skip_check,",
        'supplied_baseline_statistics="s3://my-ml-bucket/stats.json",',
    ):
        assert text in checks, text
    # The SDK's nulls (unset settings) are no keywords.
    assert "None" not in checks
    automl = convert_definition(
        json.loads((SDK_GENERATED / "sdk-automl-and-batch-monitoring.json").read_text())
    )
    assert (
        'inputs=AutoMLInput(inputs="s3://my-bucket/train.csv", channel_type="training"),\n'
        '    target_attribute_name="label",\n    problem_type="BinaryClassification",\n'
        '    job_objective="F1",'
    ) in automl


def _sdk_step(file: str, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    definition = json.loads((SDK_GENERATED / file).read_text())
    (step,) = [step for step in definition["Steps"] if step["Name"] == name]
    return definition, step


def test_fails_an_automl_channel_without_its_target_naming_step_and_field() -> None:
    definition, step = _sdk_step("sdk-automl-and-batch-monitoring.json", "AutoML")
    del step["Arguments"]["InputDataConfig"][0]["TargetAttributeName"]
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)
    [problem] = raised.value.problems
    assert (problem.step, problem.field) == (
        "AutoML",
        "Arguments.InputDataConfig[0].TargetAttributeName",
    )
    # The validator finds it first: the API requires the member.
    assert "TargetAttributeName" in problem.message


@pytest.mark.parametrize(
    ("name", "variable", "value", "field"),
    [
        ("DataQualityCheck", "dataset_format", "csv", "Arguments.Environment['dataset_format']"),
        ("DataQualityCheck", "dataset_format", None, "Arguments.Environment['dataset_format']"),
        ("ModelQualityCheck", "problem_type", None, "Arguments.Environment['problem_type']"),
    ],
)
def test_a_quality_check_its_config_cant_be_read_from_is_raw_naming_the_field(
    name: str, variable: str, value: str | None, field: str
) -> None:
    definition, step = _sdk_step("check-step-configs.json", name)
    if value is None:
        del step["Arguments"]["Environment"][variable]
    else:
        step["Arguments"]["Environment"][variable] = value
    why = why_raw(assert_round_trips(definition), snake_name(name, "step"))
    assert f"as no step class writes it: {field}: " in why


def test_a_clarify_check_without_its_analysis_config_input_is_raw_naming_the_field() -> None:
    definition, step = _sdk_step("check-step-configs.json", "DataBiasCheck")
    step["Arguments"]["ProcessingInputs"][0]["InputName"] = "config"
    why = why_raw(assert_round_trips(definition), "data_bias_check")
    assert "as no step class writes it: Arguments.ProcessingInputs: " in why
    assert "'analysis_config'" in why


def test_a_subscript_whose_opening_line_is_too_long_breaks_in_earlier_brackets() -> None:
    # As ruff writes it: the last brackets unless the line up to them is too long.
    scope = _Scope(steps={"AutoML": "auto_ml"})
    node = scope.reference(
        "Steps.AutoML.BestCandidate.InferenceContainers[0].Environment['MODEL_NAME']"
    )
    assert layout(node, 1, 22, 1) == (
        "auto_ml.properties.BestCandidate.InferenceContainers[\n        0\n    ]"
        '.Environment["MODEL_NAME"]'
    )
    assert layout(node, 1, 8, 1) == (
        "auto_ml.properties.BestCandidate.InferenceContainers[0].Environment[\n"
        '        "MODEL_NAME"\n    ]'
    )


# --- --without-roles, and the title in the docstring -------------------------------------

SDK_ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"


def test_without_roles_leaves_out_the_sdk_role_and_proves_with_a_binder_giving_it() -> None:
    definition = json.loads((SDK_GENERATED / "sdk-abalone.json").read_text())
    source = convert_definition(definition, without_roles=True)
    assert "role=" not in source
    assert f"ROLE = {SDK_ROLE!r}".replace("'", '"') in source
    assert "binder = StaticBinder(role_arn=ROLE)" in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    pipeline = namespace["definition"]
    # The binder's role is what the jobs run as: the construct's step role in CDK.
    step_role = "arn:aws:iam::111122223333:role/StepRole"
    compiled = pipeline.to_definition(StaticBinder(role_arn=step_role))
    roles = {
        step["Name"]: step["Arguments"].get("RoleArn", step["Arguments"].get("ExecutionRoleArn"))
        for step in _all_steps(compiled)
        if step["Type"] in ("Processing", "Training", "Model")
    }
    assert roles
    assert set(roles.values()) == {step_role}
    assert (
        definition_difference(
            pipeline.to_definition(StaticBinder(role_arn=namespace["ROLE"])), definition
        )
        is None
    )


def test_without_roles_keeps_a_role_other_than_the_jobs_one() -> None:
    definition = json.loads((SDK_GENERATED / "sdk-abalone.json").read_text())
    other = "arn:aws:iam::111122223333:role/EvalRole"
    for step in definition["Steps"]:
        if step["Name"] == "AbaloneEval":
            step["Arguments"]["RoleArn"] = other
    source = convert_definition(definition, without_roles=True)
    assert source.count("role=") == 1
    assert 'ROLE_2 = "arn:aws:iam::111122223333:role/EvalRole"' in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    compiled = namespace["definition"].to_definition(StaticBinder(role_arn=SDK_ROLE))
    assert definition_difference(compiled, definition) is None


def test_without_roles_binds_the_automl_role_apart() -> None:
    definition = json.loads((SDK_GENERATED / "sdk-automl-and-batch-monitoring.json").read_text())
    automl_role = "arn:aws:iam::111122223333:role/AutoMLRole"
    for step in _all_steps(definition):
        if step["Type"] == "AutoML":
            step["Arguments"]["RoleArn"] = automl_role
    source = convert_definition(definition, without_roles=True)
    assert "role=" not in source
    assert "binder = StaticBinder(role_arn=ROLE, automl_role_arn=AUTOML_ROLE)" in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    binder = StaticBinder(role_arn=namespace["ROLE"], automl_role_arn=namespace["AUTOML_ROLE"])
    assert namespace["AUTOML_ROLE"] == automl_role
    compiled = namespace["definition"].to_definition(binder)
    assert definition_difference(compiled, definition) is None


def test_without_roles_changes_nothing_without_job_roles() -> None:
    definition = json.loads((SDK_GENERATED / "registration-metadata.json").read_text())
    # No job of it names a role: the module is the one written without the option.
    assert convert_definition(definition, without_roles=True) == convert_definition(definition)


def test_a_title_cannot_end_the_docstring() -> None:
    definition = json.loads((SDK_GENERATED / "sdk-abalone.json").read_text())
    title = 'x""" + str(__import__("sys").modules.setdefault("pwned", "yes")) + """\\\n.json'
    source = convert_definition(definition, title=title)
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=False)
    assert docstring is not None
    assert docstring.startswith(title)
    assert "pwned" not in sys.modules


def _all_steps(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Every step, those of condition branches included."""
    steps: list[dict[str, Any]] = []
    pending = list(definition["Steps"])
    while pending:
        step = pending.pop(0)
        steps.append(step)
        if step["Type"] == "Condition":
            pending += step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", [])
    return steps


def test_a_container_of_both_an_image_and_a_registered_version_keeps_both() -> None:
    # Not the language's model of a version (that has no image): the image stays a keyword,
    # the version an extra argument, and the definition round-trips.
    version = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"
    definition = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [
            {
                "Name": "Both",
                "Type": "Model",
                "Arguments": {
                    "PrimaryContainer": {
                        "Image": "img",
                        "ModelPackageName": version,
                        "Environment": {},
                    },
                    "ExecutionRoleArn": ROLE,
                },
            }
        ],
    }
    source = assert_round_trips(definition)
    step = _step_source(source, "both")
    assert "    image=IMAGE,\n" in step
    assert "model_package_name" not in step
