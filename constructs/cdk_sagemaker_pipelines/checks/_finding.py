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
    """Each declared parameter's ``DefaultValue`` (``None`` for one without), by name.

    Example::

        parameter_defaults(definition)["TrainType"]  # "ml.m5.xlarge"
    """
    return {
        str(entry.get("Name")): entry.get("DefaultValue")
        for entry in definition.get("Parameters") or []
        if isinstance(entry, Mapping)
    }


# Where each job step type names its instances' type, as its request has it (a tuning
# step's in each training job definition: see ``job_arguments``).
_INSTANCE_TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "Processing": ("ProcessingResources.ClusterConfig.InstanceType",),
    "QualityCheck": ("ProcessingResources.ClusterConfig.InstanceType",),
    "ClarifyCheck": ("ProcessingResources.ClusterConfig.InstanceType",),
    "Training": ("ResourceConfig.InstanceType",),
    "Tuning": (
        "TrainingJobDefinition.ResourceConfig.InstanceType",
        "TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceType",
    ),
    "Transform": ("TransformResources.InstanceType",),
}


@dataclass(frozen=True, slots=True)
class InstanceTypeUse:
    """One instance type a step asks for: where, and what it is at synth.

    ``instance_type`` is the literal, or the default of the parameter named in
    ``parameter`` (``{"Get": "Parameters.X"}``: a run may give another value); ``None``
    when it is known only at run time (a step property, a CloudFormation reference).

    Example::

        InstanceTypeUse("Arguments.ResourceConfig.InstanceType", "ml.m5.xlarge", "TrainType")
    """

    field: str
    instance_type: str | None
    parameter: str | None = None


def instance_types(
    step: Mapping[str, Any], definition: Mapping[str, Any]
) -> Iterator[InstanceTypeUse]:
    """Each instance type ``step`` asks for, with its field: for an allow-list rule.

    Covers Processing, the check steps, Training (and the groups of a heterogeneous
    cluster), Tuning (each training job definition), Transform and the variants of an
    ``EndpointConfig`` step (shadow variants too; a serverless one has none). A value from
    a parameter is judged by its default, as the built-in checks judge it.

    Example::

        for step in all_steps(definition):
            for use in instance_types(step, definition):
                if use.instance_type not in ALLOWED:
                    yield Finding(str(step.get("Name")), use.field, f"{use.instance_type}")
    """
    defaults = parameter_defaults(definition)
    kind = str(step.get("Type"))
    if kind == "EndpointConfig":
        for where, variant in endpoint_variants(step.get("Arguments")):
            if variant.get("ServerlessConfig") is None:
                yield _use(f"Arguments.{where}.InstanceType", variant.get("InstanceType"), defaults)
        return
    fields = _INSTANCE_TYPE_FIELDS.get(kind)
    if fields is None:
        return
    for arguments, name in job_arguments(step):
        for field in fields:
            value = dig(arguments, field)
            if value is not None:
                yield _use(f"Arguments.{name(field)}", value, defaults)
        if kind == "Training":
            groups = dig(arguments, "ResourceConfig.InstanceGroups")
            for index, group in enumerate(groups if isinstance(groups, list) else []):
                if isinstance(group, Mapping):
                    where = f"Arguments.ResourceConfig.InstanceGroups[{index}].InstanceType"
                    yield _use(where, group.get("InstanceType"), defaults)


def _use(field: str, value: Any, defaults: Mapping[str, Any]) -> InstanceTypeUse:
    """What ``value`` at ``field`` is at synth: a literal, a parameter's default, or unknown."""
    if isinstance(value, str):
        return InstanceTypeUse(field, None if "${" in value else value)
    reference = value.get("Get") if isinstance(value, Mapping) and len(value) == 1 else None
    if isinstance(reference, str) and reference.startswith("Parameters."):
        parameter = reference.split(".", 1)[1]
        default = defaults.get(parameter)
        known = isinstance(default, str) and "${" not in default
        return InstanceTypeUse(field, default if known else None, parameter)
    return InstanceTypeUse(field, None)
