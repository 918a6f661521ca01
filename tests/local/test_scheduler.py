"""The scheduler: a pure state machine (no I/O, no threads)."""

from __future__ import annotations

import pytest

from cdk_sagemaker_pipelines.local import LocalRunError, Scheduler, StepNode, StepState
from cdk_sagemaker_pipelines.local._graph import StepGraph, declared_output_uris
from cdk_sagemaker_pipelines.local.scheduler import descendants


def node(name: str, *deps: str, kind: str = "Processing", **where: object) -> StepNode:
    return StepNode(name, kind, frozenset(deps), **where)  # type: ignore[arg-type]


def diamond() -> Scheduler:
    return Scheduler([node("A"), node("B", "A"), node("C", "A"), node("D", "B", "C")])


def test_independent_steps_are_ready_together_in_definition_order() -> None:
    scheduler = diamond()
    assert scheduler.take_ready(4) == ["A"]
    scheduler.succeeded("A")
    assert scheduler.ready() == ["B", "C"]
    assert scheduler.take_ready(1) == ["B"]
    assert scheduler.take_ready(1) == ["C"]
    assert scheduler.running == ["B", "C"]
    scheduler.succeeded("C")
    assert scheduler.ready() == []
    scheduler.succeeded("B")
    assert scheduler.take_ready(4) == ["D"]
    scheduler.succeeded("D")
    assert scheduler.finished
    scheduler.check_complete()


def test_descendants_of_a_failure_never_run_and_say_why() -> None:
    scheduler = Scheduler([node("A"), node("B", "A"), node("C", "B"), node("X")])
    assert scheduler.take_ready(4) == ["A", "X"]
    scheduler.failed("A", "exit 1")
    assert scheduler.state("B") is StepState.NOT_EXECUTED
    assert scheduler.reason("B") == "upstream step 'A' failed"
    assert scheduler.reason("C") == "upstream step 'B' did not execute"
    assert scheduler.state("X") is StepState.RUNNING  # independent steps go on
    scheduler.succeeded("X")
    assert scheduler.finished
    scheduler.check_complete()


def test_condition_outcome_selects_one_branch() -> None:
    scheduler = Scheduler(
        [
            node("Eval"),
            node("Check", "Eval", kind="Condition"),
            node("Register", "Eval", condition="Check", branch=True),
            node("TooLow", condition="Check", branch=False, kind="Fail"),
        ]
    )
    assert scheduler.take_ready(4) == ["Eval"]
    scheduler.succeeded("Eval")
    assert scheduler.take_ready(4) == ["Check"]
    scheduler.succeeded("Check", outcome=False)
    assert scheduler.outcome("Check") is False
    assert scheduler.reason("Register") == "in the IfSteps of 'Check', whose outcome was False"
    assert scheduler.take_ready(4) == ["TooLow"]


def test_a_condition_needs_an_outcome() -> None:
    scheduler = Scheduler([node("Check", kind="Condition")])
    scheduler.take_ready(1)
    with pytest.raises(LocalRunError, match="succeeded without an outcome"):
        scheduler.succeeded("Check")


def test_halt_lets_running_steps_finish_and_starts_nothing_else() -> None:
    scheduler = Scheduler([node("A"), node("B"), node("C", "A")])
    assert scheduler.take_ready(2) == ["A", "B"]
    assert scheduler.halted is None
    scheduler.halt("Fail step reached")
    scheduler.halt("interrupted")  # the first reason stays the run's reason
    assert scheduler.halted == "Fail step reached"
    scheduler.succeeded("A")
    assert scheduler.ready() == []
    assert scheduler.reason("C") == "Fail step reached"
    assert not scheduler.finished  # B still runs
    scheduler.succeeded("B")
    assert scheduler.finished


def test_preset_and_excluded_steps() -> None:
    scheduler = Scheduler(
        [node("A"), node("B", "A"), node("C", "B")],
        preset={"A": (StepState.SUCCEEDED, None)},
        excluded={"C": "not selected"},
    )
    assert scheduler.take_ready(4) == ["B"]
    assert scheduler.state("C") is StepState.NOT_EXECUTED


def test_fails_when_the_run_ends_with_steps_unaccounted_for() -> None:
    scheduler = diamond()
    scheduler.take_ready(4)
    with pytest.raises(LocalRunError, match=r"unaccounted for: A \(Executing\), B \(Pending\)"):
        scheduler.check_complete()


def test_fails_on_unknown_dependencies_and_duplicates() -> None:
    with pytest.raises(LocalRunError, match="depends on Nope, which is not in the pipeline"):
        Scheduler([node("A", "Nope")])
    with pytest.raises(LocalRunError, match="appears twice"):
        Scheduler([node("A"), node("A")])
    with pytest.raises(LocalRunError, match="depends on Check, which is not in the pipeline"):
        Scheduler([node("A", condition="Check", branch=True)])


def test_a_failure_reaches_steps_listed_before_their_dependencies() -> None:
    # Definition order need not be dependency order: not executed propagates to a fixpoint.
    scheduler = Scheduler([node("C", "B"), node("B", "A"), node("A")])
    assert scheduler.take_ready(4) == ["A"]
    scheduler.failed("A", "exit 1")
    assert scheduler.reason("B") == "upstream step 'A' failed"
    assert scheduler.reason("C") == "upstream step 'B' did not execute"
    assert scheduler.finished
    scheduler.check_complete()


def test_fails_on_transitions_of_steps_that_are_not_running() -> None:
    scheduler = diamond()
    with pytest.raises(LocalRunError, match="step 'A' is Pending, not running"):
        scheduler.succeeded("A")
    with pytest.raises(LocalRunError, match="no step named 'Z'"):
        scheduler.state("Z")


def test_descendants_follow_dependencies_and_branches() -> None:
    nodes = [node("A"), node("B", "A", kind="Condition"), node("C", condition="B", branch=True)]
    assert descendants(nodes, ["A"]) == {"B", "C"}


def test_upstream_follows_dependencies_and_conditions_transitively() -> None:
    graph = StepGraph(
        {},
        (
            node("A"),
            node("B", "A"),
            node("Check", "B", kind="Condition"),
            node("Register", condition="Check", branch=True),
            node("X"),
        ),
    )
    assert graph.upstream("Register") == {"Check", "B", "A"}


def test_declared_outputs_of_processing_training_and_transform_steps() -> None:
    def entry(**arguments: object) -> dict[str, object]:
        return {"Name": "S", "Type": "Processing", "Arguments": arguments}

    outputs = {"Outputs": [{"OutputName": "o", "S3Output": {"S3Uri": "s3://b/p"}}]}
    assert declared_output_uris(entry(ProcessingOutputConfig=outputs)) == ["s3://b/p"]
    assert declared_output_uris(entry(OutputDataConfig={"S3OutputPath": "s3://b/t"})) == [
        "s3://b/t"
    ]
    assert declared_output_uris(entry(TransformOutput={"S3OutputPath": "s3://b/x"})) == ["s3://b/x"]
    expression = {"Get": "Parameters.Out"}  # known only at run time
    assert declared_output_uris(entry(OutputDataConfig={"S3OutputPath": expression})) == []
    assert declared_output_uris({"Name": "S", "Type": "Fail"}) == []
