"""docs/api-surface.txt records the public API; a change to it must be made on purpose.

This session must not start jsii, so it checks every module but ``cdk_sagemaker_pipelines.cdk``
(whose import starts jsii's Node process): tests/cdk/test_api_surface.py checks that one.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib.util
import re

import pytest

from tests.conftest import load_script

api = load_script("api_surface")


def test_the_public_api_is_the_recorded_one() -> None:
    diff = api.stale(
        api.surface(include_cdk=False),
        api.SURFACE_FILE.read_text(),
        only=lambda module: not api.is_cdk(module),
    )
    if diff:
        pytest.fail(api.failure_message(diff), pytrace=False)


def test_the_recorded_file_lists_the_cdk_modules_this_session_leaves_out() -> None:
    recorded = api.parse(api.SURFACE_FILE.read_text())
    assert api.CDK_MODULE in recorded
    assert "cdk.Pipeline = cdk.pipeline.Pipeline" in recorded[api.CDK_MODULE]
    assert not any(api.is_cdk(module) for module in api.public_modules(include_cdk=False))


def test_a_changed_default_shows_as_a_one_line_diff_with_the_command_to_regenerate() -> None:
    recorded = api.render(
        {"cdk_sagemaker_pipelines.x": ["x.f(a: int = 1) -> None", "x.g() -> int"]}
    )
    actual = {"cdk_sagemaker_pipelines.x": ["x.f(a: int = 2) -> None", "x.g() -> int"]}

    diff = api.stale(actual, recorded, only=lambda module: True)

    assert [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")
    ] == [
        "-x.f(a: int = 1) -> None",
        "+x.f(a: int = 2) -> None",
    ]
    assert "python scripts/api_surface.py" in api.failure_message(diff)
    assert api.stale(actual, api.render(actual), only=lambda module: True) == ""


def test_a_removed_module_is_a_difference() -> None:
    recorded = api.render(
        {"cdk_sagemaker_pipelines.x": ["x.A: class(object)"], "cdk_sagemaker_pipelines.y": []}
    )
    diff = api.stale(
        {"cdk_sagemaker_pipelines.x": ["x.A: class(object)"]}, recorded, lambda m: True
    )
    assert "-[cdk_sagemaker_pipelines.y]" in diff


class _Colour(enum.Enum):
    RED = "Red"


_SENTINEL = object()


def _every_kind(
    a: int,
    /,
    b: str = "x",
    *args: object,
    c: _Colour = _Colour.RED,
    d: object = _SENTINEL,
    **kw: int,
) -> None:
    """Parameters of every kind, an enum default and a default without a stable repr."""


def test_signatures_render_every_parameter_kind_and_no_memory_address() -> None:
    rendered = api.signature_text(_every_kind)
    assert rendered == (
        "(a: int, /, b: str = 'x', *args: object, c: _Colour = _Colour.RED, "
        "d: object = <object>, **kw: int) -> None"
    )
    assert not re.search(r"0x[0-9a-f]+", rendered)


@dataclasses.dataclass(frozen=True)
class _Fields:
    names: list[str] = dataclasses.field(default_factory=list)
    limit: int = 3


def test_dataclass_factories_are_not_shown_as_shared_defaults() -> None:
    assert api.signature_text(_Fields, _Fields) == (
        "(names: list[str] = <factory list>, limit: int = 3) -> None"
    )


@pytest.mark.parametrize(
    ("value", "lines"),
    [
        (frozenset({"b", "a"}), ["X = frozenset({'a', 'b'})"]),
        (re.compile(r"[a-z]+"), ["X = re.compile('[a-z]+')"]),
        (
            {f"key{i:02}": "v" * 10 for i in range(2)},
            ["X = {'key00': 'vvvvvvvvvv', 'key01': 'vvvvvvvvvv'}"],
        ),
        (object(), ["X: object"]),
    ],
)
def test_constants_show_plain_values_and_only_the_type_of_others(
    value: object, lines: list[str]
) -> None:
    assert api.constant_lines("X", value) == lines


def test_a_long_constant_is_one_element_a_line_sorted() -> None:
    value = {f"key{i:02}": "v" * 20 for i in (3, 1, 2, 0, 4)}
    assert api.constant_lines("X", value) == ["X: dict"] + [
        f"X['key{i:02}'] = '{'v' * 20}'" for i in range(5)
    ]


def test_a_module_without_all_shows_only_what_a_module_with_one_re_exports() -> None:
    # definition/validate.py has no __all__: its helpers (StepRecord, …) are its own, and
    # only the functions definition/__init__.py exports from it are the API.
    module = importlib.import_module("cdk_sagemaker_pipelines.definition.validate")
    assert not hasattr(module, "__all__")
    assert hasattr(module, "StepRecord")
    lines = api.surface(include_cdk=False)["cdk_sagemaker_pipelines.definition.validate"]
    assert "definition.validate.validate_definition(definition: Any) -> list[Problem]" in lines
    assert not any("StepRecord" in line for line in lines)
