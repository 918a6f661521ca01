"""Read a compiled definition's step entries (JSON, as the service takes it).

Every step, a Condition's branch steps included, and the steps each one uses. Shared by
the local runner (its step graph), the review tools (``smpipe graph``, ``smpipe diff``)
and ``smpipe validate``'s step count. Pure: no ``aws_cdk``, nothing of the runner.

Example::

    specs = {spec.name: spec for spec in walk_steps(definition["Steps"])}
    needs = {name: step_references(spec.entry) for name, spec in specs.items()}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

BRANCH_KEYS = ("IfSteps", "ElseSteps")


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


def walk_steps(
    entries: Any, condition: str | None = None, branch: bool | None = None
) -> Iterator[StepSpec]:
    """Every named step entry of ``entries`` (a ``Steps`` list), branch steps included.

    Each Condition step is followed by its branch steps (``condition`` names it;
    ``branch`` is True for ``IfSteps``, False for ``ElseSteps``). Entries that aren't
    objects with a ``Name`` are skipped: invalid, and reported so by validation;
    ``count_entries`` counts them.

    Example::

        [spec.name for spec in walk_steps(definition["Steps"])]  # ['Prep', 'Check', 'Fit', …]
    """
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("Name"), str):
            continue
        kind = str(entry.get("Type"))
        yield StepSpec(entry["Name"], kind, entry, condition, branch)
        if kind == "Condition":
            arguments = entry.get("Arguments")
            if not isinstance(arguments, Mapping):
                continue  # unreadable branches: invalid, and reported so by validation
            yield from walk_steps(arguments.get("IfSteps"), entry["Name"], True)
            yield from walk_steps(arguments.get("ElseSteps"), entry["Name"], False)


def step_references(entry: Mapping[str, Any]) -> set[str]:
    """Names of the steps an entry uses: ``Get Steps.X…``, ``JsonGet`` files, ``DependsOn``.

    A condition's branches are not its dependencies (they depend on it).

    Example::

        step_references({"Name": "Fit", "Type": "Training", "DependsOn": ["Check"],
                         "Arguments": {"InputDataConfig": [{"DataSource": {"S3DataSource": {
                             "S3Uri": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs["
                                              "'train'].S3Output.S3Uri"}}}}]}})
        # {'Check', 'Prep'}
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


def count_entries(entries: Any) -> int:
    """How many step entries ``entries`` holds, named or not, branch steps included.

    More than ``walk_steps`` yields when some entry has no name (or isn't an object).

    Example::

        count_entries([{"Name": "A"}, {"Type": "Fail"}])  # 2
    """
    if not isinstance(entries, list):
        return 0
    total = len(entries)
    for entry in entries:
        arguments = entry.get("Arguments") if isinstance(entry, Mapping) else None
        if isinstance(arguments, Mapping) and entry.get("Type") == "Condition":
            total += sum(count_entries(arguments.get(key)) for key in BRANCH_KEYS)
    return total
