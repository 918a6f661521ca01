"""``smpipe convert --without-sdk-defaults``: a draft without the SageMaker SDK's defaults.

Each SDK-generated definition converts; compiled with the binder its docstring names, the
module differs from the SDK's JSON only at the documented SDK defaults, and it is no
longer (shorter where the SDK wrote defaults). Also the image constants' names, and
``disable_profiler=`` not written beside the ``ProfilerConfig`` of ``extra_arguments``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.convert import convert_definition
from cdk_sagemaker_pipelines.convert._convert import _image_name
from cdk_sagemaker_pipelines.definition import StaticBinder
from tests.conftest import SDK_EXAMPLES
from tests.convert.test_convert import CONVERTIBLE, SDK_GENERATED
from tests.definition.test_sdk_reference import differences

# The documented kinds (docs/language.md): where the draft may differ from the SDK's JSON.
_STEP = r"Steps\.[^.]+(?:\.Arguments\.(?:IfSteps|ElseSteps)\[\d+\])?"
ALLOWED = [
    re.compile(rf"^{_STEP}\.Arguments\.ProcessingOutputConfig\.Outputs\[\d+\]\.S3Output\.S3Uri\b"),
    re.compile(rf"^{_STEP}\.Arguments\.(OutputDataConfig|TransformOutput)\.S3OutputPath\b"),
    re.compile(rf"^{_STEP}\.Arguments\.(DebugHookConfig|ProfilerConfig)(\.\w+)?$"),
    re.compile(rf"^{_STEP}\.Arguments\.SkipModelValidation$"),
    re.compile(rf"^{_STEP}\.Arguments\.ModelMetrics(\.Bias|\.Explainability)?$"),
    re.compile(r"^PipelineExperimentConfig$"),
]


def _definitions() -> list[Any]:
    found = [pytest.param(SDK_GENERATED / name, id=name) for name in CONVERTIBLE]
    found += [pytest.param(p, id=p.name) for p in sorted(SDK_EXAMPLES.glob("*.json"))]
    return found


def _by_name(definition: dict[str, Any]) -> dict[str, Any]:
    """Steps keyed by name: compiling orders them so each follows what it reads."""
    result = dict(definition)
    result.setdefault("Metadata", {})
    steps = result.get("Steps") or []
    result["Steps"] = {entry["Name"]: entry for entry in steps}
    return result


def _compiled(source: str) -> dict[str, Any]:
    """The module compiled with the binder its docstring names."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<converted>", "exec"), namespace)
    bucket = re.search(r'StaticBinder\(default_bucket="([^"]+)"\)', source)
    binder = StaticBinder(default_bucket=bucket.group(1) if bucket else None)
    return json.loads(namespace["definition"].to_json(binder))  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", _definitions())
def test_the_draft_differs_only_at_the_sdk_defaults_and_is_no_longer(path: Path) -> None:
    definition = json.loads(path.read_text())
    exact = convert_definition(definition)
    source = convert_definition(definition, without_sdk_defaults=True)
    found = differences(_by_name(_compiled(source)), _by_name(definition))
    # A null check setting, a retry policy's defaults...: what the exact draft differs in too.
    found = {
        where: what
        for where, what in found.items()
        if where not in differences(_by_name(_compiled(exact)), _by_name(definition))
    }
    assert [w for w in found if not any(p.match(w) for p in ALLOWED)] == []
    assert len(source.splitlines()) <= len(exact.splitlines())
    if not found:  # nothing cut: the module is the one without the option
        assert source == exact


def _abalone() -> dict[str, Any]:
    return json.loads((SDK_GENERATED / "sdk-abalone.json").read_text())  # type: ignore[no-any-return]


def test_abalone_leaves_the_sdk_defaults_to_the_binder() -> None:
    source = convert_definition(_abalone(), without_sdk_defaults=True)
    body = source[source.index('"""\n\n') :]  # the docstring says what was left out
    for gone in (
        '"output",',  # the SDK's destination Joins
        "DebugHookConfig",
        "ProfilerConfig",
        "disable_profiler",  # the language's default (profiler off) applies
        "SkipModelValidation",
        "experiment_config",
        "ExecutionVariables",
    ):
        assert gone not in body, gone
    # What the SDK script set is kept: its model and transform output paths, empty no more.
    assert 'output_path="s3://my-bucket/AbaloneTrain"' in source
    assert 'output_path="s3://my-bucket/AbaloneTransform"' in source
    assert 'binder = StaticBinder(default_bucket="my-bucket")' in source
    assert "`smpipe convert --without-sdk-defaults`" in source
    compiled = _compiled(source)
    outputs = compiled["Steps"][0]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert all("my-bucket" in json.dumps(item["S3Output"]["S3Uri"]) for item in outputs)
    assert "PipelineExperimentConfig" not in compiled


def test_line_counts_shrink_for_sdk_pipelines() -> None:
    for name, at_most in (
        ("sdk-abalone.json", 230),
        ("sdk-huggingface.json", 255),
        ("sdk-distributed-estimators.json", 135),
    ):
        definition = json.loads((SDK_GENERATED / name).read_text())
        exact = len(convert_definition(definition).splitlines())
        lines = len(convert_definition(definition, without_sdk_defaults=True).splitlines())
        assert lines < exact, (name, exact, lines)
        assert lines <= at_most, (name, exact, lines)


def test_with_roles_left_out_too_the_binder_gives_both() -> None:
    source = convert_definition(_abalone(), without_roles=True, without_sdk_defaults=True)
    assert "`smpipe convert --without-roles --without-sdk-defaults`" in source
    assert 'binder = StaticBinder(role_arn=ROLE, default_bucket="my-bucket")' in source
    assert "role=ROLE" not in source


def test_a_configuration_other_than_the_sdks_default_is_kept() -> None:
    # A profiling interval: not the SDK's default ProfilerConfig.
    path = SDK_GENERATED / "sdk-pytorch-training-options.json"
    source = convert_definition(json.loads(path.read_text()), without_sdk_defaults=True)
    assert '"ProfilingIntervalInMilliseconds": 500' in source


def test_a_destination_outside_the_sdks_layout_is_kept() -> None:
    definition = _abalone()
    output = definition["Steps"][0]["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]
    output["S3Output"]["S3Uri"]["Std:Join"]["Values"][4] = "ElseWhere"
    source = convert_definition(definition, without_sdk_defaults=True)
    assert '"ElseWhere",' in source
    assert source.count("destination=Join(") == 1


def test_an_output_of_another_bucket_than_the_sdks_is_kept() -> None:
    # The SDK's processing destinations are in my-bucket; a training job's output at the
    # root of another bucket, or a destination in the SDK's layout of another bucket, is
    # the script's choice: the binder's one default_bucket would move it into my-bucket.
    definition = _abalone()
    train = definition["Steps"][1]["Arguments"]
    train["OutputDataConfig"]["S3OutputPath"] = "s3://other-bucket/"
    train["DebugHookConfig"] = {
        "S3OutputPath": "s3://other-bucket/",
        "CollectionConfigurations": [],
    }
    outputs = definition["Steps"][0]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    outputs[0]["S3Output"]["S3Uri"]["Std:Join"]["Values"][1] = "third-bucket"

    source = convert_definition(definition, without_sdk_defaults=True)

    assert 'output_path="s3://other-bucket/"' in source
    assert '"third-bucket",' in source
    assert 'binder = StaticBinder(default_bucket="my-bucket")' in source
    compiled = _compiled(source)
    assert compiled["Steps"][1]["Arguments"]["OutputDataConfig"]["S3OutputPath"] == (
        "s3://other-bucket/"
    )
    assert "third-bucket" in json.dumps(compiled["Steps"][0]["Arguments"])


def test_disable_profiler_is_not_written_beside_extra_arguments_that_write_it() -> None:
    source = convert_definition(_abalone())
    assert "disable_profiler" not in source
    assert '"DisableProfiler": False' in source  # extra_arguments write it, over the default


def test_image_constants_are_named_after_their_repository() -> None:
    source = convert_definition(_abalone())
    assert "SKLEARN_IMAGE = (" in source
    assert "XGBOOST_IMAGE = (" in source
    assert "image=XGBOOST_IMAGE," in source
    assert _image_name("763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1") == (
        "PYTORCH_TRAINING_IMAGE"
    )
    assert _image_name("my-registry.example.com/train:1") == "IMAGE"


def test_two_versions_of_one_repository_are_numbered() -> None:
    definition = _abalone()
    train = definition["Steps"][1]["Arguments"]["AlgorithmSpecification"]
    train["TrainingImage"] = train["TrainingImage"].replace("1.0-1", "1.2-1")
    source = convert_definition(definition)
    assert "XGBOOST_IMAGE = " in source
    assert "XGBOOST_IMAGE_2 = " in source


def test_the_cli_option(tmp_path: Path) -> None:
    out = tmp_path / "pipeline.py"
    path = SDK_GENERATED / "sdk-abalone.json"
    assert main(["convert", "--without-sdk-defaults", str(path), "-o", str(out)]) == 0
    assert out.read_text() == convert_definition(
        _abalone(),
        title="The pipeline of sdk-abalone.json, in the definition language.",
        without_sdk_defaults=True,
    )
