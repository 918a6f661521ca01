"""A cap on the instance types a pipeline may start: the option, the definition, the Deny.

``sagemaker:InstanceTypes`` (ArrayOfString) is, in the Service Authorization Reference's
words, "the list of all instance types associated with the resource in the request"
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html).
Of the Create calls a pipeline's steps make, these take it: CreateProcessingJob (the
check steps' jobs too), CreateTrainingJob, CreateHyperParameterTuningJob,
CreateTransformJob and CreateEndpointConfig. CreateModel, CreateModelPackage,
CreateAutoMLJob(V2), CreateEndpoint and CreateInferenceComponent don't: a model, a
registered version's supported instance types, an endpoint of a configuration, are no
instances of their own (AutoML chooses its instances itself).

The reference doesn't say which request members feed the key. Read here: every member of
the request whose botocore shape is an instance-type enum (``ResourceConfig.InstanceType``,
each ``InstanceGroups[].InstanceType``, a tuning job's every training job definition's,
a training job's Debugger rule jobs', each endpoint variant's, …): the instance types a
request names. A request naming none (a serverless endpoint configuration) carries no key.

Example::

    cap = ("ml.m5.*", "ml.g5.2xlarge")
    cap_option_problems(cap)  # [] (each entry names types SageMaker takes)
    instance_type_fields("Training", {"ResourceConfig": {"InstanceType": "ml.p5.48xlarge"}})
    # [('ResourceConfig.InstanceType', 'ml.p5.48xlarge')]
    within_cap("ml.p5.48xlarge", cap)  # False
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._errors import Problem
from ._service_model import shape, shapes
from ._shape_check import is_expression
from ._suggest import did_you_mean, one_of
from ._tokens import is_token
from .entries import walk_steps

INSTANCE_TYPES = "sagemaker:InstanceTypes"
# The step types whose Create call takes sagemaker:InstanceTypes, with that call's request
# shape (check steps run processing jobs: see CAPPED_KIND).
REQUEST_SHAPES: dict[str, str] = {
    "Processing": "CreateProcessingJobRequest",
    "Training": "CreateTrainingJobRequest",
    "Tuning": "CreateHyperParameterTuningJobRequest",
    "Transform": "CreateTransformJobRequest",
    "EndpointConfig": "CreateEndpointConfigInput",
}
CAPPED_ACTIONS: dict[str, str] = {
    "Processing": "sagemaker:CreateProcessingJob",
    "Training": "sagemaker:CreateTrainingJob",
    "Tuning": "sagemaker:CreateHyperParameterTuningJob",
    "Transform": "sagemaker:CreateTransformJob",
    "EndpointConfig": "sagemaker:CreateEndpointConfig",
}
# Per step type, the kind whose request it makes: check steps make processing jobs.
CAPPED_KIND: dict[str, str] = {
    **{kind: kind for kind in REQUEST_SHAPES},
    "QualityCheck": "Processing",
    "ClarifyCheck": "Processing",
}
# botocore's instance-type enums of those requests (what validation judges fields by).
_ENUM_SHAPES = (
    "ProcessingInstanceType",
    "TrainingInstanceType",
    "TransformInstanceType",
    "ProductionVariantInstanceType",
)
DENY_SID = "DenyOtherInstanceTypes"
_WILDCARDS = re.compile(r"[*?]")


@cache
def known_instance_types() -> frozenset[str]:
    """Every instance type the capped requests take (botocore's enums, together).

    Example::

        "ml.p5.48xlarge" in known_instance_types()  # True
    """
    return frozenset(value for name in _ENUM_SHAPES for value in shape(name)["enum"])


@cache
def _pattern(text: str) -> re.Pattern[str]:
    """IAM's ``StringLike``: ``*`` any run of characters, ``?`` one; case-sensitive."""
    return re.compile(
        "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text),
        re.DOTALL,
    )


def within_cap(instance_type: str, cap: Sequence[str]) -> bool:
    """Whether ``instance_type`` matches one of ``cap`` as IAM's ``StringLike`` would.

    Example::

        within_cap("ml.g5.xlarge", ["ml.m5.*", "ml.g5.*"])  # True
    """
    return any(_pattern(allowed).fullmatch(instance_type) for allowed in cap)


def cap_option_problems(cap: Sequence[str]) -> list[tuple[str, str | None]]:
    """``(message, hint)`` for each entry of a cap that names no instance type SageMaker takes.

    ``cap`` holds strings (the caller checks the type). An instance type must be one of
    botocore's (``known_instance_types``); a pattern (``*``, ``?``) must match at least one.
    Misspellings get a suggestion: the type meant, or for a pattern the family's
    (``ml.g5x.*`` → ``ml.g5.*``).

    Example::

        cap_option_problems(["ml.m5.lrge"])
        # [("'ml.m5.lrge' is no instance type SageMaker takes", "did you mean 'ml.m5.large'?")]
    """
    known = known_instance_types()
    problems: list[tuple[str, str | None]] = []
    if not cap:
        problems.append(
            (
                "an empty cap would deny every job",
                "give the instance types the pipeline may start, such as ['ml.m5.*']",
            )
        )
    for entry in cap:
        if is_token(entry):
            problems.append(
                (
                    f"{entry!r} is known only at deploy time, but the cap is checked against "
                    "the definition at synth",
                    "write the instance types out",
                )
            )
        elif _WILDCARDS.search(entry) is None:
            if entry not in known:
                problems.append(
                    (
                        f"{entry!r} is no instance type SageMaker takes (botocore's "
                        "processing, training, transform and endpoint instance types)",
                        did_you_mean(entry, known),
                    )
                )
        elif not any(_pattern(entry).fullmatch(value) for value in known):
            families = sorted({f"{_family_prefix(value)}*" for value in known})
            problems.append(
                (
                    f"pattern {entry!r} matches no instance type SageMaker takes",
                    did_you_mean(entry, families),
                )
            )
    return problems


def _family_prefix(instance_type: str) -> str:
    """``ml.g5.2xlarge`` → ``ml.g5.``."""
    return instance_type.rsplit(".", 1)[0] + "."


@cache
def _holds_instance_type(shape_name: str) -> bool:
    """Whether a value of ``shape_name`` has an instance-type member, however deep."""
    pending, seen = [shape_name], {shape_name}
    while pending:
        current = shapes()[pending.pop()]
        if current.get("type") == "structure":
            targets = [member["shape"] for member in current.get("members", {}).values()]
        elif current.get("type") == "list":
            targets = [current["member"]["shape"]]
        else:
            continue
        for target in targets:
            if target in _ENUM_SHAPES:
                return True
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return False


def instance_type_fields(kind: str, arguments: Any) -> list[tuple[str, Any]]:
    """Each member of a ``kind`` request that names an instance type, with its value.

    ``kind`` is a key of ``REQUEST_SHAPES`` (another gives none). Values are as written: a
    string, or an expression (``{"Get": "Parameters.TrainType"}``); a member on the way
    that is an expression (``ResourceConfig: {"Get": …}``), or a list given as one, is
    listed as that expression, as it may name any instance type at run time.

    Example::

        instance_type_fields("Tuning", {"TrainingJobDefinitions": [
            {"ResourceConfig": {"InstanceType": "ml.m5.xlarge"}}]})
        # [('TrainingJobDefinitions[0].ResourceConfig.InstanceType', 'ml.m5.xlarge')]
    """
    request = REQUEST_SHAPES.get(kind)
    if request is None:
        return []
    return list(_walk(request, arguments, ""))


def _walk(shape_name: str, value: Any, where: str) -> Iterator[tuple[str, Any]]:
    if shape_name in _ENUM_SHAPES:
        yield where, value
        return
    if not _holds_instance_type(shape_name):
        return
    if is_expression(value) or is_token(value):
        yield where, value
        return
    current = shapes()[shape_name]
    if current.get("type") == "structure" and isinstance(value, Mapping):
        for name, member in current.get("members", {}).items():
            if name in value:
                yield from _walk(member["shape"], value[name], f"{where}.{name}".lstrip("."))
    elif current.get("type") == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(current["member"]["shape"], item, f"{where}[{index}]")


def request_instance_types(kind: str, arguments: Any) -> tuple[str, ...] | None:
    """The ``sagemaker:InstanceTypes`` values of a request as evaluated; None if unreadable.

    Each instance type once, in the request's order; ``()`` for a request naming none. None
    when a member is still an expression (not evaluated) or not a string.

    Example::

        request_instance_types("Processing", {"ProcessingResources": {"ClusterConfig": {
            "InstanceType": "ml.m5.large"}}})  # ('ml.m5.large',)
    """
    found: list[str] = []
    for _, value in instance_type_fields(kind, arguments):
        if not isinstance(value, str) or is_token(value):
            return None
        if value not in found:
            found.append(value)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class OpenInstanceType:
    """An instance type the cap can't judge at synth: only the role's Deny guards it.

    ``parameter``: the parameter it is (which has no ``EnumValues``), else None for another
    value known only at run or deploy time (a step property, a ``Join``, a token).

    Example::

        OpenInstanceType("Train", "Arguments.ResourceConfig.InstanceType", "TrainType")
    """

    step: str
    field: str
    parameter: str | None


def capped_definition_problems(
    definition: Mapping[str, Any], cap: Sequence[str]
) -> tuple[list[Problem], list[OpenInstanceType]]:
    """Where ``definition`` asks for an instance type outside ``cap``, and what isn't known.

    Every step whose Create call takes ``sagemaker:InstanceTypes`` (``CAPPED_KIND``),
    branch steps included: a literal instance type outside the cap is a problem naming the
    step and field; one from a parameter, its default and each of its ``EnumValues``
    (a problem naming the parameter, and the step and field using it). A parameter without
    ``EnumValues``, which an execution may set to anything, and any other expression are
    returned as open: the caller warns.

    Example::

        problems, open_types = capped_definition_problems(definition, ["ml.m5.*"])
    """
    problems: list[Problem] = []
    open_types: list[OpenInstanceType] = []
    shown = one_of(cap)
    parameters = {
        entry.get("Name"): (index, entry)
        for index, entry in enumerate(definition.get("Parameters") or [])
        if isinstance(entry, Mapping)
    }
    judged: set[str] = set()
    for spec in walk_steps(definition.get("Steps")):
        kind = CAPPED_KIND.get(spec.step_type)
        if kind is None:
            continue
        for where, value in instance_type_fields(kind, spec.entry.get("Arguments")):
            field = f"Arguments.{where}"
            if isinstance(value, str) and not is_token(value):
                if not within_cap(value, cap):
                    problems.append(
                        Problem(
                            spec.name,
                            field,
                            f"instance type {value!r} is outside allowed_instance_types ({shown})",
                            "choose an instance type the cap allows, or widen the cap",
                        )
                    )
                continue
            name = _parameter_name(value)
            if name is None or name not in parameters:
                open_types.append(OpenInstanceType(spec.name, field, None))
                continue
            index, entry = parameters[name]
            enum_values = entry.get("EnumValues")
            if not isinstance(enum_values, list) or any(is_token(item) for item in enum_values):
                open_types.append(OpenInstanceType(spec.name, field, name))
            if name in judged:
                continue  # a parameter's values are reported once, at its first use
            judged.add(name)
            used = f"the instance type of step '{spec.name}' field '{field}'"
            default = entry.get("DefaultValue")
            if isinstance(default, str) and not is_token(default) and not within_cap(default, cap):
                problems.append(
                    Problem(
                        None,
                        f"Parameters[{index}].DefaultValue",
                        f"parameter '{name}' default {default!r} ({used}) is outside "
                        f"allowed_instance_types ({shown})",
                        "choose a default the cap allows, or widen the cap",
                    )
                )
            for item in enum_values if isinstance(enum_values, list) else []:
                if isinstance(item, str) and not is_token(item) and not within_cap(item, cap):
                    problems.append(
                        Problem(
                            None,
                            f"Parameters[{index}].EnumValues",
                            f"parameter '{name}' value {item!r} ({used}) is outside "
                            f"allowed_instance_types ({shown})",
                            "an execution may start it: drop it from the EnumValues, or "
                            "widen the cap",
                        )
                    )
    return problems, open_types


def _parameter_name(value: Any) -> str | None:
    """``X`` of ``{"Get": "Parameters.X"}``; None for any other value."""
    reference = value.get("Get") if is_expression(value) else None
    if isinstance(reference, str) and reference.startswith("Parameters."):
        return reference.split(".", 1)[1]
    return None


def cap_condition(cap: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """The Deny's condition: a request naming any instance type outside ``cap``.

    ``ForAnyValue:StringNotLike``: true when some value of the request's
    ``sagemaker:InstanceTypes`` matches none of the patterns. A request without the key
    (it names no instance type) isn't denied; see docs/limitations.md.

    Example::

        cap_condition(["ml.m5.*"])
        # {'ForAnyValue:StringNotLike': {'sagemaker:InstanceTypes': ['ml.m5.*']}}
    """
    return {"ForAnyValue:StringNotLike": {INSTANCE_TYPES: list(dict.fromkeys(cap))}}
