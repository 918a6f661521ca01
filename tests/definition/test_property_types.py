"""The typed property stub (``definition/property_types.pyi``) and the run-time property trees.

The stub is what a type checker and an IDE see of ``step.properties``; the run-time trees
(``properties.root_node``, walked by ``Properties``) are what the code checks when it runs.
These tests keep the committed stub equal to what ``scripts/generate_property_types.py``
generates, and check the stub against the run-time trees themselves: every member, index
and value type one allows, the other allows (so a bug in the generator can't hide either).
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.definition import properties as runtime
from cdk_sagemaker_pipelines.definition.properties import PathStepError, Properties, PropertyNode
from tests.conftest import load_script

generator = load_script("generate_property_types")


def test_the_committed_stub_is_the_generated_one() -> None:
    diff = generator.stale(generator.STUB_FILE.read_text(), generator.generate())
    if diff:
        pytest.fail(generator.failure_message(diff), pytrace=False)


def test_a_stale_stub_shows_the_diff_and_the_command_to_regenerate() -> None:
    generated = generator.generate()
    stale = generated.replace("    S3ModelArtifacts: Final[PropertyString]\n", "", 1)
    message = generator.failure_message(generator.stale(stale, generated))
    assert "+    S3ModelArtifacts: Final[PropertyString]" in message
    assert "python scripts/generate_property_types.py" in message


def test_the_stub_names_the_botocore_it_comes_from() -> None:
    from importlib.metadata import version

    header = generator.STUB_FILE.read_text().split('"""', 2)[1]
    assert f"botocore {version('botocore')} (emr " in header
    assert "python scripts/generate_property_types.py" in header


# The stub, read as the syntax tree a checker reads.


@dataclass(frozen=True)
class StubType:
    """A member's type in the stub: a class, or a container of one."""

    name: str  # a class of the stub, PropertyList, PropertyKeyedList or PropertyMap
    item: StubType | None = None


def _stub_type(node: ast.expr) -> StubType:
    if isinstance(node, ast.Name):
        return StubType(node.id)
    assert isinstance(node, ast.Subscript), ast.dump(node)
    assert isinstance(node.value, ast.Name)
    if node.value.id == "Final":
        return _stub_type(node.slice)
    return StubType(node.value.id, _stub_type(node.slice))


@dataclass
class Stub:
    """The stub's classes: members of the structures, value types of the leaves."""

    members: dict[str, dict[str, StubType]]
    leaf_types: dict[str, str]  # PropertyString → String

    @classmethod
    def read(cls) -> Stub:
        tree = ast.parse(generator.STUB_FILE.read_text())
        members: dict[str, dict[str, StubType]] = {}
        leaf_types: dict[str, str] = {}
        for statement in tree.body:
            if not isinstance(statement, ast.ClassDef):
                continue
            for item in statement.body:
                if isinstance(item, ast.FunctionDef) and item.name == "value_type":
                    assert item.returns is not None
                    literal = ast.literal_eval(item.returns.slice)  # type: ignore[attr-defined]
                    leaf_types[statement.name] = literal
            if statement.name in generator.CONTAINER_CLASSES or statement.name in leaf_types:
                continue
            members[statement.name] = {
                item.target.id: _stub_type(item.annotation)
                for item in statement.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
        return cls(members, leaf_types)


STUB = Stub.read()
STEP_CLASSES = generator.step_classes()


class _Step:
    """What ``Properties`` asks of its step: a name, and no declared keys."""

    name = "S"

    def declared_keys(self, path: str) -> None:
        return None


def _roots() -> Iterator[tuple[str, PropertyNode]]:
    for name, step_class in STEP_CLASSES.items():
        # Declared outputs of each type, as a Lambda or Callback step gives them.
        outputs = {f"out{kind}": kind for kind in ("String", "Integer", "Float", "Boolean")}
        root = runtime.root_node(step_class.step_type, outputs)
        if root is not None:
            yield name, root


def _check(stub: StubType, node: PropertyNode, path: str, seen: set[str]) -> None:
    """Assert the stub type allows what the run-time node allows, and only that."""
    if stub.name in STUB.leaf_types or stub.name == "Properties":
        assert node.kind == "leaf", f"{path}: the stub has a leaf, the run time a {node.kind}"
        if stub.name != "Properties":  # Properties: a value of unknown type
            assert node.leaf_type == STUB.leaf_types[stub.name], path
        return
    if stub.name in ("PropertyList", "PropertyKeyedList"):
        assert node.kind == "list", f"{path}: the stub has a list, the run time a {node.kind}"
        assert stub.item is not None
        _check(stub.item, node.index(0), f"{path}[0]", seen)
        if stub.name == "PropertyKeyedList":
            node.index("name")
        else:
            with pytest.raises(PathStepError, match="index it by position"):
                node.index("name")
        return
    if stub.name == "PropertyMap":
        assert node.kind == "map", f"{path}: the stub has a map, the run time a {node.kind}"
        assert stub.item is not None
        with pytest.raises(PathStepError, match="is a map"):
            node.index(0)
        keys = node.keys if node.keys is not None else ("key",)
        for key in keys:
            _check(stub.item, node.index(key), f"{path}[{key!r}]", seen)
        return
    assert node.kind == "structure", f"{path}: the stub has {stub.name}, the run time a {node.kind}"
    if stub.name in seen:
        return  # a shape's class is checked once (recursive shapes end here)
    seen.add(stub.name)
    members = STUB.members[stub.name]
    aliases = {a for a, target in runtime.MEMBER_ALIASES.items() if target in node.members}
    assert set(members) == set(node.members) | aliases, path
    for alias in aliases:
        # The run time reads the alias as its member: Properties, not PropertyNode, does it.
        target = runtime.MEMBER_ALIASES[alias]
        read = getattr(Properties(_Step(), node), alias)  # type: ignore[arg-type]
        assert read.path == target
        assert members[alias] == members[target]
    for name, member in members.items():
        if name not in aliases:
            _check(member, node.member(name), f"{path}.{name}", seen)


def test_every_stub_member_is_one_the_run_time_has_and_the_reverse() -> None:
    seen: set[str] = set()
    for name, root in _roots():
        _check(StubType(generator.root_class_name(name)), root, f"{name}.properties", seen)
    # Every class of the stub describes part of some step's properties.
    assert set(STUB.members) == seen


def test_the_tree_walk_reaches_deep_and_recursive_paths() -> None:
    seen: set[str] = set()
    for name, root in _roots():
        _check(StubType(generator.root_class_name(name)), root, name, seen)
    assert {
        "TrainingStepProperties",
        "TuningStepProperties",
        "HyperParameterTrainingJobSummaryProperties",  # BestTrainingJob, TrainingJobSummaries[k]
        "ProcessingOutputProperties",  # ProcessingOutputConfig.Outputs['name']
        "AutoMLContainerDefinitionProperties",  # BestCandidate.InferenceContainers[0]
        "AutoMLStepBestCandidateProperties",  # the SDK's extra member
        "StepStatusProperties",  # EMR's Step shape
        "LambdaStepProperties",
        "QualityCheckStepProperties",
    } <= seen
    assert len(seen) > 150


def test_a_drifted_stub_member_fails_the_check() -> None:
    stub = Stub.read()
    training = dict(stub.members["ModelArtifactsProperties"])
    training["S3ModelArtifact"] = training.pop("S3ModelArtifacts")
    drifted = {**stub.members, "ModelArtifactsProperties": training}
    root = runtime.root_node("Training", {})
    assert root is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(STUB, "members", drifted)
        with pytest.raises(AssertionError, match="ModelArtifacts"):
            _check(StubType("TrainingStepProperties"), root, "Train", set())


def test_every_step_class_with_properties_types_them_with_its_stub_class() -> None:
    # The override is seen by checkers only (under TYPE_CHECKING): read it from the source.
    for name, step_class in STEP_CLASSES.items():
        source = inspect.getsource(step_class)
        override = re.search(r"def properties\(self\) -> (\w+): \.\.\.", source)
        if runtime.root_node(step_class.step_type, {}) is None:
            assert override is None, name  # a Fail step: no properties, plain Properties
        else:
            assert override is not None, f"{name} doesn't type its properties for checkers"
            assert override.group(1) == generator.root_class_name(name)


def test_importing_the_definition_language_does_not_import_the_stub() -> None:
    # A stub has no module to import: the step modules name it under TYPE_CHECKING only.
    import cdk_sagemaker_pipelines.definition  # noqa: F401

    assert "cdk_sagemaker_pipelines.definition.property_types" not in sys.modules
    assert not (generator.STUB_FILE.with_suffix(".py")).exists()


def test_check_exits_1_on_a_stale_or_missing_stub_and_0_on_a_fresh_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stub = tmp_path / "property_types.pyi"
    assert generator.main(["--check", "--output", str(stub)]) == 1  # missing
    assert "Regenerate it with `python scripts/generate_property_types.py`" in (
        capsys.readouterr().err
    )
    assert generator.main(["--output", str(stub)]) == 0
    assert stub.read_text() == generator.generate()
    assert generator.main(["--check", "--output", str(stub)]) == 0
    stub.write_text(stub.read_text().replace("    S3ModelArtifacts: Final[PropertyString]\n", ""))
    capsys.readouterr()
    assert generator.main(["--check", "--output", str(stub)]) == 1
    assert "+    S3ModelArtifacts: Final[PropertyString]" in capsys.readouterr().err


def _leaf() -> PropertyNode:
    return PropertyNode(kind="leaf", leaf_type="String")


@pytest.mark.parametrize("member", ["_hidden", "class", "value_type"])
def test_a_member_no_attribute_can_name_stops_the_generator(member: str) -> None:
    node = PropertyNode(kind="structure", members={member: _leaf()})
    with pytest.raises(SystemExit, match=f"member '{member}' can't be a Python attribute"):
        generator._Builder()._structure("XProperties", ("X.",), node, origin="X", path="X")


def test_two_structures_of_one_class_name_stop_the_generator() -> None:
    builder = generator._Builder()
    node = PropertyNode(kind="structure", members={"Name": _leaf()})
    builder._structure("XProperties", ("X.",), node, origin="first", path="first")
    assert builder._structure("XProperties", ("X.",), node, origin="first", path="again") == (
        "XProperties"
    )
    with pytest.raises(SystemExit, match="two structures would be class XProperties"):
        builder._structure("XProperties", ("X.",), node, origin="second", path="second")


def test_an_alias_never_hides_a_member_of_its_own_name() -> None:
    builder = generator._Builder()
    members = {"Outputs": _leaf(), "OutputParameters": PropertyNode(kind="map", item=_leaf())}
    node = PropertyNode(kind="structure", members=members)
    builder._structure("XProperties", ("X.",), node, origin="X", path="X")
    assert builder.classes["XProperties"].members == {
        "OutputParameters": "PropertyMap[PropertyString]",
        "Outputs": "PropertyString",
    }


def test_a_class_named_as_a_member_stops_the_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStep:
        step_type = "Fake"

    root = PropertyNode(kind="structure", members={"FakeStepProperties": _leaf()})
    monkeypatch.setattr(generator, "step_classes", lambda: {"FakeStep": FakeStep})
    monkeypatch.setattr(runtime, "root_node", lambda step_type, outputs: root)
    with pytest.raises(SystemExit, match="class FakeStepProperties would shadow a name"):
        generator.build()


def test_a_long_docstring_paragraph_is_wrapped_within_the_line_length() -> None:
    lines = generator._docstring(("Summary.", "A member the step type adds of its own. " * 8))
    assert len(lines) > 4
    assert max(len(line) for line in lines) <= 100
    assert max(len(line) for line in lines) > 90
