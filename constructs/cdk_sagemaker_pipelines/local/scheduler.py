"""A pure state machine deciding which steps run, in which order, and which never do.

No I/O, no threads, no clock: the runner tells it what happened (``started``,
``succeeded``, ``failed``), it answers with the steps that may start next. States::

    PENDING ──▶ RUNNING ──▶ SUCCEEDED
       │            ├─────▶ FAILED
       │            └─────▶ STOPPED
       └──────────────────▶ NOT_EXECUTED   (upstream failed, branch not taken, halted,
                                            not selected)

A step becomes ready when every dependency succeeded and, for a branch step, its
condition succeeded with the outcome of its branch. Descendants of a step that failed,
stopped or did not execute never run. ``halt`` (a Fail step, an interrupt) lets running
steps finish and starts nothing else. ``check_complete`` raises if any step is left
unaccounted for when the run ends.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ._errors import LocalRunError


class StepState(enum.Enum):
    """Where a step is in the run; terminal values use the service's status strings.

    Example::

        assert result.step("Train").status == StepState.SUCCEEDED.value  # "Succeeded"
    """

    PENDING = "Pending"
    RUNNING = "Executing"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    STOPPED = "Stopped"
    NOT_EXECUTED = "NotExecuted"

    @property
    def terminal(self) -> bool:
        """True once the step can't change any more."""
        return self not in (StepState.PENDING, StepState.RUNNING)


@dataclass(frozen=True, slots=True)
class StepNode:
    """One step of the graph: its dependencies and, for a branch step, its condition.

    ``branch`` is True for the condition's ``IfSteps``, False for its ``ElseSteps``.

    Example::

        StepNode("Register", "RegisterModel", frozenset({"Train"}), "Check", True)
    """

    name: str
    step_type: str
    dependencies: frozenset[str] = frozenset()
    condition: str | None = None
    branch: bool | None = None


@dataclass(slots=True)
class _Slot:
    node: StepNode
    state: StepState = StepState.PENDING
    reason: str | None = None
    outcome: bool | None = None


@dataclass(slots=True)
class Scheduler:
    """Tracks every step's state and hands out the ready ones, in definition order.

    ``preset`` gives steps that already finished (resume, selective execution) their
    state and, for conditions, outcome; ``excluded`` marks steps that must not run,
    with the reason.

    Example::

        scheduler = Scheduler([StepNode("A", "Processing"),
                               StepNode("B", "Training", frozenset({"A"}))])
        scheduler.take_ready(4)   # ["A"]
        scheduler.succeeded("A")
        scheduler.take_ready(4)   # ["B"]
    """

    nodes: Sequence[StepNode]
    preset: Mapping[str, tuple[StepState, bool | None]] = field(default_factory=dict)
    excluded: Mapping[str, str] = field(default_factory=dict)
    _slots: dict[str, _Slot] = field(init=False, default_factory=dict)
    _halted: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        for node in self.nodes:
            if node.name in self._slots:
                raise LocalRunError(f"step '{node.name}' appears twice in the graph")
            self._slots[node.name] = _Slot(node)
        for node in self.nodes:
            unknown = [d for d in node.dependencies if d not in self._slots]
            if node.condition is not None and node.condition not in self._slots:
                unknown.append(node.condition)
            if unknown:
                raise LocalRunError(
                    f"step '{node.name}' depends on {', '.join(sorted(unknown))}, "
                    "which is not in the pipeline"
                )
        for name, (state, outcome) in self.preset.items():
            slot = self._slot(name)
            slot.state, slot.outcome = state, outcome
        for name, reason in self.excluded.items():
            slot = self._slot(name)
            if slot.state is StepState.PENDING:
                slot.state, slot.reason = StepState.NOT_EXECUTED, reason
        self._settle()

    # -- queries ------------------------------------------------------------------

    def state(self, name: str) -> StepState:
        """The step's current state."""
        return self._slot(name).state

    def reason(self, name: str) -> str | None:
        """Why a step did not execute or failed, if known."""
        return self._slot(name).reason

    def outcome(self, name: str) -> bool | None:
        """A condition step's outcome once it succeeded."""
        return self._slot(name).outcome

    @property
    def halted(self) -> str | None:
        """The reason given to ``halt``, if the run was halted."""
        return self._halted

    @property
    def running(self) -> list[str]:
        """Steps started and not yet finished."""
        return [n.name for n in self.nodes if self._slots[n.name].state is StepState.RUNNING]

    def ready(self) -> list[str]:
        """Steps that may start now, in definition order (without starting them)."""
        if self._halted is not None:
            return []
        return [node.name for node in self.nodes if self._is_ready(self._slots[node.name])]

    @property
    def finished(self) -> bool:
        """True when nothing runs and nothing more can start."""
        return not self.running and not self.ready()

    def states(self) -> dict[str, StepState]:
        """Every step's state, in definition order."""
        return {node.name: self._slots[node.name].state for node in self.nodes}

    # -- transitions --------------------------------------------------------------

    def take_ready(self, limit: int) -> list[str]:
        """Start (mark RUNNING) up to ``limit`` ready steps and return their names."""
        taken = self.ready()[: max(limit, 0)]
        for name in taken:
            self._slots[name].state = StepState.RUNNING
        return taken

    def succeeded(self, name: str, outcome: bool | None = None) -> None:
        """Record success; a condition passes its ``outcome``."""
        slot = self._running(name)
        if slot.node.step_type == "Condition" and outcome is None:
            raise LocalRunError(f"condition step '{name}' succeeded without an outcome")
        slot.state, slot.outcome = StepState.SUCCEEDED, outcome
        self._settle()

    def failed(self, name: str, reason: str) -> None:
        """Record failure: descendants will not execute."""
        slot = self._running(name)
        slot.state, slot.reason = StepState.FAILED, reason
        self._settle()

    def stopped(self, name: str, reason: str) -> None:
        """Record that a running step was stopped (interrupt)."""
        slot = self._running(name)
        slot.state, slot.reason = StepState.STOPPED, reason
        self._settle()

    def halt(self, reason: str) -> None:
        """Start nothing more; pending steps end NOT_EXECUTED with ``reason``."""
        if self._halted is None:
            self._halted = reason
        for slot in self._slots.values():
            if slot.state is StepState.PENDING:
                slot.state, slot.reason = StepState.NOT_EXECUTED, reason

    def check_complete(self) -> None:
        """Raise ``LocalRunError`` if any step is still pending or running."""
        left = [
            f"{name} ({slot.state.value})"
            for name, slot in self._slots.items()
            if not slot.state.terminal
        ]
        if left:
            raise LocalRunError(
                "the run ended with steps unaccounted for: "
                + ", ".join(left)
                + " (a dependency that never finishes: please report this)"
            )

    # -- internals ----------------------------------------------------------------

    def _slot(self, name: str) -> _Slot:
        slot = self._slots.get(name)
        if slot is None:
            raise LocalRunError(f"no step named '{name}' in the pipeline")
        return slot

    def _running(self, name: str) -> _Slot:
        slot = self._slot(name)
        if slot.state is not StepState.RUNNING:
            raise LocalRunError(f"step '{name}' is {slot.state.value}, not running")
        return slot

    def _is_ready(self, slot: _Slot) -> bool:
        if slot.state is not StepState.PENDING:
            return False
        node = slot.node
        if node.condition is not None:
            gate = self._slots[node.condition]
            if gate.state is not StepState.SUCCEEDED or gate.outcome is not node.branch:
                return False
        return all(self._slots[d].state is StepState.SUCCEEDED for d in node.dependencies)

    def _blocker(self, slot: _Slot) -> str | None:
        """Why a pending step can never run, or None if it still may."""
        node = slot.node
        if node.condition is not None:
            gate = self._slots[node.condition]
            branch = "IfSteps" if node.branch else "ElseSteps"
            if gate.state is StepState.SUCCEEDED and gate.outcome is not node.branch:
                return (
                    f"in the {branch} of '{node.condition}', whose outcome was "
                    f"{'True' if gate.outcome else 'False'}"
                )
            if gate.state.terminal and gate.state is not StepState.SUCCEEDED:
                return f"condition '{node.condition}' {_verb(gate.state)}"
        for dependency in sorted(node.dependencies):
            other = self._slots[dependency]
            if other.state.terminal and other.state is not StepState.SUCCEEDED:
                return f"upstream step '{dependency}' {_verb(other.state)}"
        return None

    def _settle(self) -> None:
        changed = True
        while changed:
            changed = False
            for slot in self._slots.values():
                if slot.state is StepState.PENDING:
                    reason = self._blocker(slot)
                    if reason is not None:
                        slot.state, slot.reason = StepState.NOT_EXECUTED, reason
                        changed = True


def _verb(state: StepState) -> str:
    return {
        StepState.FAILED: "failed",
        StepState.STOPPED: "was stopped",
        StepState.NOT_EXECUTED: "did not execute",
    }.get(state, state.value.lower())


def descendants(nodes: Iterable[StepNode], roots: Iterable[str]) -> set[str]:
    """Every step reachable from ``roots`` through dependencies and branches (roots excluded).

    Example::

        descendants(graph, ["Preprocess"])  # {"Train", "Evaluate", "CheckAccuracy", ...}
    """
    followers: dict[str, set[str]] = {}
    for node in nodes:
        for dependency in node.dependencies:
            followers.setdefault(dependency, set()).add(node.name)
        if node.condition is not None:
            followers.setdefault(node.condition, set()).add(node.name)
    found: set[str] = set()
    stack = list(roots)
    while stack:
        for follower in followers.get(stack.pop(), ()):
            if follower not in found:
                found.add(follower)
                stack.append(follower)
    return found
