#!/usr/bin/env python
"""Write (or check) the typed step properties: ``definition/property_types.pyi``.

Type checkers and IDEs see ``train.properties`` as a ``TrainingStepProperties`` with the
members of ``DescribeTrainingJob``'s response, so they complete property paths and report a
misspelt one (``train.properties.ModelArtifact``) before the code runs. The stub is generated
from the same trees the run-time check walks (``properties.root_node``): botocore's
Describe* response shapes of ``ROOT_SHAPES`` (the Tuning merge included), the
``EXTRA_PROPERTIES``, the check steps' baselines (``CHECK_STEP_PROPERTIES``), a Condition
step's ``Outcome`` and a Lambda or Callback step's ``OutputParameters``; a Fail step has no
properties and keeps the plain ``Properties``. Never edit the stub by hand.

One class per structure shape reached, shared between step types, named after the shape with
``Properties`` appended (``ModelArtifactsProperties``): a member's name and its class's name
must differ, or a checker would read ``ModelArtifacts: ModelArtifacts`` as the member itself.
Recursive shapes need no cut: a class names the classes of its members. Lists are
``PropertyList[T]`` (indexed by position) or, of structures, ``PropertyKeyedList[T]`` (also
by name: ``Outputs["train"]``, as ``PropertyNode.index`` allows); maps are
``PropertyMap[T]``; leaves are ``PropertyString``, ``PropertyInteger``, ``PropertyFloat``,
``PropertyBoolean`` and ``PropertyTimestamp`` (``Properties`` whose ``value_type`` is known),
or ``Properties`` for a value of unknown type. Everything is sorted; the header names the
botocore version and model versions the stub comes from.

Usage::

    python scripts/generate_property_types.py           # rewrite the stub
    python scripts/generate_property_types.py --check   # exit 1 when the stub is stale
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import keyword
import sys
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cdk_sagemaker_pipelines.definition import properties as runtime
from cdk_sagemaker_pipelines.definition import steps
from cdk_sagemaker_pipelines.definition._service_model import service_model
from cdk_sagemaker_pipelines.definition.properties import PropertyNode

ROOT = Path(__file__).resolve().parent.parent
STUB_FILE = ROOT / "constructs" / "cdk_sagemaker_pipelines" / "definition" / "property_types.pyi"
COMMAND = "python scripts/generate_property_types.py"
LEAF_CLASSES: dict[str | None, str] = {
    "String": "PropertyString",
    "Integer": "PropertyInteger",
    "Float": "PropertyFloat",
    "Boolean": "PropertyBoolean",
    "Timestamp": "PropertyTimestamp",
    None: "Properties",
}
_LINE = 100  # ruff's line length
CONTAINER_CLASSES = ("PropertyKeyedList", "PropertyList", "PropertyMap")
# Names the runtime ``Properties`` has itself: a member so named would be shadowed.
_PROPERTIES_API = frozenset(name for name in dir(runtime.Properties) if not name.startswith("_"))

_PREAMBLE = '''\
from typing import Final, Generic, Literal, TypeVar

from .properties import Properties

_T_co = TypeVar("_T_co", bound=Properties, covariant=True)

class PropertyString(Properties):
    """A property whose value is a string."""

    @property
    def value_type(self) -> Literal["String"]: ...

class PropertyInteger(Properties):
    """A property whose value is an integer."""

    @property
    def value_type(self) -> Literal["Integer"]: ...

class PropertyFloat(Properties):
    """A property whose value is a float."""

    @property
    def value_type(self) -> Literal["Float"]: ...

class PropertyBoolean(Properties):
    """A property whose value is a boolean."""

    @property
    def value_type(self) -> Literal["Boolean"]: ...

class PropertyTimestamp(Properties):
    """A property whose value is a timestamp."""

    @property
    def value_type(self) -> Literal["Timestamp"]: ...

class PropertyList(Properties, Generic[_T_co]):
    """A list of values: index it by position, from 0 (``[0]``)."""

    def __getitem__(self, key: int, /) -> _T_co: ...

class PropertyKeyedList(Properties, Generic[_T_co]):
    """A list of structures: index it by position or by name (``Outputs["train"]``)."""

    def __getitem__(self, key: int | str, /) -> _T_co: ...

class PropertyMap(Properties, Generic[_T_co]):
    """A map: index it with a string key (``OutputParameters["rows"]``)."""

    def __getitem__(self, key: str, /) -> _T_co: ...
'''


@dataclass(frozen=True)
class StubClass:
    """A class of the stub: its name, docstring and members (name → type expression)."""

    name: str
    doc: tuple[str, ...]  # the summary line, then paragraphs
    members: Mapping[str, str]


def step_classes() -> dict[str, type[steps.Step]]:
    """The step classes users build, by name (each one's ``step_type`` is set)."""
    classes: dict[str, type[steps.Step]] = {}
    for name in sorted(steps.__all__):
        value = getattr(steps, name)
        if isinstance(value, type) and issubclass(value, steps.Step) and value.step_type:
            classes[name] = value
    return classes


def root_class_name(step_class_name: str) -> str:
    """``TrainingStep`` → ``TrainingStepProperties``: the type of its ``properties``."""
    return f"{step_class_name}Properties"


class _Builder:
    """Walks the property trees, one class per structure reached."""

    def __init__(self) -> None:
        self.classes: dict[str, StubClass] = {}
        self._origins: dict[str, tuple[str, str] | str] = {}

    def add_root(self, step_class_name: str, step_type: str, root: PropertyNode) -> None:
        shapes = runtime.ROOT_SHAPES.get(step_type)
        if shapes:
            listed = " and ".join(f"{service} ``{shape}``" for service, shape in shapes)
            detail = f"The members of botocore's {listed}."
        else:
            detail = "Members the step type defines: it describes no job."
        name = root_class_name(step_class_name)
        path = f"{step_class_name}.properties"
        self._structure(name, (f"``{path}``.", detail), root, origin=path, path=path)

    def _structure(
        self,
        name: str,
        doc: tuple[str, ...],
        node: PropertyNode,
        origin: tuple[str, str] | str,
        path: str,
    ) -> str:
        known = self._origins.get(name)
        if known is not None:
            if known != origin:
                raise SystemExit(f"two structures would be class {name}: {known} and {origin}")
            return name
        self._origins[name] = origin
        members: dict[str, str] = {}
        for member, target in node.members.items():
            if member.startswith("_") or keyword.iskeyword(member) or member in _PROPERTIES_API:
                raise SystemExit(f"{path}: member {member!r} can't be a Python attribute")
            context = f"{name.removesuffix('Properties')}{member}"
            members[member] = self._type(target, context, f"{path}.{member}")
        for alias, target_name in runtime.MEMBER_ALIASES.items():
            if target_name in members and alias not in members:
                members[alias] = members[target_name]
        self.classes[name] = StubClass(name, doc, dict(sorted(members.items())))
        return name

    def _type(self, target: tuple[str, str] | PropertyNode, context: str, path: str) -> str:
        """The type expression of a member, list item or map value."""
        origin: tuple[str, str] | str
        if isinstance(target, PropertyNode):
            node, origin = target, path
            # An extra structure is named after its step class and member
            # (AutoMLStepBestCandidateProperties).
            name = context if context.endswith("Properties") else f"{context}Properties"
            doc: tuple[str, ...] = (f"``{path}``.", "A member the step type adds of its own.")
        else:
            service, shape = target
            node, origin = runtime.shape_node(service, shape), target
            # Always the suffix: a shape's name may be a member's (the MetadataProperties
            # member is a MetadataProperties shape).
            name, context = f"{shape}Properties", shape
            doc = (f"botocore's {service} ``{shape}``.",)
        if node.kind == "structure":
            return self._structure(name, doc, node, origin, path)
        if node.kind in ("list", "map"):
            assert node.item is not None
            item = node.item
            item_node = item if isinstance(item, PropertyNode) else runtime.shape_node(*item)
            generic = "PropertyMap" if node.kind == "map" else "PropertyList"
            if node.kind == "list" and item_node.kind == "structure":
                generic = "PropertyKeyedList"  # PropertyNode.index: a name for a structure
            return f"{generic}[{self._type(item, f'{context}Item', f'{path}[]')}]"
        return LEAF_CLASSES[node.leaf_type]


def build() -> list[StubClass]:
    """Every class of the stub, sorted by name."""
    builder = _Builder()
    for class_name, step_class in step_classes().items():
        root = runtime.root_node(step_class.step_type, {})
        if root is not None:
            builder.add_root(class_name, step_class.step_type, root)
    reserved = {*LEAF_CLASSES.values(), *CONTAINER_CLASSES}
    member_names = {name for stub in builder.classes.values() for name in stub.members}
    for name in builder.classes:
        if name in reserved or name in member_names:
            raise SystemExit(f"class {name} would shadow a name the stub uses")
    return sorted(builder.classes.values(), key=lambda stub: stub.name)


def _model_versions() -> str:
    services = sorted({service for roots in runtime.ROOT_SHAPES.values() for service, _ in roots})
    return ", ".join(
        f"{service} {service_model(service)['metadata']['apiVersion']}" for service in services
    )


def render(classes: Iterable[StubClass]) -> str:
    """The stub's text."""
    botocore_version = importlib.metadata.version("botocore")
    header = (
        '"""Typed step properties, for type checkers and IDEs: a stub, not a module to import.\n'
        "\n"
        "``TrainingStep(...).properties`` is a ``TrainingStepProperties`` for a checker, so\n"
        "``train.properties.ModelArtifacts.S3ModelArtifacts`` completes in an IDE and a misspelt\n"
        "member is a type error. At run time every value is a ``Properties``: import names from\n"
        "here only under ``if TYPE_CHECKING:``.\n"
        "\n"
        f"Generated from botocore {botocore_version} ({_model_versions()}) by\n"
        f"``{COMMAND}``: do not edit.\n"
        '"""\n'
        "\n"
    )
    parts = [header, _PREAMBLE]
    for stub in classes:
        lines = [f"class {stub.name}(Properties):", *_docstring(stub.doc), ""]
        for member, kind in stub.members.items():
            line = f"    {member}: Final[{kind}]"
            # Wrapped as ruff format wraps it, so the stub passes `ruff format --check`.
            lines += (
                [line]
                if len(line) <= _LINE
                else [f"    {member}: Final[", f"        {kind}", "    ]"]
            )
        parts.append("\n" + "\n".join(lines) + "\n")
    return "".join(parts)


def _docstring(doc: tuple[str, ...]) -> list[str]:
    """A class's docstring lines: the summary, then paragraphs wrapped within the line length."""
    if len(doc) == 1:
        return [f'    """{doc[0]}"""']
    lines = [f'    """{doc[0]}']
    for paragraph in doc[1:]:
        lines.append("")
        width = _LINE - 4
        lines += [f"    {line}" for line in textwrap.wrap(paragraph, width, break_long_words=False)]
    return [*lines, '    """']


def generate() -> str:
    """The stub the installed botocore and the package's property trees give."""
    return render(build())


def stale(recorded: str, generated: str) -> str:
    """A unified diff of the committed stub and the generated one; empty when equal."""
    return "".join(
        difflib.unified_diff(
            recorded.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            "committed",
            "generated",
            n=1,
        )
    )


def failure_message(diff: str) -> str:
    """What a test or ``--check`` prints when the committed stub is stale."""
    return (
        f"{STUB_FILE.relative_to(ROOT)} differs from what botocore and the package's "
        f"property trees generate (- committed, + generated):\n{diff}\n"
        f"Regenerate it with `{COMMAND}` and commit it."
    )


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the stub is stale")
    parser.add_argument("--output", type=Path, default=STUB_FILE)
    options = parser.parse_args(None if argv is None else list(argv))
    text = generate()
    if options.check:
        recorded = options.output.read_text() if options.output.exists() else ""
        diff = stale(recorded, text)
        if diff:
            print(failure_message(diff), file=sys.stderr)
            return 1
        return 0
    options.output.write_text(text)
    print(f"wrote {options.output} ({text.count(chr(10))} lines, {len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
