"""Rules of CreateHyperParameterTuningJob that the validator and the local runner both apply.

The validator applies them to a definition's literal values when it compiles; the local
runner applies them to the resolved request when a tuning step runs, for the values that
only an execution knows (parameters, other steps' properties). One implementation keeps
the two verdicts the same for the same request; each side words its own messages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._shape_check import is_expression
from ._tokens import is_token

HYPERBAND = "Hyperband"
GRID = "Grid"
# The static hyperparameters Hyperband infers MaxResource from, in the API's order
# (HyperbandStrategyConfig.MaxResource).
HYPERBAND_EPOCH_HYPERPARAMETERS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")
# The ParameterRanges members, as ``<kind>ParameterRanges``.
RANGE_KINDS = ("Continuous", "Integer", "Categorical")


# A tuning job of one ``TrainingJobDefinition`` may keep its objective and ranges in the
# config (where the SageMaker SDK writes them) or in the definition (the API's shape has
# both): the config's member, then the definition's.
SINGLE_DEFINITION_MEMBERS = {
    "objective": ("HyperParameterTuningJobObjective", "TuningObjective"),
    "ranges": ("ParameterRanges", "HyperParameterRanges"),
}


def single_definition_member(
    config: Mapping[str, Any], job: Any, what: Literal["objective", "ranges"]
) -> tuple[Any, str]:
    """The objective or ranges a tuning job of one definition uses, and where it is written.

    The config's (``HyperParameterTuningJobObjective``, ``ParameterRanges``), else the
    definition's own (``TuningObjective``, ``HyperParameterRanges``); ``(None, the
    config's field)`` when neither is given.

    Example::

        ranges, field = single_definition_member(config, arguments["TrainingJobDefinition"],
                                                 "ranges")
    """
    in_config, own = SINGLE_DEFINITION_MEMBERS[what]
    shared = config.get(in_config)
    if shared is None and _is_object(job) and job.get(own) is not None:
        return job.get(own), f"TrainingJobDefinition.{own}"
    return shared, f"HyperParameterTuningJobConfig.{in_config}"


@dataclass(frozen=True, slots=True)
class TuningShape:
    """What a warm start compares of a tuning job (``None``: not known before it runs).

    ``count`` is the number of static plus tuned hyperparameters as the SageMaker SDK writes
    them: a name both static and tuned is counted once (the SDK drops tuned names from the
    static ones). ``kinds`` maps each tuned name to ``continuous``, ``integer`` or
    ``categorical``.

    Example::

        TuningShape.of(arguments["HyperParameterTuningJobConfig"],
                       arguments.get("TrainingJobDefinition")).count
    """

    metric: str | None
    count: int | None
    kinds: dict[str, str]

    @staticmethod
    def of(config: Mapping[str, Any], job: Any) -> TuningShape:
        """The shape of a tuning job config and its ``TrainingJobDefinition`` (or None).

        The objective and ranges are the ones the job uses: the config's, else the
        definition's own (``single_definition_member``).
        """
        objective, _ = single_definition_member(config, job, "objective")
        metric: Any = objective.get("MetricName") if _is_object(objective) else None
        ranges, _ = single_definition_member(config, job, "ranges")
        kinds: dict[str, str] = {}
        known = _is_object(ranges)
        for kind in RANGE_KINDS if known else ():
            items = ranges.get(f"{kind}ParameterRanges")
            if items is None:
                continue
            if type(items) is not list:
                known = False
                continue
            for item in items:
                name = item.get("Name") if isinstance(item, Mapping) else None
                if type(name) is not str:
                    known = False
                    continue
                kinds[name] = kind.lower()
        static: Any = job.get("StaticHyperParameters") if _is_object(job) else {}
        if static is None:
            static = {}
        count = len(set(kinds) | set(static)) if known and _is_object(static) else None
        return TuningShape(
            metric if type(metric) is str and not is_token(metric) else None, count, kinds
        )


@dataclass(frozen=True, slots=True)
class WarmStartMismatch:
    """One way a warm-started tuning job differs from a parent where the service forbids it.

    ``what`` is ``metric`` (the objective metric's name), ``count`` (static plus tuned
    hyperparameters) or ``kind`` (``hyperparameter``'s range type); ``parent`` and ``child``
    are the two values.

    Example::

        WarmStartMismatch("count", parent=4, child=5)
    """

    what: Literal["metric", "count", "kind"]
    parent: str | int
    child: str | int
    hyperparameter: str | None = None


def warm_start_mismatches(child: TuningShape, parent: TuningShape) -> list[WarmStartMismatch]:
    """How ``child`` breaks the warm-start rules against ``parent``; unknown values pass.

    The API's HyperParameterTuningJobWarmStartConfig: "the total number of static plus
    tunable hyperparameters must remain the same as it is in all parent jobs"; the
    warm-start guide also requires the same objective metric and each hyperparameter to
    keep its type (continuous, integer or categorical).
    """
    found: list[WarmStartMismatch] = []
    if child.metric is not None and parent.metric is not None and child.metric != parent.metric:
        found.append(WarmStartMismatch("metric", parent.metric, child.metric))
    if child.count is not None and parent.count is not None and child.count != parent.count:
        found.append(WarmStartMismatch("count", parent.count, child.count))
    for hyperparameter, kind in sorted(child.kinds.items()):
        before = parent.kinds.get(hyperparameter)
        if before is not None and before != kind:
            found.append(WarmStartMismatch("kind", before, kind, hyperparameter))
    return found


def hyperband_max_resource_missing(arguments: Mapping[str, Any]) -> bool:
    """Whether a Hyperband tuning request has no MaxResource and none can be inferred.

    The API's HyperbandStrategyConfig: without MaxResource, Hyperband "attempts to infer
    MaxResource from the following keys (if present) in StaticsHyperParameters: epochs,
    numepochs, n-epochs, n_epochs, num_epochs", and "if HyperbandStrategyConfig is unable
    to infer a value for MaxResource, it generates a validation error". False when it
    can't be judged: a value known only at run time, or several training job definitions
    (which one it infers from is undocumented).
    """
    config: Any = arguments.get("HyperParameterTuningJobConfig")
    if not _is_object(config):
        return False
    strategy_config: Any = config.get("StrategyConfig")
    hyperband: Any = None
    if strategy_config is not None:
        if not _is_object(strategy_config):
            return False  # an expression or a wrong type
        hyperband = strategy_config.get("HyperbandStrategyConfig")
        if hyperband is not None and not _is_object(hyperband):
            return False
    if hyperband is not None and hyperband.get("MaxResource") is not None:
        return False
    if "TrainingJobDefinitions" in arguments:
        return False
    job: Any = arguments.get("TrainingJobDefinition")
    static: Any = job.get("StaticHyperParameters") if _is_object(job) else None
    if static is not None and not _is_object(static):
        return False  # an expression or a wrong type
    return not any(key in HYPERBAND_EPOCH_HYPERPARAMETERS for key in static or {})


def hyperband_resources_out_of_order(config: Mapping[str, Any]) -> tuple[int, int] | None:
    """``(MinResource, MaxResource)`` if the minimum is above the maximum, else None.

    The API's HyperbandStrategyConfig: MinResource is "the minimum number of resources (such
    as epochs) that can be used by a training job" and MaxResource "the maximum number of
    resources (such as epochs) that can be used by a training job"; a minimum above the
    maximum leaves no budget to run. Only integer literals are judged.
    """
    strategy_config: Any = config.get("StrategyConfig")
    hyperband: Any = (
        strategy_config.get("HyperbandStrategyConfig")
        if isinstance(strategy_config, Mapping)
        else None
    )
    if not isinstance(hyperband, Mapping):
        return None
    low, high = hyperband.get("MinResource"), hyperband.get("MaxResource")
    if type(low) is int and type(high) is int and low > high:
        return low, high
    return None


def literal_strategy(config: Mapping[str, Any]) -> str | None:
    """The tuning strategy if it is a literal (not an expression or a token), else None."""
    strategy = config.get("Strategy")
    return strategy if type(strategy) is str and not is_token(strategy) else None


def hyperband_early_stopping(config: Mapping[str, Any]) -> str | None:
    """The early stopping type of a Hyperband job if it isn't ``Off``, else None.

    The API: "TrainingJobEarlyStoppingType must be OFF to use Hyperband". Only a literal
    is judged.
    """
    early_stopping = config.get("TrainingJobEarlyStoppingType")
    if (
        literal_strategy(config) == HYPERBAND
        and type(early_stopping) is str
        and not is_token(early_stopping)
        and early_stopping != "Off"
    ):
        return early_stopping
    return None


def strategy_config_without_hyperband(config: Mapping[str, Any]) -> str | None:
    """The strategy of a job that has a StrategyConfig but isn't Hyperband, else None.

    The API's StrategyConfig "should be provided only if Hyperband is selected".
    """
    strategy = literal_strategy(config)
    if strategy is not None and strategy != HYPERBAND and config.get("StrategyConfig") is not None:
        return strategy
    return None


@dataclass(frozen=True, slots=True)
class GridRange:
    """A continuous or integer range of a Grid tuning job, which searches categorical ones only.

    ``kind`` is ``Continuous`` or ``Integer``, ``index`` its position in
    ``<kind>ParameterRanges`` and ``name`` the hyperparameter (None if not a literal).

    Example::

        GridRange("Integer", 0, "max_depth").subject  # "'max_depth' is integer"
    """

    kind: str
    index: int
    name: str | None

    @property
    def subject(self) -> str:
        """What the range is, for a message: ``'max_depth' is integer``."""
        named = f"'{self.name}'" if self.name is not None else "the range"
        return f"{named} is {self.kind.lower()}"


def grid_non_categorical_ranges(config: Mapping[str, Any]) -> list[GridRange]:
    """The continuous and integer ranges of a Grid tuning job (none for other strategies).

    The developer guide ("How hyperparameter tuning works", Grid search): "Only categorical
    parameters are supported when using the grid search strategy." Only a literal strategy
    is judged.
    """
    ranges: Any = config.get("ParameterRanges")
    if literal_strategy(config) != GRID or not _is_object(ranges):
        return []
    found: list[GridRange] = []
    for kind in ("Continuous", "Integer"):
        items: Any = ranges.get(f"{kind}ParameterRanges")
        if type(items) is not list:
            continue
        for index, item in enumerate(items):
            name = item.get("Name") if isinstance(item, Mapping) else None
            found.append(GridRange(kind, index, name if type(name) is str else None))
    return found


def grid_values(item: Mapping[str, Any]) -> list[Any] | None:
    """A categorical range's distinct values in their order, or None if it can't be judged.

    Grid search runs "the total number of distinct categorical combinations possible"
    (developer guide, "Understand the hyperparameter tuning strategies"): a value listed
    twice is one value. A value that is an expression or a token may equal another once
    resolved, so such a range can't be counted.
    """
    values: Any = item.get("Values")
    if type(values) is not list or not all(
        type(value) is str and not is_token(value) for value in values
    ):
        return None
    return list(dict.fromkeys(values))


@dataclass(frozen=True, slots=True)
class DefinitionView:
    """The tuning job config as one training job definition's trials see it.

    A tuning job of one ``TrainingJobDefinition`` has its ranges in the config's
    ``ParameterRanges`` (else in the definition's own ``HyperParameterRanges``:
    ``single_definition_member``); one of several ``TrainingJobDefinitions`` has each
    definition's ranges in its ``HyperParameterRanges``. ``config`` is the shared config with that
    definition's ranges as ``ParameterRanges``, so the range rules read both alike;
    ``ranges_field`` is where the ranges are in the request, ``job`` the definition.

    Example::

        [view.ranges_field for view in definition_views(arguments)]
        # ["TrainingJobDefinitions[0].HyperParameterRanges", …]
    """

    config: Mapping[str, Any]
    ranges_field: str


def definition_views(arguments: Mapping[str, Any]) -> list[DefinitionView]:
    """One ``DefinitionView`` per training job definition (none if the config isn't readable)."""
    config: Any = arguments.get("HyperParameterTuningJobConfig")
    if not _is_object(config):
        return []
    several: Any = arguments.get("TrainingJobDefinitions")
    if type(several) is not list:
        job = arguments.get("TrainingJobDefinition")
        ranges, field = single_definition_member(config, job, "ranges")
        if ranges is not config.get("ParameterRanges"):
            config = {**config, "ParameterRanges": ranges}
        return [DefinitionView(config, field)]
    return [
        DefinitionView(
            {**config, "ParameterRanges": item.get("HyperParameterRanges")},
            f"TrainingJobDefinitions[{index}].HyperParameterRanges",
        )
        for index, item in enumerate(several)
        if _is_object(item)
    ]


def grid_job_count_mismatch(
    config: Mapping[str, Any], views: Sequence[DefinitionView] | None = None
) -> tuple[int, int] | None:
    """``(MaxNumberOfTrainingJobs, grid size)`` of a Grid job whose job count isn't the grid's.

    The developer guide ("Understand the hyperparameter tuning strategies", Grid search):
    "You do not need to specify the MaxNumberOfTrainingJobs. The number of training jobs
    created by the tuning job is automatically calculated to be the total number of
    distinct categorical combinations possible. If specified, the value of
    MaxNumberOfTrainingJobs should equal the total number of distinct categorical
    combinations possible." Only literal values are judged, and only a grid of categorical
    ranges (``grid_non_categorical_ranges`` reports the others); ``grid_size`` lets a
    caller judge a value it knows otherwise (a parameter's default). With ``views`` (of
    several training job definitions) the grid is all of theirs (``grid_total``).
    """
    limits: Any = config.get("ResourceLimits")
    given = limits.get("MaxNumberOfTrainingJobs") if _is_object(limits) else None
    if type(given) is not int:
        return None
    size = grid_total(views) if views is not None else grid_size(config)
    return (given, size) if size is not None and given != size else None


def grid_total(views: Sequence[DefinitionView]) -> int | None:
    """The training jobs a Grid job of these definitions runs: every definition's grid.

    The developer guide's "total number of distinct categorical combinations possible",
    over several training job definitions the sum of each one's combinations (an inference:
    the guide describes one algorithm). None if any grid can't be counted.
    """
    sizes = [grid_size(view.config) for view in views]
    if not sizes or any(size is None for size in sizes):
        return None
    return sum(size or 0 for size in sizes)


def grid_size(config: Mapping[str, Any]) -> int | None:
    """The number of training jobs a Grid job runs, or None if not Grid or not countable.

    None too for a grid without categorical ranges or with continuous or integer ones
    (``grid_non_categorical_ranges`` reports those).
    """
    ranges: Any = config.get("ParameterRanges")
    if literal_strategy(config) != GRID or not _is_object(ranges):
        return None
    if grid_non_categorical_ranges(config):
        return None
    items: Any = ranges.get("CategoricalParameterRanges")
    if type(items) is not list or not items:
        return None
    size = 1
    for item in items:
        values = grid_values(item) if _is_object(item) else None
        if values is None:
            return None
        size *= len(values)
    return size


RangeRule = Literal[
    "integer scaling", "not a number", "not whole", "out of order", "logarithmic", "reverse"
]


@dataclass(frozen=True, slots=True)
class RangeProblem:
    """A rule an integer or continuous range breaks, and the member (``MinValue``…) at fault.

    ``rule`` is ``integer scaling`` (ReverseLogarithmic on an integer range), ``not a number``,
    ``not whole`` (a fractional bound of an integer range), ``out of order`` (MinValue above
    MaxValue), ``logarithmic`` (Logarithmic scaling from 0 or below) or ``reverse``
    (ReverseLogarithmic scaling outside 0 <= x < 1).

    Example::

        RangeProblem("ScalingType", "logarithmic")
    """

    member: Literal["MinValue", "MaxValue", "ScalingType"]
    rule: RangeRule


def range_problems(item: Mapping[str, Any], *, integer: bool) -> list[RangeProblem]:
    """The rules an integer or continuous ParameterRanges entry breaks.

    CreateHyperParameterTuningJob checks these only when the execution runs. Bounds are
    strings in the API; a bound that is an expression, a token or another type stops the
    bounds checks (it can't be judged).
    """
    found: list[RangeProblem] = []
    scaling = item.get("ScalingType")
    if integer and scaling == "ReverseLogarithmic":
        # The API's IntegerParameterRange documents Auto, Linear and Logarithmic only.
        found.append(RangeProblem("ScalingType", "integer scaling"))
    bounds: list[float] = []
    member: Literal["MinValue", "MaxValue"]
    for member in ("MinValue", "MaxValue"):
        value = item.get(member)
        if type(value) is not str or is_token(value):
            return found
        number = range_bound(value)
        if number is None:
            return [*found, RangeProblem(member, "not a number")]
        if integer and not number.is_integer():
            return [*found, RangeProblem(member, "not whole")]
        bounds.append(number)
    low, high = bounds
    if low > high:
        found.append(RangeProblem("MinValue", "out of order"))
    elif scaling == "Logarithmic" and low <= 0:
        found.append(RangeProblem("ScalingType", "logarithmic"))
    elif scaling == "ReverseLogarithmic" and not integer and not (low >= 0 and high < 1):
        found.append(RangeProblem("ScalingType", "reverse"))
    return found


def range_bound(text: str) -> float | None:
    """A tuning range bound (a string in the API) as a number, or ``None`` if it is none."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _is_object(value: Any) -> bool:
    """A JSON object, not an expression (``{"Get": …}``, which is a dict too)."""
    return isinstance(value, Mapping) and not is_expression(value)
