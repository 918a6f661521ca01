"""``distribution=Distribution.…()`` read back from a training job's hyperparameters.

The SageMaker SDK's ``distribution=`` (and the language's) writes hyperparameters such as
``sagemaker_torch_distributed_enabled``. ``read_distribution`` finds the ``Distribution``
whose own rendering (``Distribution.hyperparameters``) gives exactly the job's distribution
hyperparameters, all of them: the candidate is built and rendered, never assumed. What no
candidate renders stays as hyperparameters. An expression of the input (a parameter as
``sagemaker_instance_type`` or ``processes_per_host``) is rendered by a stand-in that writes
it back as it is; the converter's proof of the module checks what the code makes of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..definition import _distribution_names as names
from ..definition._errors import PipelineDefinitionError
from ..definition._render import JsonValue, RenderContext
from ..definition.distribution import Distribution, check_distribution
from ..definition.expressions import Expression


@dataclass(frozen=True, slots=True)
class DistributionCall:
    """``Distribution.<factory>(…)``: its keywords' values as the input has them.

    ``arguments`` holds ``(keyword, value)`` in the factory's order, values as JSON (an
    expression as the input writes it); ``parameters`` (model parallel) is plain JSON, the
    factory's first positional argument.
    """

    factory: str
    arguments: tuple[tuple[str, Any], ...]


class _Given(Expression):
    """An expression of the input, rendered as the input writes it (see the module)."""

    __slots__ = ("json",)

    def __init__(self, json: JsonValue) -> None:
        self.json = json

    @property
    def value_type(self) -> str:
        return "String"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        return self.json

    def __repr__(self) -> str:
        return f"<the input's {self.json!r}>"


def _language_value(value: Any) -> Any:
    """A value of the input as a ``Distribution`` takes it: an expression by its stand-in."""
    return _Given(value) if isinstance(value, Mapping) else value


class _NotDistributionError(Exception):
    """The hyperparameters are not what a ``Distribution`` writes."""


def read_distribution(
    hyperparameters: Mapping[str, Any],
    *,
    where: str,
    instance_type: Any,
    cluster: Mapping[str, Any] | None,
    script_name: str | None,
    tuning: bool,
) -> DistributionCall | None:
    """The ``Distribution`` that writes the distribution members of ``hyperparameters``.

    ``hyperparameters`` are the job's as the converter writes them (a ``Std:Join`` of one
    expression unwrapped); ``instance_type`` and ``cluster`` (group name to instance type)
    are what the step's keywords give the job, as ``TrainingStep`` passes them to
    ``Distribution.hyperparameters``; ``where`` names the step for
    ``check_distribution``. None when there are no distribution hyperparameters, or no
    candidate renders exactly them or passes the language's checks.
    """
    given = {k: v for k, v in hyperparameters.items() if k in names.DISTRIBUTION_HYPERPARAMETERS}
    if not given:
        return None
    others = {k: v for k, v in hyperparameters.items() if k not in given}
    try:
        candidates = list(_candidates(given, cluster))
    except _NotDistributionError:
        return None
    groups = list(cluster) if cluster is not None else None
    for call in candidates:
        try:
            distribution = _build(call)
            check_distribution(
                where,
                distribution,
                image=None,
                instance_type=_language_value(instance_type) if cluster is None else None,
                cluster=(
                    {name: _language_value(value) for name, value in cluster.items()}
                    if cluster is not None
                    else None
                ),
                hyperparameters=others,
                script_name=script_name,
                tuning=tuning,
            )
            rendered = distribution.hyperparameters(
                _language_value(instance_type) if cluster is None else None, groups
            )
        except (PipelineDefinitionError, TypeError, ValueError):
            continue
        if rendered == given:
            return call
    return None


# The factories' keywords that take an expression (a parameter); the others are plain JSON.
EXPRESSION_KEYWORDS = frozenset({"processes_per_host", "custom_mpi_options"})


def _build(call: DistributionCall) -> Distribution:
    factory = getattr(Distribution, call.factory)
    distribution: Distribution = factory(
        **{
            name: _language_value(value) if name in EXPRESSION_KEYWORDS else value
            for name, value in call.arguments
        }
    )
    return distribution


def _decoded(value: Any, *, expression: bool) -> Any:
    """A hyperparameter's JSON text decoded (an expression as it is, where one is taken)."""
    if isinstance(value, Mapping) and expression:
        return value
    if not isinstance(value, str):
        raise _NotDistributionError
    try:
        return json.loads(value)
    except ValueError:
        raise _NotDistributionError from None


def _candidates(
    given: Mapping[str, Any], cluster: Mapping[str, Any] | None
) -> Iterator[DistributionCall]:
    """The calls that may write ``given``, the one a person writes first."""
    switches = {
        key: given[key]
        for key in (
            names.TORCH_DISTRIBUTED_ENABLED,
            names.MPI_ENABLED,
            names.DATA_PARALLEL_ENABLED,
            names.PARAMETER_SERVER_ENABLED,
            names.MULTI_WORKER_MIRRORED_ENABLED,
        )
        if key in given
    }
    groups = None
    if names.DISTRIBUTION_GROUPS in given:
        groups = _decoded(given[names.DISTRIBUTION_GROUPS], expression=False)
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise _NotDistributionError
    processes = None
    if names.MPI_PROCESSES_PER_HOST in given:
        processes = _decoded(given[names.MPI_PROCESSES_PER_HOST], expression=True)
        if not isinstance(processes, Mapping) and type(processes) is not int:
            raise _NotDistributionError
    options = {}
    for keyword, key in (
        ("mpi", names.MPI_CUSTOM_OPTIONS),
        ("data", names.DATA_PARALLEL_CUSTOM_OPTIONS),
    ):
        if key in given:
            value = _decoded(given[key], expression=True)
            if not isinstance(value, Mapping | str):
                raise _NotDistributionError
            if value != "":  # the factories' default
                options[keyword] = value
    parameters = None
    if names.MODEL_PARALLEL_PARAMETERS in given:
        parameters = _decoded(given[names.MODEL_PARALLEL_PARAMETERS], expression=False)
        if not isinstance(parameters, dict):
            raise _NotDistributionError

    def call(factory: str, *arguments: tuple[str, Any]) -> DistributionCall:
        return DistributionCall(
            factory, tuple((name, value) for name, value in arguments if value is not None)
        )

    # A cluster of one group needs no name (the factory names it, as the SDK does).
    named = [groups]
    if groups is not None and cluster is not None and list(cluster) == groups:
        named = [None, groups]
    data_parallel = switches.get(names.DATA_PARALLEL_ENABLED)
    if names.PARAMETER_SERVER_ENABLED in switches:
        yield call("parameter_server")
    elif names.MULTI_WORKER_MIRRORED_ENABLED in switches:
        yield call("multi_worker_mirrored_strategy")
    elif data_parallel == "true":
        for instance_groups in named:
            yield call(
                "smdistributed_data_parallel",
                ("custom_mpi_options", options.get("data")),
                ("instance_groups", instance_groups),
            )
    elif data_parallel == "false":
        mpi = names.MPI_ENABLED in switches
        for instance_groups in named if mpi else [None]:
            yield call(
                "smdistributed_model_parallel",
                ("parameters", parameters),
                ("launcher", "mpi" if mpi else None),
                ("processes_per_host", processes),
                ("custom_mpi_options", options.get("mpi")),
                ("instance_groups", instance_groups),
            )
    elif names.MPI_ENABLED in switches:
        for instance_groups in named:
            yield call(
                "mpi",
                ("processes_per_host", processes),
                ("custom_mpi_options", options.get("mpi")),
                ("instance_groups", instance_groups),
            )
    elif names.TORCH_DISTRIBUTED_ENABLED in switches:
        yield call("torch_distributed")
