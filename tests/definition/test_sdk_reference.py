"""Our language reproduces the SageMaker SDK's golden definitions (../shared/reference)."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import validate_definition
from tests.conftest import load_sdk_example

EXAMPLES = [
    "process-train-evaluate-condition-register-fail",
    "lambda-callback-emr-tuning-model-transform-conditions",
    "training-int-parameter-hyperparameter-no-experiment",
]


def differences(ours: Any, theirs: Any, path: str = "") -> dict[str, str]:
    """Paths where two JSON values differ, with what differs."""
    found: dict[str, str] = {}
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            where = f"{path}.{key}" if path else key
            if key not in ours:
                found[where] = "missing in ours"
            elif key not in theirs:
                found[where] = "extra in ours"
            else:
                found.update(differences(ours[key], theirs[key], where))
    elif isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            found[path] = f"{len(ours)} items in ours, {len(theirs)} in theirs"
        for index, (left, right) in enumerate(zip(ours, theirs, strict=False)):
            found.update(differences(left, right, f"{path}[{index}]"))
    elif ours != theirs or type(ours) is not type(theirs):
        found[path] = f"ours {ours!r}, theirs {theirs!r}"
    return found


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden_definition_is_valid(name: str) -> None:
    assert validate_definition(load_sdk_example(name)) == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_language_matches_sdk_output(name: str) -> None:
    golden = load_sdk_example(name)
    module = importlib.import_module(f"examples.sdk_reference.{name.replace('-', '_')}")
    ours = module.build().to_definition()
    # Only the documented SDK-only defaults may differ.
    assert set(differences(ours, golden)) == set(module.DIFFERENCES)


def test_differences_detects_a_changed_value() -> None:
    assert differences({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == {"a[1].b": "ours 2, theirs 3"}


def test_to_json_is_compact_unless_indented() -> None:
    from examples.seed_pipeline import BINDER, pipeline

    compiled = pipeline.compile(BINDER)
    assert ", " not in compiled.to_json()[:200]
    assert json.loads(compiled.to_json()) == json.loads(compiled.to_json(indent=2))
