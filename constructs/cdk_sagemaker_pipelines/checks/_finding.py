"""The result record of a check, and helpers shared by the checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# A tuning job's training settings: one TrainingJobDefinition, or several in
# TrainingJobDefinitions (a tuning job of several algorithms, the SDK's
# HyperparameterTuner.create). The checks' fields for tuning steps name the first form.
SINGLE_DEFINITION = "TrainingJobDefinition"
DEFINITIONS = "TrainingJobDefinitions"
# The variants of an endpoint configuration (an EndpointConfig step's Arguments): those
# that serve traffic, then those that receive a copy of it (shadow testing). Each runs on
# instances of its own, or serverless.
VARIANT_LISTS = ("ProductionVariants", "ShadowProductionVariants")


@dataclass(frozen=True, slots=True)
class Finding:
    """One non-compliant place: the step, the field and what was found there.

    ``step`` is ``""`` for a finding of the pipeline as a whole (no parameter it needs, say):
    its acknowledgment id is then the rule's id alone. ``field`` may be ``""`` too.

    Example::

        Finding("Train", "Arguments.Tags", "no cost-center tag")
        Finding("", "", "the pipeline declares no CostCenter parameter")
    """

    step: str
    field: str
    info: str


def all_steps(definition: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every step, branch steps included."""
    pending = list(definition.get("Steps") or [])
    while pending:
        step = pending.pop(0)
        if not isinstance(step, Mapping):
            continue
        yield step
        if step.get("Type") == "Condition":
            arguments = step.get("Arguments") or {}
            pending += list(arguments.get("IfSteps") or []) + list(arguments.get("ElseSteps") or [])


def dig(value: Any, path: str) -> Any:
    """``dig(arguments, "ResourceConfig.VolumeKmsKeyId")`` or ``None``."""
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _same(field: str) -> str:
    return field


def job_arguments(step: Mapping[str, Any]) -> Iterator[tuple[Any, Callable[[str], str]]]:
    """The arguments of each job a step configures, with how to name a field of it.

    A tuning step of several training job definitions (``TrainingJobDefinitions``) runs
    each definition's training jobs with that definition's keys, network and environment:
    each is checked as the ``TrainingJobDefinition`` of a tuning step of its own, and a
    field of it is named ``TrainingJobDefinitions[<index>].…``. Any other step is one job.

    Example::

        for arguments, name in job_arguments(step):
            if not dig(arguments, "TrainingJobDefinition.OutputDataConfig.KmsKeyId"):
                field = name("TrainingJobDefinition.OutputDataConfig.KmsKeyId")
    """
    arguments = step.get("Arguments")
    definitions = dig(arguments, DEFINITIONS) if step.get("Type") == "Tuning" else None
    if not isinstance(definitions, list) or not definitions:
        yield arguments, _same
        return
    if dig(arguments, SINGLE_DEFINITION) is not None:
        yield arguments, _same
    for index, item in enumerate(definitions):
        where = f"{DEFINITIONS}[{index}]"

        def name(field: str, where: str = where) -> str:
            head, dot, tail = field.partition(".")
            return f"{where}{dot}{tail}" if head == SINGLE_DEFINITION else field

        yield {SINGLE_DEFINITION: item}, name


def endpoint_variants(arguments: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each variant of an endpoint configuration, shadow variants too, with its field.

    Example::

        for where, variant in endpoint_variants(step.get("Arguments")):
            print(where, variant.get("InstanceType"))  # ProductionVariants[0] ml.m5.large
    """
    for key in VARIANT_LISTS:
        variants = dig(arguments, key)
        for index, variant in enumerate(variants if isinstance(variants, list) else []):
            if isinstance(variant, Mapping):
                yield f"{key}[{index}]", variant


def parameter_defaults(definition: Mapping[str, Any]) -> dict[str, Any]:
    """Each declared parameter's ``DefaultValue`` (``None`` for one without), by name."""
    return {
        str(entry.get("Name")): entry.get("DefaultValue")
        for entry in definition.get("Parameters") or []
        if isinstance(entry, Mapping)
    }
