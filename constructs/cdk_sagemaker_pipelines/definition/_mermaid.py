"""A Mermaid flowchart of a pipeline definition, for reviews (``smpipe graph``) and notebooks.

The review tools re-export it (``review.mermaid``); it lives with the language so that a
notebook's display of a ``PipelineDefinition`` needs nothing above ``definition/``.

``mermaid(definition)`` draws any definition dict (ours, the SDK's, a broken one) as a
top-down ``flowchart TD`` that GitHub renders in a ```` ```mermaid ```` block.

Nodes, one per step (branch steps of Condition steps included), in definition order; the
label is the step's name, its type and its ``DisplayName`` when that differs from the name:

- ``["…"]`` a rectangle: a step that runs a SageMaker job or API call (Processing,
  Training, Tuning, Transform, Model, RegisterModel, QualityCheck, ClarifyCheck, AutoML,
  and the deployment steps EndpointConfig, Endpoint and InferenceComponent, whose
  endpoint SageMaker hosts, …);
- ``{"…"}`` a rhombus: a Condition step;
- ``[["…"]]`` a box with side bars: a step whose work another service does (Lambda,
  Callback, EMR);
- ``(["…"])`` a stadium: a Fail step (where an execution ends);
- a dashed rectangle (class ``missing``): a step that is referenced but not in the
  definition (a dangling reference), so a broken definition still draws;
- with ``parameters=True``, ``[/"…"/]`` a parallelogram per parameter (name, type, default)
  in a ``Parameters`` subgraph, linked to the steps that use it.

Edges, sorted by the definition order of their ends:

- ``A --> B``: B uses a property or property file of A (``Get: Steps.A…``, ``JsonGet``);
- ``A -.-> B``: B lists A in ``DependsOn`` (only when B uses nothing of A);
- ``C -->|if| B``, ``C -->|else| B``: B is in the ``IfSteps``/``ElseSteps`` of C (one edge,
  even when B also uses C's outcome);
- ``P -.- B``: B uses parameter P (``parameters=True``).

Node ids are the step names with characters other than ``A-Za-z0-9_`` replaced by ``_``
(and ``_`` appended to words Mermaid reserves, such as ``end``); a name that comes out like
an earlier one gets ``_2``, ``_3``, …, so ids are stable and unique. Label text is escaped
with Mermaid's entity codes (``#quot;``, ``#35;``, …), so quotes, ``<``, ``#`` and the like
in names can't break the syntax.

Example::

    print(mermaid(pipeline.to_definition(binder)))
    # flowchart TD
    #     Train["Train<br/>Training"]
    #     Evaluate["Evaluate<br/>Processing"]
    #     Train --> Evaluate
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .entries import BRANCH_KEYS, walk_steps
from .permissions import get_references

_OTHER_SERVICES = frozenset({"Lambda", "Callback", "EMR"})
_SHAPES = {"Condition": ('{"', '"}'), "Fail": ('(["', '"])')}
_SERVICE_SHAPE = ('[["', '"]]')
_JOB_SHAPE = ('["', '"]')
_PARAMETER_SHAPE = ('[/"', '"/]')
# Words Mermaid's flowchart grammar reads as keywords when they stand alone as an id.
_RESERVED_IDS = frozenset(
    {
        "bt",
        "br",
        "call",
        "class",
        "classdef",
        "click",
        "default",
        "direction",
        "end",
        "flowchart",
        "graph",
        "href",
        "interpolate",
        "linkstyle",
        "lr",
        "rl",
        "style",
        "subgraph",
        "tb",
        "td",
        "v",
        "_blank",
        "_parent",
        "_self",
        "_top",
    }
)
# Characters that would end a quoted label or be read as markup or an entity.
_ENTITIES = {'"': "#quot;", "#": "#35;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "`": "#96;"}
_LABEL_LIMIT = 40
_INDENT = "    "

# Edge kinds, drawn in this order of preference when two steps are linked twice.
_BRANCH, _DATA, _DEPENDS_ON = 0, 1, 2
_ARROWS = {_DATA: "-->", _DEPENDS_ON: "-.->"}


@dataclass(frozen=True, slots=True)
class _Step:
    entry: Mapping[str, Any]
    condition: str | None  # the Condition step whose branch holds it
    branch: str | None  # "if" or "else"

    @property
    def name(self) -> str:
        return str(self.entry["Name"])

    @property
    def kind(self) -> str | None:
        kind = self.entry.get("Type")
        return kind if isinstance(kind, str) else None


def mermaid(definition: Mapping[str, Any], *, parameters: bool = False) -> str:
    """A Mermaid ``flowchart TD`` of ``definition``'s steps (see the module docstring).

    ``parameters`` adds the parameters and which steps use them. The text ends with a
    newline and is the same for the same definition, so it can be committed and diffed.

    Example::

        print(mermaid({"Version": "2020-12-01", "Steps": [
            {"Name": "Train", "Type": "Training", "Arguments": {}},
            {"Name": "Stop", "Type": "Fail", "DependsOn": ["Train"], "Arguments": {}},
        ]}))
        # flowchart TD
        #     Train["Train<br/>Training"]
        #     Stop(["Stop<br/>Fail"])
        #     Train -.-> Stop
    """
    if not isinstance(definition, Mapping):
        # A PipelineDefinition in a notebook: it needs a binder to become the JSON drawn.
        compile_first = (
            ": compile it first, mermaid(pipeline.to_definition(StaticBinder(region=…, "
            "role_arn=…, default_bucket=…)))"
            if callable(getattr(definition, "to_definition", None))
            else ""
        )
        raise TypeError(
            "mermaid: definition must be a pipeline definition as a mapping (the definition "
            f"JSON read with json.load), got {type(definition).__name__}{compile_first}"
        )
    if not isinstance(definition.get("Steps", []), list):
        raise ValueError(
            "mermaid: the definition's Steps must be a list of step entries, got "
            f"{type(definition['Steps']).__name__}"
        )
    return _Diagram(definition, parameters).render()


class _Diagram:
    """The nodes and edges of one definition, and their Mermaid text."""

    def __init__(self, definition: Mapping[str, Any], parameters: bool) -> None:
        self._taken: set[str] = set()
        self.steps = list(_steps(definition.get("Steps")))
        self.step_ids = [self._new_id(step.name) for step in self.steps]
        self.by_name: dict[str, str] = {}
        for step, node in zip(self.steps, self.step_ids, strict=True):
            self.by_name.setdefault(step.name, node)
        self.missing: dict[str, str] = {}  # referenced, not defined: name -> id
        self.edges: dict[tuple[str, str], set[tuple[int, str]]] = {}
        uses: dict[str, list[str]] = {}  # parameter name -> ids of the steps using it
        for step, node in zip(self.steps, self.step_ids, strict=True):
            used_steps, used_parameters = _used(step.entry)
            for name in used_steps:
                self._link(self._node_of(name), node, _DATA, "")
            depends_on = step.entry.get("DependsOn")
            for name in depends_on if isinstance(depends_on, list) else []:
                if isinstance(name, str):
                    self._link(self._node_of(name), node, _DEPENDS_ON, "")
            if step.condition is not None and step.branch is not None:
                self._link(self.by_name[step.condition], node, _BRANCH, step.branch)
            for name in used_parameters:
                uses.setdefault(name, []).append(node)
        self.parameters: list[tuple[str, str, list[str]]] = []  # (id, label, used by)
        self.undeclared: list[str] = []  # ids of parameters used but not declared
        self.parameters_box = ""
        if parameters:
            self._add_parameters(definition.get("Parameters"), uses)
            self.parameters_box = self._new_id("Parameters")

    def _new_id(self, name: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "step"
        if base.lower() in _RESERVED_IDS:
            base += "_"
        candidate, count = base, 1
        while candidate in self._taken:
            count += 1
            candidate = f"{base}_{count}"
        self._taken.add(candidate)
        return candidate

    def _node_of(self, name: str) -> str:
        if name in self.by_name:
            return self.by_name[name]
        if name not in self.missing:
            self.missing[name] = self._new_id(name)
        return self.missing[name]

    def _link(self, source: str, target: str, kind: int, label: str) -> None:
        self.edges.setdefault((source, target), set()).add((kind, label))

    def _add_parameters(self, declared: Any, uses: dict[str, list[str]]) -> None:
        seen: set[str] = set()
        for parameter in declared if isinstance(declared, list) else []:
            if not isinstance(parameter, Mapping) or not isinstance(parameter.get("Name"), str):
                continue
            name = parameter["Name"]
            seen.add(name)
            label = _label([name, _parameter_type(parameter)])
            self.parameters.append((self._new_id(name), label, uses.get(name, [])))
        for name in sorted(set(uses) - seen):
            node = self._new_id(name)
            self.undeclared.append(node)
            self.parameters.append((node, _label([name, "not declared"]), uses[name]))

    def render(self) -> str:
        lines = ["flowchart TD"]
        for step, node in zip(self.steps, self.step_ids, strict=True):
            lines.append(f"{_INDENT}{node}{_shaped(_step_label(step), _shape(step.kind))}")
        if not self.steps:
            # A diagram of nothing renders as an empty box on GitHub: say why it is empty.
            lines.append(f"{_INDENT}{self._new_id('empty')}{_shaped('no steps', _JOB_SHAPE)}")
        for name, node in self.missing.items():
            label = _label([name, "not in the definition"])
            lines.append(f"{_INDENT}{node}{_shaped(label, _JOB_SHAPE)}")
        if self.parameters:
            lines.append(f"{_INDENT}subgraph {self.parameters_box}[Parameters]")
            for node, label, _users in self.parameters:
                lines.append(f"{_INDENT * 2}{node}{_shaped(label, _PARAMETER_SHAPE)}")
            lines.append(f"{_INDENT}end")
        lines.extend(f"{_INDENT}{edge}" for edge in self._edge_lines())
        missing = [*self.missing.values(), *self.undeclared]
        if missing:
            lines.append(f"{_INDENT}classDef missing stroke-dasharray: 5 5")
            lines.append(f"{_INDENT}class {','.join(missing)} missing")
        return "\n".join(lines) + "\n"

    def _edge_lines(self) -> list[str]:
        order = {node: index for index, node in enumerate(self.step_ids)}
        for node in self.missing.values():
            order.setdefault(node, len(order))
        found: list[tuple[int, int, int, str, str]] = []
        for (source, target), kinds in self.edges.items():
            strongest = min(kind for kind, _label in kinds)
            for kind, label in sorted(kinds):
                if kind != strongest:
                    continue
                arrow = f"-->|{label}|" if kind == _BRANCH else _ARROWS[kind]
                found.append(
                    (order[source], order[target], kind, label, f"{source} {arrow} {target}")
                )
        lines = [text for *_key, text in sorted(found)]
        for node, _label_text, users in self.parameters:
            lines.extend(f"{node} -.- {user}" for user in users)  # each step once
        return lines


def _steps(entries: Any) -> Iterator[_Step]:
    """Every named step entry, each branch step right after its Condition step."""
    for spec in walk_steps(entries):
        branch = None if spec.branch is None else ("if" if spec.branch else "else")
        yield _Step(spec.entry, spec.condition, branch)


def _used(entry: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(steps, parameters) the entry reads, each once, in order; branch steps left out."""
    values: list[Any] = []
    for key, value in entry.items():
        if key in ("Name", "Type", "DependsOn"):
            continue
        if key == "Arguments" and entry.get("Type") == "Condition" and isinstance(value, Mapping):
            value = {k: item for k, item in value.items() if k not in BRANCH_KEYS}
        values.append(value)
    steps: list[str] = []
    parameters: list[str] = []
    for reference in get_references(values):
        root, _, rest = reference.partition(".")
        name = re.split(r"[.\[]", rest, maxsplit=1)[0]
        if root == "Steps" and name:
            steps.append(name)
        elif root == "Parameters" and name:
            parameters.append(name)
    return list(dict.fromkeys(steps)), list(dict.fromkeys(parameters))


def _shape(kind: str | None) -> tuple[str, str]:
    if kind in _OTHER_SERVICES:
        return _SERVICE_SHAPE
    return _SHAPES.get(kind or "", _JOB_SHAPE)


def _shaped(label: str, shape: tuple[str, str]) -> str:
    opening, closing = shape
    return f"{opening}{label}{closing}"


def _step_label(step: _Step) -> str:
    lines = [step.name, step.kind or "no Type"]
    display_name = step.entry.get("DisplayName")
    if isinstance(display_name, str) and display_name not in ("", step.name):
        lines.append(_shortened(display_name))
    return _label(lines)


def _parameter_type(parameter: Mapping[str, Any]) -> str:
    kind = parameter.get("Type")
    text = kind if isinstance(kind, str) else "String"  # the service's default type
    if "DefaultValue" in parameter:
        default = json.dumps(parameter["DefaultValue"], ensure_ascii=False)
        text += f" = {_shortened(default)}"
    return text


def _label(lines: list[str]) -> str:
    """Lines of text as a quoted Mermaid label's content, each escaped."""
    return "<br/>".join(_escape(line) for line in lines)


def _shortened(text: str) -> str:
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def _escape(text: str) -> str:
    return "".join(
        _ENTITIES.get(character)
        or (character if character.isprintable() else f"#{ord(character)};")
        for character in text
    )
