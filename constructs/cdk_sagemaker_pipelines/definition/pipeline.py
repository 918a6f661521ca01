"""``PipelineDefinition``: parameters and steps, compiled to the definition JSON.

Example::

    definition = PipelineDefinition(parameters=[threshold], steps=[condition])
    body = definition.to_json(StaticBinder(role_arn=ROLE, default_bucket="my-bucket"))
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ._errors import HintedAttributeError, PipelineValidationError, Problem
from ._render import JsonValue, RenderContext, render
from ._typecheck import checked
from .bindables import Binder
from .entries import walk_steps
from .expressions import Expression
from .parameters import Parameter
from .steps._base import Step, with_arguments
from .validate import DEFINITION_VERSION, validate_with_dependencies


@checked
@dataclass(frozen=True, slots=True)
class PipelineExperimentConfig:
    """Record executions as SageMaker Experiments trials (off by default).

    Example::

        PipelineExperimentConfig(experiment_name=ExecutionVariables.PIPELINE_NAME,
                                 trial_name=ExecutionVariables.PIPELINE_EXECUTION_ID)
    """

    experiment_name: str | Expression
    trial_name: str | Expression

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"ExperimentName": …, "TrialName": …}``."""
        return {
            "ExperimentName": render(self.experiment_name, ctx),
            "TrialName": render(self.trial_name, ctx),
        }


@dataclass(frozen=True, slots=True)
class CompiledPipeline:
    """The result of compiling: the definition and the step objects by name.

    Example::

        compiled = pipeline.compile(StaticBinder(region="us-east-1", role_arn=ROLE,
                                                 default_bucket="my-bucket"))
        compiled.definition["Steps"], compiled.steps["Train"]
    """

    definition: dict[str, JsonValue]
    steps: dict[str, Step]

    def __repr__(self) -> str:
        # The definition runs to thousands of characters: name the steps, as a notebook
        # cell's result shows it (``compiled.definition`` has the whole of it).
        names = [spec.name for spec in walk_steps(self.definition.get("Steps"))]
        return f"CompiledPipeline({len(names)} steps: {', '.join(names)})"

    def _repr_markdown_(self) -> str:
        """A notebook's view: the compiled definition as a Mermaid graph (see ``mermaid``)."""
        return _graph_markdown("CompiledPipeline", self.definition)

    def to_json(self, indent: int | None = None) -> str:
        """The definition as JSON text (stable key and step order).

        Without ``indent`` the text is compact, as the size limit is measured (and as the
        CDK construct renders it).
        """
        if indent is None:
            return json.dumps(self.definition, separators=(",", ":"), ensure_ascii=False)
        return json.dumps(self.definition, indent=indent, ensure_ascii=False)


_DEPLOY = (
    "deploy it with the CDK Pipeline construct, Pipeline(self, id, definition=…), which "
    "derives the roles (cdk deploy)"
)
_SDK_PIPELINE_METHODS = {
    "definition": "to_json(binder), or to_definition(binder) for the dict; the binder "
    "(StaticBinder(region=…, role_arn=…, default_bucket=…)) stands for the session",
    "upsert": _DEPLOY,
    "create": _DEPLOY,
    "update": _DEPLOY,
    "start": "start the deployed pipeline (aws sagemaker start-pipeline-execution, a "
    "PipelineSchedule or NewDataTrigger), or run it here with smpipe run or LocalRunner",
}


@checked
@dataclass(frozen=True, slots=True)
class PipelineDefinition:
    """A pipeline's parameters and steps; compiles to definition JSON version 2020-12-01.

    Steps may be listed in any order; steps reached through references, ``depends_on``
    and condition branches are collected, so listing the last step is enough. The
    compiled order depends only on the steps: each follows what it depends on, ties
    broken by name (by listed order inside a branch). Branch steps are nested under
    their ``ConditionStep``, and run only there even if ``steps`` lists them too. Every
    parameter a step uses must be declared in ``parameters`` (they are the pipeline's
    public interface).

    Example::

        definition = PipelineDefinition(
            parameters=[input_data, threshold],
            steps=[check_accuracy],
        )
        definition.to_definition(StaticBinder(region="us-east-1", role_arn=ROLE,
                                              default_bucket="my-bucket"))
    """

    steps: Sequence[Step]
    parameters: Sequence[Parameter] = ()
    experiment_config: PipelineExperimentConfig | None = None

    if not TYPE_CHECKING:  # for run time only: mypy would accept any attribute

        def __getattr__(self, name: str) -> Any:
            # The SDK's Pipeline methods, typed from habit: say what does it here.
            hint = _SDK_PIPELINE_METHODS.get(name)
            if hint is None:
                return object.__getattribute__(self, name)  # Python's own error
            raise HintedAttributeError(
                f"PipelineDefinition has no {name}() (the SageMaker SDK's pipeline.{name}(); "
                f"here: {hint})"
            )

    def compile(self, binder: Binder | None = None) -> CompiledPipeline:
        """Render and validate; raise ``PipelineValidationError`` listing every problem."""
        compiled, problems = self._compile(binder)
        if problems:
            raise PipelineValidationError(problems)
        return compiled

    def to_definition(self, binder: Binder | None = None) -> dict[str, JsonValue]:
        """The validated definition as a dict."""
        return self.compile(binder).definition

    def to_json(self, binder: Binder | None = None, indent: int | None = None) -> str:
        """The validated definition as JSON text."""
        return self.compile(binder).to_json(indent)

    def validate(self, binder: Binder | None = None) -> list[Problem]:
        """Every problem of the pipeline, without raising."""
        return self._compile(binder)[1]

    def _repr_markdown_(self) -> str:
        """A notebook's view: the steps and their links as a Mermaid flowchart in Markdown.

        Jupyter (JupyterLab 4.1 and later, Notebook 7) renders the ```` ```mermaid ````
        block as a diagram, the same one ``smpipe graph`` draws of the compiled definition.
        It needs no binder, and a pipeline with problems still draws (``validate(binder)``
        lists them).
        """
        compiled, problems = self._compile(None)
        definition = compiled.definition
        if problems:  # without a binder there are always some: order as a valid one is
            definition["Steps"] = _ordered(definition["Steps"])
        return _graph_markdown("PipelineDefinition", definition)

    def _compile(self, binder: Binder | None) -> tuple[CompiledPipeline, list[Problem]]:
        ctx = RenderContext(binder)
        order: list[Step] = []
        known: set[int] = set()

        def add(step: Step) -> None:
            if id(step) not in known:
                known.add(id(step))
                order.append(step)

        for step in self.steps:
            add(step)
        # Rendering finds more steps (references, depends_on, branches): render to closure.
        rendered = referenced = branched = 0
        while rendered < len(order):
            ctx.render_step(order[rendered])
            rendered += 1
            for step in ctx.referenced_steps[referenced:]:
                add(step)
            for step in ctx.branch_order[branched:]:
                add(step)
            referenced, branched = len(ctx.referenced_steps), len(ctx.branch_order)
        _retain_registered_outputs(ctx, order)
        top_level = [step for step in order if id(step) not in ctx.branch_members]
        problems = list(ctx.problems)
        problems += self._parameter_problems(ctx)
        definition: dict[str, JsonValue] = {
            "Version": DEFINITION_VERSION,
            "Metadata": {},
            "Parameters": [parameter.to_definition() for parameter in self.parameters],
        }
        if self.experiment_config is not None:
            definition["PipelineExperimentConfig"] = self.experiment_config.to_request(ctx)
        definition["Steps"] = [ctx.render_step(step) for step in top_level]
        found, dependencies = validate_with_dependencies(definition)
        problems += found
        steps_by_name = {step.name: step for step in order}
        if problems:
            # Built in Python: name the keyword argument behind each field as well.
            problems = with_arguments(_rebuilt_step_hints(problems, order), order)
        else:
            definition["Steps"] = _ordered(definition["Steps"], dependencies=dependencies)
        return CompiledPipeline(definition, steps_by_name), problems

    def _parameter_problems(self, ctx: RenderContext) -> list[Problem]:
        declared = {parameter.name: parameter for parameter in self.parameters}
        problems: list[Problem] = []
        for parameter in ctx.referenced_parameters:
            other = declared.get(parameter.name)
            if (
                other is not None
                and other is not parameter
                and (other.to_definition() != parameter.to_definition())
            ):
                problems.append(
                    Problem(
                        None,
                        f"Parameters.{parameter.name}",
                        f"steps use parameter '{parameter.name}' {_parameter_text(parameter)}, "
                        f"but it is declared {_parameter_text(other)}",
                        "declare the parameter object the steps use: one object per parameter",
                    )
                )
        return problems


def _graph_markdown(title: str, definition: Mapping[str, Any]) -> str:
    """``**title**: N steps, parameters …`` and the definition's Mermaid flowchart, fenced."""
    # Imported only when a notebook displays a pipeline: importing the language doesn't.
    from ._mermaid import mermaid

    parameters = [
        str(entry.get("Name"))
        for entry in definition.get("Parameters") or []
        if isinstance(entry, Mapping)
    ]
    steps = sum(1 for _ in walk_steps(definition.get("Steps")))
    header = f"**{title}**: {steps} step{'' if steps == 1 else 's'}"
    if parameters:
        header += ", parameters " + ", ".join(f"`{name}`" for name in parameters)
    # Mermaid's text is escaped (#96; for a backtick), so it can't close the fence.
    return f"{header}\n\n```mermaid\n{mermaid(definition)}```\n"


def _rebuilt_step_hints(problems: list[Problem], order: Sequence[Step]) -> list[Problem]:
    """``problems``, a name two step objects share hinting at a step built again.

    In a notebook, running the cell that builds a step again makes a second object of that
    name while the steps of later cells still refer to the first one: the definition's
    positions (``Steps[2]``) say nothing of that.
    """
    seen: dict[str, Step] = {}
    rebuilt: set[str] = set()
    for step in order:
        if seen.setdefault(step.name, step) is not step:
            rebuilt.add(step.name)
    if not rebuilt:
        return problems
    return [
        replace(
            problem,
            hint=(
                f"two step objects are named '{problem.step}': if it was built again (a "
                "notebook cell run again), the steps that use it still refer to the first "
                "one, so build them again too; else give each its own name"
            ),
        )
        if problem.field == "Name" and problem.step in rebuilt
        else problem
        for problem in problems
    ]


# A processing output's S3 URI, as a step property: its step and its key (name or position).
_PROCESSING_OUTPUT_URI = re.compile(
    r"Steps\.(?P<step>.+)\.ProcessingOutputConfig\.Outputs"
    r"\[(?:(?P<position>\d+)|'(?P<name>[^']*)'|\"(?P<quoted>[^\"]*)\")\]\.S3Output\.S3Uri"
)


# A check step's baseline files, as step properties: they are in the check job's output.
_CHECK_BASELINE = re.compile(
    r"Steps\.(?P<step>.+)\.(?:CalculatedBaseline|BaselineUsedForDriftCheck)"
    r"(?:Statistics|Constraints)"
)


def _retain_registered_outputs(ctx: RenderContext, order: Sequence[Step]) -> None:
    """Retain the default processing and check outputs a registered model version refers to.

    A model package points at its model metrics (and whatever else it names) for as
    long as it exists, and other accounts it is shared with read them there; a binder
    may expire ordinary outputs with their execution (the CDK binder's ``executions/``).
    """
    steps = {step.name: step for step in order}
    for step in order:
        if step.step_type != "RegisterModel":
            continue
        for reference in _step_references(ctx.render_step(step).get("Arguments")):
            baseline = _CHECK_BASELINE.fullmatch(reference)
            if baseline is not None:
                check = steps.get(baseline["step"])
                output_name = getattr(check, "check_output_name", None)
                if isinstance(output_name, str):
                    ctx.retain_output(baseline["step"], output_name)
                continue
            match = _PROCESSING_OUTPUT_URI.fullmatch(reference)
            if match is None:
                continue
            name = match["name"] if match["name"] is not None else match["quoted"]
            if match["position"] is not None:
                outputs = getattr(steps.get(match["step"]), "output_list", None) or []
                position = int(match["position"])
                name = outputs[position].output_name if position < len(outputs) else None
            if name is not None:
                ctx.retain_output(match["step"], name)


def _step_references(value: Any) -> list[str]:
    """Every ``Steps.…`` path a rendered value reads (``{"Get": "Steps.…"}``)."""
    found: list[str] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if type(item) is dict:
            reference = item.get("Get") if len(item) == 1 else None
            if type(reference) is str and reference.startswith("Steps."):
                found.append(reference)
            else:
                pending.extend(item.values())
        elif type(item) is list:
            pending.extend(item)
    return found


def _parameter_text(parameter: Parameter) -> str:
    """``as Integer with default 5`` and the like, for messages."""
    entry = parameter.to_definition()
    text = f"as {entry['Type']}"
    if "DefaultValue" in entry:
        text += f" with default {entry['DefaultValue']!r}"
    if "EnumValues" in entry:
        text += f" in {entry['EnumValues']!r}"
    return text


def _dependencies(entry: Any) -> set[str]:
    """Names of the steps an entry refers to (references and DependsOn), branches excluded."""
    found: set[str] = set(entry.get("DependsOn") or [])

    def walk(value: Any, skip_branches: bool) -> None:
        if isinstance(value, dict):
            reference = value.get("Get") if len(value) == 1 else None
            if isinstance(reference, str) and reference.startswith("Steps."):
                found.add(reference.split(".")[1].split("[")[0])
                return
            for key, item in value.items():
                if skip_branches and key in ("IfSteps", "ElseSteps"):
                    continue
                walk(item, False)
        elif isinstance(value, list):
            for item in value:
                walk(item, False)

    walk(entry.get("Arguments"), entry.get("Type") == "Condition")
    for key in ("FunctionArn", "SqsQueueUrl"):
        walk(entry.get(key), False)
    return found


def _ordered(
    entries: list[Any],
    *,
    by_name: bool = True,
    dependencies: Mapping[str, set[str] | None] | None = None,
) -> list[Any]:
    """Order steps so each comes after what it depends on.

    Ties are broken by name for the top level, so the result does not depend on the
    order steps were listed or discovered in, and by listed position inside a branch
    (``by_name=False``), where the user wrote the order. A dependency on a branch step
    counts as one on its condition. A condition also comes after what its branch steps
    need, unless that step itself runs after the condition.

    ``dependencies`` maps step names to what they depend on, as validation found it
    (``validate_with_dependencies``); steps not in it, or mapped to None, are walked here.
    """
    if len(entries) == 1 and entries[0]["Type"] != "Condition":
        return [entries[0]]  # nothing to order (a lone branch step, typically)

    def depends(entry: Any) -> set[str]:
        found = dependencies.get(entry["Name"]) if dependencies is not None else None
        return found if found is not None else _dependencies(entry)

    owner: dict[str, str] = {}
    for entry in entries:
        owner[entry["Name"]] = entry["Name"]
        if entry["Type"] == "Condition":
            arguments = entry["Arguments"]
            for branch in ("IfSteps", "ElseSteps"):
                arguments[branch] = _ordered(
                    arguments[branch], by_name=False, dependencies=dependencies
                )
                for nested in arguments[branch]:
                    owner[nested["Name"]] = entry["Name"]
    needs: dict[str, set[str]] = {}
    for entry in entries:
        names = depends(entry)
        needs[entry["Name"]] = {owner[n] for n in names if n in owner} - {entry["Name"]}
    # What branch steps need, for their condition: added only where it makes no cycle.
    conditions = [entry for entry in entries if entry["Type"] == "Condition"]
    for entry in sorted(conditions, key=lambda item: str(item["Name"])):
        condition = entry["Name"]
        wanted: set[str] = set()
        for branch in ("IfSteps", "ElseSteps"):
            for nested in entry["Arguments"][branch]:
                wanted |= {owner[n] for n in depends(nested) if n in owner}
        for target in sorted(wanted - needs[condition] - {condition}):
            if not _reaches(needs, target, condition):
                needs[condition].add(target)
    position = {entry["Name"]: index for index, entry in enumerate(entries)}
    rank = {name: index for index, name in enumerate(sorted(position))} if by_name else position
    waiting = {name: len(required) for name, required in needs.items()}
    dependents: dict[str, list[str]] = {name: [] for name in needs}
    for name, required in needs.items():
        for other in required:
            dependents[other].append(name)
    ready = [(rank[name], name) for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    result: list[Any] = []
    while ready:
        _, name = heapq.heappop(ready)
        result.append(entries[position[name]])
        for follower in dependents[name]:
            waiting[follower] -= 1
            if waiting[follower] == 0:
                heapq.heappush(ready, (rank[follower], follower))
    if len(result) < len(entries):  # only with a cycle, which validation reports first
        done = {id(entry) for entry in result}
        result += [entry for entry in entries if id(entry) not in done]
    return result


def _reaches(needs: dict[str, set[str]], start: str, goal: str) -> bool:
    """True if ``start`` needs ``goal``, directly or through other steps."""
    seen = {start}
    stack = [start]
    while stack:
        for other in needs[stack.pop()]:
            if other == goal:
                return True
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return False
