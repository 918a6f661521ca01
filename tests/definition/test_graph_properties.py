"""Properties of the step graph: random DAGs compile, in dependency order, deterministically;
one back edge makes a cycle that is reported by name.

A graph is drawn as data (``Spec``) in run order: a node may refer to (property reference)
or depend on (``depends_on``) earlier nodes, and may sit in a branch of an earlier
Condition. Then it is built with the Python API, every step listed, in a drawn order.
Edges the API can't express with objects (a branch step reading its own condition would
hold it and be held by it) fall back to ``depends_on`` by name: the same dependency.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cdk_sagemaker_pipelines.definition import (
    CallbackStep,
    ConditionEquals,
    ConditionStep,
    Join,
    LambdaStep,
    PipelineDefinition,
    PipelineValidationError,
    ProcessingStep,
    Step,
    StepOutput,
    TrainingStep,
)
from cdk_sagemaker_pipelines.definition.pipeline import _ordered
from cdk_sagemaker_pipelines.definition.validate import validate_with_dependencies
from tests.definition.catalogue_helpers import BINDER, condition, fail, processing, training

KINDS = ("Processing", "Training", "Condition", "Fail")
NAMES = ("Prep", "train", "Evaluate", "check-1", "Check_2", "Register", "A", "b", "Z9", "Score")
SIDES = ("IfSteps", "ElseSteps")


@dataclass
class Node:
    """One step of a drawn graph; edges point at earlier nodes (by index)."""

    name: str
    kind: str
    references: list[int] = field(default_factory=list)
    depends_on: list[int] = field(default_factory=list)
    branch: tuple[int, str] | None = None  # (condition index, side)


@dataclass
class Spec:
    """A drawn graph: nodes in run order, and the order to list the built steps in."""

    nodes: list[Node]
    listing: list[int]

    def dependencies(self, index: int) -> set[int]:
        """What the node waits for: references, depends_on and its condition."""
        node = self.nodes[index]
        found = set(node.references) | set(node.depends_on)
        if node.branch is not None:
            found.add(node.branch[0])
        return found

    def reaches(self, start: int, goal: int) -> bool:
        stack, seen = [start], {start}
        while stack:
            for other in self.dependencies(stack.pop()):
                if other == goal:
                    return True
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        return False


def _other_branch(node: Node, target: Node) -> bool:
    """True if the two nodes sit in opposite branches of the same condition."""
    return (
        node.branch is not None
        and target.branch is not None
        and node.branch[0] == target.branch[0]
        and node.branch[1] != target.branch[1]
    )


@st.composite
def graphs(draw: st.DrawFn) -> Spec:
    size = draw(st.integers(min_value=2, max_value=len(NAMES)))
    names = draw(st.permutations(NAMES))[:size]
    nodes: list[Node] = []
    for index in range(size):
        kind = draw(st.sampled_from(KINDS))
        node = Node(names[index], kind)
        conditions = [i for i, other in enumerate(nodes) if other.kind == "Condition"]
        if kind != "Condition" and conditions and draw(st.booleans()):
            node.branch = (draw(st.sampled_from(conditions)), draw(st.sampled_from(SIDES)))
        targets = [
            i
            for i, other in enumerate(nodes)
            if other.kind != "Fail" and not _other_branch(node, other)
        ]
        for target in targets:
            edge = draw(st.sampled_from(("none", "none", "reference", "depends_on")))
            if edge == "reference":
                node.references.append(target)
            elif edge == "depends_on":
                node.depends_on.append(target)
        nodes.append(node)
    listing = draw(st.permutations(range(size)))
    return Spec(nodes, list(listing))


def _property(step: Step, kind: str) -> Any:
    # A checker types a step's properties by its class, so narrow to it.
    if kind == "Processing":
        assert isinstance(step, ProcessingStep)
        return step.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri
    if kind == "Training":
        assert isinstance(step, TrainingStep)
        return step.properties.ModelArtifacts.S3ModelArtifacts
    assert isinstance(step, ConditionStep)
    return step.properties.Outcome


def build(spec: Spec, extra_depends_on: dict[int, list[str]] | None = None) -> list[Step]:
    """Build the steps of ``spec`` (in ``spec.listing`` order), adding name dependencies."""
    nodes = spec.nodes
    # "holds": a step object must exist before the step that refers to it or lists it.
    holds: dict[int, set[int]] = {i: set() for i in range(len(nodes))}
    for index, node in enumerate(nodes):
        if node.branch is not None:
            holds[node.branch[0]].add(index)

    def held_by(start: int, goal: int) -> bool:  # does ``start`` (transitively) hold ``goal``?
        stack, seen = [start], {start}
        while stack:
            for other in holds[stack.pop()]:
                if other == goal:
                    return True
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        return False

    references: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    after_objects: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    after_names: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    for index, node in enumerate(nodes):
        edges = [(t, references) for t in node.references]
        edges += [(t, after_objects) for t in node.depends_on]
        for target, kind in edges:
            if held_by(target, index):
                after_names[index].append(target)  # the object can't exist yet: name it
            else:
                holds[index].add(target)
                kind[index].append(target)
    built: dict[int, Step] = {}
    while len(built) < len(nodes):
        index = next(i for i in range(len(nodes)) if i not in built and holds[i].issubset(built))
        node = nodes[index]
        values = [_property(built[t], nodes[t].kind) for t in references[index]]
        depends: list[Step | str] = [built[t] for t in after_objects[index]]
        depends += [nodes[t].name for t in after_names[index]]
        depends += (extra_depends_on or {}).get(index, [])
        common: dict[str, Any] = {"depends_on": depends}
        if node.kind in ("Processing", "Training"):
            make = processing if node.kind == "Processing" else training
            environment = {f"REF_{i}": value for i, value in enumerate(values)}
            built[index] = make(node.name, environment=environment or None, **common)
        elif node.kind == "Fail":
            message = Join(on=" ", values=["failed:", *values]) if values else "failed"
            built[index] = fail(node.name, error_message=message, **common)
        else:
            tests = [
                ConditionEquals(left=value, right=True if nodes[t].kind == "Condition" else "x")
                for t, value in zip(references[index], values, strict=True)
            ]
            members = {
                side: [built[i] for i, other in enumerate(nodes) if other.branch == (index, side)]
                for side in SIDES
            }
            built[index] = condition(
                node.name,
                conditions=tests or None,
                if_steps=members["IfSteps"],
                else_steps=members["ElseSteps"],
                **common,
            )
    return [built[i] for i in spec.listing]


def compile_json(steps: Iterable[Step]) -> str:
    return PipelineDefinition(steps=list(steps)).compile(BINDER).to_json()


def compiled_order(
    definition: dict[str, Any],
) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    """The top-level step names, and each condition branch's names, in compiled order."""
    top = [entry["Name"] for entry in definition["Steps"]]
    branches = {
        (entry["Name"], side): [nested["Name"] for nested in entry["Arguments"][side]]
        for entry in definition["Steps"]
        if entry["Type"] == "Condition"
        for side in SIDES
    }
    return top, branches


@settings(max_examples=80, deadline=None)
@given(graphs())
def test_random_dags_compile_in_dependency_order(spec: Spec) -> None:
    definition = PipelineDefinition(steps=build(spec)).compile(BINDER).definition
    top, branches = compiled_order(definition)
    nodes = spec.nodes
    owner = {node.name: nodes[node.branch[0]].name if node.branch else node.name for node in nodes}
    # Branch steps are nested under their condition, the rest is at the top level.
    assert sorted(top) == sorted(node.name for node in nodes if node.branch is None)
    for (condition_name, side), members in branches.items():
        expected = [
            node.name
            for node in nodes
            if node.branch is not None
            and (nodes[node.branch[0]].name, node.branch[1]) == (condition_name, side)
        ]
        assert sorted(members) == sorted(expected)
    for node in nodes:
        needs = {nodes[t].name for t in set(node.references) | set(node.depends_on)}
        if node.branch is None:
            # A top-level step follows what it needs (for a branch step: its condition).
            for name in needs:
                if owner[name] != node.name:
                    assert top.index(owner[name]) < top.index(node.name), (name, node.name)
        else:
            # A branch step follows what it needs from its own branch.
            members = branches[(nodes[node.branch[0]].name, node.branch[1])]
            for name in needs & set(members):
                assert members.index(name) < members.index(node.name), (name, node.name)


@settings(max_examples=50, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_compile_is_deterministic_and_ignores_listing_order(spec: Spec, random: Any) -> None:
    steps = build(spec)
    first = compile_json(steps)
    assert compile_json(steps) == first
    shuffled = list(steps)
    random.shuffle(shuffled)
    assert compile_json(shuffled) == first
    # Separately built but identical steps compile to the same text as well.
    assert compile_json(build(spec)) == first


@st.composite
def graphs_with_a_back_edge(draw: st.DrawFn) -> tuple[Spec, int, int]:
    """A graph and a pair (early, late) where late already waits for early."""
    spec = draw(graphs())
    nodes = spec.nodes
    pairs = [
        (early, late)
        for late in range(len(nodes))
        for early in range(late)
        if nodes[late].kind != "Fail"
        and not _other_branch(nodes[late], nodes[early])
        and spec.reaches(late, early)
    ]
    assume(pairs)
    early, late = draw(st.sampled_from(pairs))
    return spec, early, late


CYCLE = re.compile(r"dependency cycle: (.+)$")


@settings(max_examples=80, deadline=None)
@given(graphs_with_a_back_edge())
def test_a_back_edge_is_reported_as_a_cycle(case: tuple[Spec, int, int]) -> None:
    spec, early, late = case
    nodes = spec.nodes
    # ``early`` now waits for ``late``, which already waits for ``early``.
    steps = build(spec, extra_depends_on={early: [nodes[late].name]})
    with pytest.raises(PipelineValidationError, match="dependency cycle: ") as caught:
        PipelineDefinition(steps=steps).compile(BINDER)
    index = {node.name: i for i, node in enumerate(nodes)}

    def waits_for(name: str, other: str) -> bool:
        extra = {index[nodes[late].name]} if name == nodes[early].name else set()
        return index[other] in spec.dependencies(index[name]) | extra

    for problem in caught.value.problems:
        match = CYCLE.fullmatch(problem.message)
        assert match is not None, str(problem)
        names = match.group(1).split(" → ")
        # Printed in run order: each step runs before the next, which waits for it.
        assert names[0] == names[-1]
        assert len(set(names)) == len(names) - 1
        pairs = list(itertools.pairwise(names))
        for before, after in pairs:
            assert waits_for(after, before), (after, before, str(problem))
        # Every cycle goes through the new edge: ``late`` runs before ``early``.
        assert (nodes[late].name, nodes[early].name) in pairs


def test_a_condition_comes_first_when_a_step_its_branch_needs_runs_after_it() -> None:
    # Late depends on the condition, and the branch step Inside depends on Late: the
    # condition can't wait for Late, so it must come first.
    spec = Spec(
        [
            Node("Check", "Condition"),
            Node("Late", "Processing", depends_on=[0]),
            Node("Inside", "Processing", depends_on=[1], branch=(0, "IfSteps")),
        ],
        listing=[1, 0],
    )
    definition = json.loads(compile_json(build(spec)))
    assert [entry["Name"] for entry in definition["Steps"]] == ["Check", "Late"]


def test_independent_steps_are_ordered_by_name() -> None:
    spec = Spec(
        [Node("b", "Processing"), Node("a", "Processing"), Node("C", "Training")], [0, 1, 2]
    )
    definition = json.loads(compile_json(build(spec)))
    assert [entry["Name"] for entry in definition["Steps"]] == ["C", "a", "b"]


FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:prep"


def test_a_condition_comes_after_what_its_branch_steps_need() -> None:
    # By name alone Check would come first; its branch step Inside needs Zeta.
    spec = Spec(
        [Node("Zeta", "Processing"), Node("Check", "Condition"), Node("Inside", "Processing")],
        listing=[1, 0],
    )
    spec.nodes[2].depends_on.append(0)
    spec.nodes[2].branch = (1, "IfSteps")
    definition = json.loads(compile_json(build(spec)))
    assert [entry["Name"] for entry in definition["Steps"]] == ["Zeta", "Check"]


def test_branch_steps_keep_their_listed_order_after_what_they_need() -> None:
    # The only top-level step is the condition: its branches are ordered all the same.
    second = processing("Second", depends_on=["First"])
    check = condition(
        if_steps=[second, processing("First")],
        else_steps=[processing("Zed"), processing("Alpha")],
    )
    definition = json.loads(compile_json([check]))
    _, branches = compiled_order(definition)
    assert branches == {
        ("Check", "IfSteps"): ["First", "Second"],
        ("Check", "ElseSteps"): ["Zed", "Alpha"],
    }


def test_conditions_whose_branches_need_each_other_compile_alike_in_any_listing() -> None:
    # Each condition's branch step needs the other condition; only one of the two can wait
    # for the other, and which one does not depend on the order the steps are listed in.
    alpha = condition("Alpha", if_steps=[processing("AlphaInside", depends_on=["Beta"])])
    beta = condition("Beta", if_steps=[processing("BetaInside", depends_on=["Alpha"])])
    first = compile_json([alpha, beta])
    assert compile_json([beta, alpha]) == first
    assert [entry["Name"] for entry in json.loads(first)["Steps"]] == ["Beta", "Alpha"]


def test_a_function_arn_or_queue_url_from_a_step_orders_after_that_step() -> None:
    source = LambdaStep(name="Zeta", function_arn=FUNCTION, outputs=[StepOutput(output_name="arn")])
    value = source.properties.OutputParameters["arn"]
    for step in (
        LambdaStep(name="Alpha", function_arn=value),
        CallbackStep(name="Alpha", sqs_queue_url=value),
    ):
        definition = json.loads(compile_json([step]))
        assert [entry["Name"] for entry in definition["Steps"]] == ["Zeta", "Alpha"]


def test_ordering_its_own_walk_finds_what_validation_found() -> None:
    # Ordering walks an entry itself where validation could not (a step it maps to None):
    # that walk must find the same dependencies (DependsOn, references in Arguments and
    # FunctionArn, a branch step's references counting for its condition).
    zeta = LambdaStep(name="Zeta", function_arn=FUNCTION, outputs=[StepOutput(output_name="arn")])
    late = processing("Late", depends_on=["Check"])
    inside = processing("Inside", environment={"LATE": late.properties.ProcessingJobName})
    steps = [
        LambdaStep(name="Alpha", function_arn=zeta.properties.OutputParameters["arn"]),
        processing("Beta", depends_on=["Zed"]),
        processing("Zed"),
        condition("Check", if_steps=[inside]),
        late,
    ]
    definition = json.loads(compile_json(steps))
    expected = [entry["Name"] for entry in definition["Steps"]]
    assert expected == ["Check", "Late", "Zed", "Beta", "Zeta", "Alpha"]
    problems, dependencies = validate_with_dependencies(definition)
    assert problems == []
    for found in (dependencies, None, dict.fromkeys(dependencies)):
        entries = json.loads(json.dumps(definition["Steps"][::-1]))
        assert [entry["Name"] for entry in _ordered(entries, dependencies=found)] == expected
