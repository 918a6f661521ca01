"""``convert_definition``: definition JSON → Python of the language → the same JSON again."""

from __future__ import annotations

import copy
import importlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.convert import ConversionError, convert_definition
from cdk_sagemaker_pipelines.convert._convert import snake_name
from cdk_sagemaker_pipelines.convert._layout import string
from cdk_sagemaker_pipelines.definition import StaticBinder
from tests.conftest import ROLE, SDK_EXAMPLES
from tests.definition.test_sdk_reference import EXAMPLES, differences

SDK_GENERATED = Path(__file__).resolve().parent.parent / "definition" / "sdk_generated"
# SDK definitions holding what smpipe convert doesn't write: the steps and fields it names.
UNCONVERTIBLE = {
    "check-step-configs.json": {("DataQualityCheck", "Type"), ("ModelBiasCheck", "Type")},
    "quality-and-clarify-checks.json": {("DataQualityCheck", "Type"), ("DataBiasCheck", "Type")},
    "sdk-automl-and-batch-monitoring.json": {("AutoML", "Type")},
    "sdk-registration-options.json": {
        ("RegisterUnversioned-RegisterModel", "Arguments.ModelPackageName")
    },
}
CONVERTIBLE = sorted(p.name for p in SDK_GENERATED.glob("*.json") if p.name not in UNCONVERTIBLE)


def normalized(definition: dict[str, Any]) -> dict[str, Any]:
    """What carries no meaning, made equal: the order of top-level steps, and two spellings.

    The deliberate differences of a round trip: compiling orders the top-level steps so each
    follows what it reads (any order runs the same); the SDK's
    ``"PipelineExperimentConfig": null`` is written as no member, as the language writes
    a pipeline without one; and a missing ``Metadata`` as the language's ``{}``.
    """
    result = copy.deepcopy(definition)
    if result.get("PipelineExperimentConfig", 0) is None:
        del result["PipelineExperimentConfig"]
    result.setdefault("Metadata", {})
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


@pytest.mark.parametrize("name", EXAMPLES)
def test_sdk_reference_examples_round_trip(name: str) -> None:
    path = SDK_EXAMPLES / f"{name}.json"
    if not path.exists():
        pytest.skip(f"reference data not available: {path}")
    assert_round_trips(json.loads(path.read_text()))


@pytest.mark.parametrize("name", CONVERTIBLE)
def test_sdk_generated_definitions_round_trip(name: str) -> None:
    assert_round_trips(json.loads((SDK_GENERATED / name).read_text()))


@pytest.mark.parametrize(("name", "expected"), sorted(UNCONVERTIBLE.items()))
def test_fails_sdk_definitions_the_language_cant_write_naming_step_and_field(
    name: str, expected: set[tuple[str, str]]
) -> None:
    with pytest.raises(ConversionError) as raised:
        convert_definition(json.loads((SDK_GENERATED / name).read_text()))
    found = {(problem.step, problem.field) for problem in raised.value.problems}
    assert expected <= found
    for step, field in expected:
        assert f"step '{step}' field '{field}'" in str(raised.value)


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
        )
    },
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
        RetryStrategy={"MaximumRetryAttempts": 2},
        Tags=[{"Key": "team", "Value": "ml"}],
        ResourceConfig={
            "InstanceCount": 1,
            "InstanceType": "ml.m5.large",
            "VolumeSizeInGB": 30,
            "KeepAlivePeriodInSeconds": 60,
        },
    )
    source = assert_round_trips(definition)
    assert "    extra_arguments={\n" in source
    assert '"RetryStrategy": {"MaximumRetryAttempts": 2},' in source
    assert '"ResourceConfig": {"KeepAlivePeriodInSeconds": 60},' in source
    assert "max_runtime_in_seconds=3600," in source
    assert "disable_profiler=False," in source  # the definition has no ProfilerConfig


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
    definition = training_definition()
    definition["Steps"].append(
        {"Name": "Deploy", "Type": "Endpoint", "Arguments": {"EndpointName": "e"}}
    )
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)
    assert [(p.step, p.field) for p in raised.value.problems] == [("Deploy", "Type")]
    assert "Endpoint: the language has no step of this type" in str(raised.value)


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
    # CheckpointConfig.LocalPath has no keyword: checkpoint_s3_uri= writes S3Uri, the
    # escape hatch adds the rest.
    definition = training_definition(
        CheckpointConfig={"S3Uri": "s3://b/checkpoints", "LocalPath": "/opt/ml/ckpt"}
    )
    source = assert_round_trips(definition)
    assert '    checkpoint_s3_uri="s3://b/checkpoints",\n' in source
    assert 'extra_arguments={"CheckpointConfig": {"LocalPath": "/opt/ml/ckpt"}},' in source


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
