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


def output_locations(step_type: str, arguments: Any) -> list[tuple[str, Any]]:
    """(field, value) of each S3 location a job's resolved ``Arguments`` publish outputs at.

    The runner checks them before the job starts, so a location that can't be a local path
    fails the step at once, not after the job ran (``StepStore.check``).

    Example::

        output_locations("Training", {"OutputDataConfig": {"S3OutputPath": "s3://b/m"}})
        # [("OutputDataConfig.S3OutputPath", "s3://b/m")]
    """
    if not isinstance(arguments, Mapping):
        return []
    found: list[tuple[str, Any]] = []
    if step_type == "Processing":
        for item in (arguments.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
            if isinstance(item, Mapping):
                field = f"output '{item.get('OutputName')}'"
                found.append((field, (item.get("S3Output") or {}).get("S3Uri")))
    elif step_type == "Training":
        found.append(
            (
                "OutputDataConfig.S3OutputPath",
                (arguments.get("OutputDataConfig") or {}).get("S3OutputPath"),
            )
        )
        checkpoint = (arguments.get("CheckpointConfig") or {}).get("S3Uri")
        if isinstance(checkpoint, str) and checkpoint.startswith("s3://"):
            found.append(("CheckpointConfig.S3Uri", checkpoint))
    elif step_type == "Tuning":
        single = arguments.get("TrainingJobDefinition")
        jobs = [("TrainingJobDefinition", single)] if isinstance(single, Mapping) else []
        jobs += [
            (f"TrainingJobDefinitions[{index}]", job)
            for index, job in enumerate(arguments.get("TrainingJobDefinitions") or [])
            if isinstance(job, Mapping)
        ]
        for where, job in jobs:
            path = (job.get("OutputDataConfig") or {}).get("S3OutputPath")
            found.append((f"{where}.OutputDataConfig.S3OutputPath", path))
    elif step_type == "Transform":
        path = (arguments.get("TransformOutput") or {}).get("S3OutputPath")
        found.append(("TransformOutput.S3OutputPath", path))
    return [(field, value) for field, value in found if value is not None and value != ""]
