"""The step graph of a compiled definition: entries by name and their dependencies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..definition.entries import StepSpec, step_references, walk_steps
from .scheduler import StepNode


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
        for spec in walk_steps(definition.get("Steps") or []):
            specs[spec.name] = spec
        nodes = []
        for spec in specs.values():
            needed = {name for name in step_references(spec.entry) if name in specs}
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
