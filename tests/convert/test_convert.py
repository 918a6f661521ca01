"""``convert_definition``: definition JSON → Python of the language → the same JSON again."""

from __future__ import annotations

import copy
import importlib
import json
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
    "multi-algorithm-tuning.json": {("TuneAlgorithms", "Arguments.TrainingJobDefinitions")},
    "sdk-tuning-strategies.json": {("TuneMulti", "Arguments.TrainingJobDefinitions")},
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
        EnableNetworkIsolation=True,
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
    assert '"EnableNetworkIsolation": True,' in source
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
