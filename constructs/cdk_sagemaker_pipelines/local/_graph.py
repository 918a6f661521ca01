"""The step graph of a compiled definition: entries by name and their dependencies."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .scheduler import StepNode


@dataclass(frozen=True, slots=True)
class StepSpec:
    """A step's definition entry and where it sits (top level or a condition's branch).

    Example::

        spec = graph.steps["Train"]
        spec.entry["Arguments"]["HyperParameters"]
    """

    name: str
    step_type: str
    entry: Mapping[str, Any]
    condition: str | None = None
    branch: bool | None = None

    @property
    def display_name(self) -> str | None:
        """``DisplayName``, if set."""
        value = self.entry.get("DisplayName")
        return value if isinstance(value, str) else None

    @property
    def description(self) -> str | None:
        """``Description``, if set."""
        value = self.entry.get("Description")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class StepGraph:
    """Every step of a definition (branch steps flattened) and the scheduler's nodes.

    Example::

        graph = StepGraph.from_definition(definition)
        graph.nodes[0].dependencies
    """

    steps: Mapping[str, StepSpec]
    nodes: tuple[StepNode, ...]

    @staticmethod
    def from_definition(definition: Mapping[str, Any]) -> StepGraph:
        """Flatten the steps and collect their dependencies."""
        specs: dict[str, StepSpec] = {}
        for spec in _walk(definition.get("Steps") or [], None, None):
            specs[spec.name] = spec
        nodes = []
        for spec in specs.values():
            needed = {name for name in references(spec.entry) if name in specs}
            needed.discard(spec.name)
            nodes.append(
                StepNode(
                    name=spec.name,
                    step_type=spec.step_type,
                    dependencies=frozenset(needed),
                    condition=spec.condition,
                    branch=spec.branch,
                )
            )
        return StepGraph(specs, tuple(nodes))

    def upstream(self, name: str) -> set[str]:
        """Every step ``name`` needs, transitively (dependencies and conditions)."""
        by_name = {node.name: node for node in self.nodes}
        found: set[str] = set()
        stack = [name]
        while stack:
            node = by_name[stack.pop()]
            parents = set(node.dependencies)
            if node.condition is not None:
                parents.add(node.condition)
            for parent in parents - found:
                found.add(parent)
                stack.append(parent)
        return found


def _walk(entries: Any, condition: str | None, branch: bool | None) -> Iterator[StepSpec]:
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("Name"), str):
            continue
        kind = str(entry.get("Type"))
        yield StepSpec(entry["Name"], kind, entry, condition, branch)
        if kind == "Condition":
            arguments = entry.get("Arguments")
            if not isinstance(arguments, Mapping):
                continue  # unreadable branches: invalid, and reported so by validation
            yield from _walk(arguments.get("IfSteps"), entry["Name"], True)
            yield from _walk(arguments.get("ElseSteps"), entry["Name"], False)


def references(entry: Mapping[str, Any]) -> set[str]:
    """Names of the steps an entry uses: ``Get Steps.X…``, ``JsonGet`` files, ``DependsOn``.

    A condition's branches are not its dependencies (they depend on it).
    """
    depends_on = entry.get("DependsOn")
    listed = depends_on if isinstance(depends_on, list) else []
    found: set[str] = {item for item in listed if isinstance(item, str)}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            reference = value.get("Get") if len(value) == 1 else None
            if isinstance(reference, str):
                if reference.startswith("Steps."):
                    found.add(reference[len("Steps.") :].split(".")[0].split("[")[0])
                return
            for key, item in value.items():
                if entry.get("Type") == "Condition" and key in ("IfSteps", "ElseSteps"):
                    continue
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for key, value in entry.items():
        if key not in ("Name", "Type", "DependsOn"):
            walk(value)
    return found


def declared_output_uris(entry: Mapping[str, Any]) -> list[str]:
    """The literal S3 prefixes a step's entry says it writes (outputs of jobs)."""
    arguments = entry.get("Arguments")
    if not isinstance(arguments, Mapping):
        return []
    candidates: list[Any] = [
        (item.get("S3Output") or {}).get("S3Uri")
        for item in (arguments.get("ProcessingOutputConfig") or {}).get("Outputs") or []
        if isinstance(item, Mapping)
    ]
    candidates.append((arguments.get("OutputDataConfig") or {}).get("S3OutputPath"))
    candidates.append((arguments.get("TransformOutput") or {}).get("S3OutputPath"))
    return [uri for uri in candidates if isinstance(uri, str) and uri.startswith("s3://")]
