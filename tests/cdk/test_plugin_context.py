"""How ``SageMakerPipelineChecks`` reads its validation context: once per synth, once per read."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from aws_cdk import aws_kms as kms
from jsii._kernel.providers import process

from cdk_sagemaker_pipelines.cdk.validation import _read, _stack_paths
from tests.cdk.conftest import new_stack

KEY_ARN = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_a_dynamic_proxys_attribute_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    imported = kms.Key.from_key_arn(new_stack(), "Imported", KEY_ARN)
    assert type(imported).__name__ == "InterfaceDynamicProxy"
    expected = imported.key_arn
    sends: list[Any] = []
    send = process._NodeProcess.send

    def counted(self: Any, request: Any, response_type: Any) -> Any:
        sends.append(request)
        return send(self, request, response_type)

    monkeypatch.setattr(process._NodeProcess, "send", counted)
    assert _read(imported, "key_arn") == expected
    assert len(sends) == 1  # jsii's own getattr reads it twice


class _App:
    """Stands for the app: the cache keeps it weakly."""


class _Context:
    """A validation context whose stacks can be read a given number of times only."""

    def __init__(self, app: object, stacks: dict[str, str], reads: int) -> None:
        self.app_construct = app
        self.template_paths = list(stacks)
        self._stacks = stacks
        self._reads = reads

    @property
    def stack_templates(self) -> list[SimpleNamespace]:
        assert self._reads > 0, "read the stacks again"
        self._reads -= 1
        return [
            SimpleNamespace(template_path=path, stack_construct_path=construct_path)
            for path, construct_path in self._stacks.items()
        ]


def _stack_paths_of(app: object, stacks: dict[str, str], reads: int) -> dict[str, str]:
    context: Any = _Context(app, stacks, reads)
    return _stack_paths(context, list(stacks))


def test_the_stacks_of_an_apps_synth_are_read_once() -> None:
    app = _App()
    stacks = {"/out/assembly-dev/Dev.template.json": "dev/MlOps"}
    assert _stack_paths_of(app, stacks, reads=1) == stacks
    # Another plugin of the same synth: the same templates, no read.
    assert _stack_paths_of(app, stacks, reads=0) == stacks
    # A template it doesn't know (another synth's outdir): read again.
    more = {**stacks, "/other/assembly-prod/Prod.template.json": "prod/MlOps"}
    assert _stack_paths_of(app, more, reads=1) == more
    # Another app: its own read.
    assert _stack_paths_of(_App(), stacks, reads=1) == stacks


def test_a_context_without_its_app_is_read_each_time() -> None:
    stacks = {"/out/assembly-dev/Dev.template.json": "dev/MlOps"}
    for _ in range(2):
        context = SimpleNamespace(
            template_paths=list(stacks),
            stack_templates=[
                SimpleNamespace(template_path=path, stack_construct_path=construct_path)
                for path, construct_path in stacks.items()
            ],
        )
        assert _stack_paths(context, list(stacks)) == stacks
