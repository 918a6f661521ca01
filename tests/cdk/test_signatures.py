"""``inspect.signature`` (help(), notebooks' and IDEs' call help) shows the constructs' props."""

from __future__ import annotations

import inspect

import pytest

import cdk_sagemaker_pipelines.cdk as constructs_module
from cdk_sagemaker_pipelines.cdk import Pipeline

CLASSES = [
    getattr(constructs_module, name)
    for name in constructs_module.__all__
    if inspect.isclass(getattr(constructs_module, name))
]


def test_every_public_class_is_checked():
    assert {cls.__name__ for cls in CLASSES} >= {"Pipeline", "ArtifactStore", "ModelRegistry"}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_a_constructs_signature_is_its_init_without_self(cls: type) -> None:
    # jsii's metaclass __call__(cls, *args, **kwargs) was what inspect showed for every one.
    shown = inspect.signature(cls)
    init = list(inspect.signature(cls.__init__).parameters.values())  # type: ignore[misc]
    assert list(shown.parameters.values()) == init[1:]
    kinds = {parameter.kind for parameter in shown.parameters.values()}
    assert inspect.Parameter.VAR_POSITIONAL not in kinds


def test_a_subclass_shows_its_own_init():
    class TeamPipeline(Pipeline):
        def __init__(self, scope: object, construct_id: str, *, team: str) -> None:
            raise NotImplementedError

    class SamePipeline(Pipeline):
        pass

    assert str(inspect.signature(TeamPipeline)) == (
        "(scope: 'object', construct_id: 'str', *, team: 'str') -> 'None'"
    )
    assert inspect.signature(SamePipeline) == inspect.signature(Pipeline)
    assert "definition" in inspect.signature(Pipeline).parameters
    assert TeamPipeline.__dict__.get("__signature__") is None  # inherited, computed per class
