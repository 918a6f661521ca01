"""``TuningStep``: hyperparameter tuning (CreateHyperParameterTuningJob)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render, render_string, render_string_map
from .._tokens import is_token
from .._typecheck import checked
from ..expressions import Expression
from ..properties import Properties
from ._base import Step, bind_role, job_defaults
from .training import TrainingJobStep, training_job_argument_fields

# Grid search runs every combination of the ranges' values: it needs no job count.
GRID_STRATEGY = "Grid"
WARM_START_TYPES = ("IdenticalDataAndAlgorithm", "TransferLearning")
# CreateHyperParameterTuningJob: ParentHyperParameterTuningJobs holds 1 to 5 jobs.
MAX_WARM_START_PARENTS = 5
TUNING_JOB_NAME_PROPERTY = "HyperParameterTuningJobName"


@checked
@dataclass(frozen=True, slots=True)
class ContinuousParameter:
    """A real-valued hyperparameter range.

    Example::

        ContinuousParameter(min_value=0.001, max_value=0.1, scaling_type="Logarithmic")
    """

    min_value: float | Expression
    max_value: float | Expression
    scaling_type: str = "Auto"


@checked
@dataclass(frozen=True, slots=True)
class IntegerParameter:
    """An integer hyperparameter range.

    Example::

        IntegerParameter(min_value=2, max_value=8)
    """

    min_value: int | Expression
    max_value: int | Expression
    scaling_type: str = "Auto"


@checked
@dataclass(frozen=True, slots=True)
class CategoricalParameter:
    """A hyperparameter taking one of ``values``.

    Example::

        CategoricalParameter(values=["gini", "entropy"])
    """

    values: Sequence[str | int | float | Expression]


HyperparameterRange = ContinuousParameter | IntegerParameter | CategoricalParameter


@checked
@dataclass(frozen=True, slots=True)
class WarmStartConfig:
    """Start a tuning job from what earlier tuning jobs learned (the SDK's ``WarmStartConfig``).

    ``warm_start_type`` is ``IdenticalDataAndAlgorithm`` or ``TransferLearning``; ``parents``
    are 1 to 5 tuning jobs: names, parameters, or a ``TuningStep`` of the pipeline (or its
    ``properties.HyperParameterTuningJobName``), which then runs first.

    Example::

        WarmStartConfig(warm_start_type="TransferLearning", parents=[tune, "tuning-2024-01"])
    """

    warm_start_type: str
    parents: Sequence[str | Expression | TuningStep]

    def _validate(self) -> None:
        if self.warm_start_type not in WARM_START_TYPES:
            raise PipelineDefinitionError(
                f"WarmStartConfig: warm_start_type {self.warm_start_type!r} is not one of "
                f"{', '.join(WARM_START_TYPES)}"
            )
        if isinstance(self.parents, str) or not 1 <= len(self.parents) <= MAX_WARM_START_PARENTS:
            raise PipelineDefinitionError(
                f"WarmStartConfig: parents takes 1 to {MAX_WARM_START_PARENTS} tuning jobs "
                f"(a list), got {self.parents!r}"
            )
        for parent in self.parents:
            if isinstance(parent, Properties) and (
                parent.step.step_type != "Tuning" or parent.path != TUNING_JOB_NAME_PROPERTY
            ):
                raise PipelineDefinitionError(
                    f"WarmStartConfig: parent Steps.{parent.step.name}.{parent.path} is not a "
                    f"tuning job's name (pass the TuningStep itself, or its "
                    f"properties.{TUNING_JOB_NAME_PROPERTY})"
                )
            if isinstance(parent, str) and not is_token(parent) and not parent:
                raise PipelineDefinitionError("WarmStartConfig: a parent's name is empty")

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render the ``WarmStartConfig`` member of the tuning request."""
        parents = [
            parent.properties.HyperParameterTuningJobName
            if isinstance(parent, TuningStep)
            else parent
            for parent in self.parents
        ]
        return {
            "WarmStartType": self.warm_start_type,
            "ParentHyperParameterTuningJobs": [
                {"HyperParameterTuningJobName": render(parent, ctx)} for parent in parents
            ],
        }


@checked
@dataclass(frozen=True, slots=True)
class HyperbandStrategyConfig:
    """The ``Hyperband`` strategy's resource bounds (the SDK's ``HyperbandStrategyConfig``).

    ``min_resource`` and ``max_resource`` bound the epochs (or whatever resource the
    training script reports) a training job runs before Hyperband stops or keeps it.

    Example::

        TuningStep(..., strategy="Hyperband",
                   strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=30))
    """

    min_resource: int | Expression | None = None
    max_resource: int | Expression | None = None

    def _validate(self) -> None:
        for argument in ("min_resource", "max_resource"):
            value = getattr(self, argument)
            if isinstance(value, int) and value < 1:
                raise PipelineDefinitionError(
                    f"HyperbandStrategyConfig: {argument} must be at least 1, got {value}"
                )
        low, high = self.min_resource, self.max_resource
        if isinstance(low, int) and isinstance(high, int) and low > high:
            raise PipelineDefinitionError(
                f"HyperbandStrategyConfig: min_resource {low} is more than max_resource {high}"
            )

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render the ``StrategyConfig`` member of the tuning job config."""
        return {
            "HyperbandStrategyConfig": compact(
                MinResource=render(self.min_resource, ctx),
                MaxResource=render(self.max_resource, ctx),
            )
        }


@checked
@dataclass(frozen=True, slots=True)
class TuningJobCompletionCriteria:
    """When a tuning job stops before its job limit.

    The SageMaker SDK's ``TuningJobCompletionCriteriaConfig``.

    ``max_number_of_training_jobs_not_improving``: stop after that many jobs without a
    better objective; ``complete_on_convergence``: stop when SageMaker detects convergence;
    ``target_objective_metric_value``: stop once a job reaches it.

    Example::

        TuningJobCompletionCriteria(max_number_of_training_jobs_not_improving=5,
                                    target_objective_metric_value=0.95)
    """

    max_number_of_training_jobs_not_improving: int | Expression | None = None
    complete_on_convergence: bool | None = None
    target_objective_metric_value: float | Expression | None = None

    def _validate(self) -> None:
        jobs = self.max_number_of_training_jobs_not_improving
        if isinstance(jobs, int) and jobs < 3:
            # CreateHyperParameterTuningJob: MaxNumberOfTrainingJobsNotImproving, min 3.
            raise PipelineDefinitionError(
                "TuningJobCompletionCriteria: max_number_of_training_jobs_not_improving must "
                f"be at least 3, got {jobs}"
            )

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render the ``TuningJobCompletionCriteria`` member of the tuning job config."""
        jobs = self.max_number_of_training_jobs_not_improving
        convergence = self.complete_on_convergence
        return compact(
            BestObjectiveNotImproving=(
                {"MaxNumberOfTrainingJobsNotImproving": render(jobs, ctx)}
                if jobs is not None
                else None
            ),
            TargetObjectiveMetricValue=render(self.target_objective_metric_value, ctx),
            ConvergenceDetected=(
                {"CompleteOnConvergence": "Enabled" if convergence else "Disabled"}
                if convergence is not None
                else None
            ),
        )


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class TuningStep(TrainingJobStep):
    """Runs up to ``max_jobs`` training jobs (``max_parallel_jobs`` at a time) over ranges.

    ``max_jobs`` defaults to 1, except with the ``Grid`` strategy, which runs every
    combination of the categorical values: leave ``max_jobs`` unset there (SageMaker
    requires it to equal the number of combinations if given). A name in both
    ``static_hyperparameters`` and ``hyperparameter_ranges`` is tuned, as with the SDK's
    ``HyperparameterTuner`` (its estimator's hyperparameters may hold tuned names).

    ``properties.BestTrainingJob`` describes the winner and
    ``properties.TrainingJobSummaries[k]`` the k-th job; ``top_model_s3_uri(k)`` is
    where the k-th best model was written.

    Example::

        tune = TuningStep(
            name="Tune",
            image=Image.xgboost("1.7-1"),
            inputs={"train": train_uri},
            # A built-in algorithm: it emits validation:rmse itself (no metric_definitions).
            objective_metric_name="validation:rmse", objective_type="Minimize",
            hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
            max_jobs=4, max_parallel_jobs=2,
        )

    ``random_seed``, ``strategy_config`` (Hyperband's ``HyperbandStrategyConfig``),
    ``completion_criteria``, ``max_tuning_runtime_in_seconds`` (the whole tuning job's limit;
    ``max_runtime_in_seconds`` limits each training job) and ``warm_start`` are the SDK
    ``HyperparameterTuner``'s ``random_seed``, ``strategy_config``,
    ``completion_criteria_config``, ``max_runtime_in_seconds`` and ``warm_start_config``::

        TuningStep(
            name="TuneMore", image=Image.xgboost("1.7-1"), inputs={"train": train_uri},
            objective_metric_name="validation:auc",
            hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
            strategy="Hyperband", max_jobs=30, max_parallel_jobs=5, random_seed=7,
            strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=30),
            completion_criteria=TuningJobCompletionCriteria(target_objective_metric_value=0.95),
            max_tuning_runtime_in_seconds=36000,
            warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[tune]),
        )
    """

    objective_metric_name: str
    hyperparameter_ranges: Mapping[str, HyperparameterRange]
    objective_type: str = "Maximize"
    static_hyperparameters: Mapping[str, Any] | None = None
    strategy: str = "Bayesian"
    max_jobs: int | Expression | None = None
    max_parallel_jobs: int | Expression = 1
    early_stopping_type: str = "Off"
    random_seed: int | Expression | None = None
    strategy_config: HyperbandStrategyConfig | None = None
    completion_criteria: TuningJobCompletionCriteria | None = None
    max_tuning_runtime_in_seconds: int | Expression | None = None
    warm_start: WarmStartConfig | None = None
    step_type: ClassVar[str] = "Tuning"
    job_field: ClassVar[str] = "Arguments.TrainingJobDefinition"
    resources_member: ClassVar[str] = "HyperParameterTuningResourceConfig"
    hyperparameters_member: ClassVar[str] = "StaticHyperParameters"
    argument_fields: ClassVar[Mapping[str, str]] = {
        **training_job_argument_fields(job_field, resources_member),
        f"{job_field}.{hyperparameters_member}": "static_hyperparameters",
        "Arguments.HyperParameterTuningJobConfig.Strategy": "strategy",
        "Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs": (
            "max_jobs"
        ),
        "Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs": (
            "max_parallel_jobs"
        ),
        "Arguments.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType": (
            "early_stopping_type"
        ),
        "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.Type": (
            "objective_type"
        ),
        "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName": (
            "objective_metric_name"
        ),
        "Arguments.HyperParameterTuningJobConfig.ParameterRanges": "hyperparameter_ranges",
        "Arguments.HyperParameterTuningJobConfig.RandomSeed": "random_seed",
        "Arguments.HyperParameterTuningJobConfig.StrategyConfig": "strategy_config",
        "Arguments.HyperParameterTuningJobConfig.TuningJobCompletionCriteria": (
            "completion_criteria"
        ),
        "Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxRuntimeInSeconds": (
            "max_tuning_runtime_in_seconds"
        ),
        "Arguments.WarmStartConfig": "warm_start",
    }

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        defaults = job_defaults(ctx, self)
        field = "Arguments.TrainingJobDefinition"
        # A tuned name is not static: the SDK drops it too, so an estimator's whole
        # hyperparameter dict can be passed as it is.
        static = {
            name: value
            for name, value in (render_string_map(self.static_hyperparameters, ctx) or {}).items()
            if name not in self.hyperparameter_ranges
        }
        script_hyperparameters, code_channel = self._script_mode(ctx, f"{field}.InputDataConfig")
        static.update(script_hyperparameters)
        definition = compact(
            StaticHyperParameters=static or None,
            RoleArn=_role(self, ctx, f"{field}.RoleArn"),
            OutputDataConfig=self._output_config(ctx, defaults, f"{field}.OutputDataConfig"),
            StoppingCondition={"MaxRuntimeInSeconds": render(self.max_runtime_in_seconds, ctx)},
            HyperParameterTuningResourceConfig=self._resources(ctx, defaults),
            AlgorithmSpecification=self._algorithm(ctx, f"{field}.AlgorithmSpecification"),
            InputDataConfig=self._channels(ctx, f"{field}.InputDataConfig", code_channel),
            Environment=render_string_map(self.environment, ctx),
        )
        definition.update(self._network_fields(ctx, defaults))
        max_jobs = self.max_jobs
        if max_jobs is None and self.strategy != GRID_STRATEGY:
            max_jobs = 1  # the SageMaker SDK's default too
        config = compact(
            Strategy=self.strategy,
            ResourceLimits=compact(
                MaxNumberOfTrainingJobs=render(max_jobs, ctx),
                MaxParallelTrainingJobs=render(self.max_parallel_jobs, ctx),
                MaxRuntimeInSeconds=render(self.max_tuning_runtime_in_seconds, ctx),
            ),
            TrainingJobEarlyStoppingType=self.early_stopping_type,
            RandomSeed=render(self.random_seed, ctx),
            HyperParameterTuningJobObjective={
                "Type": self.objective_type,
                "MetricName": self.objective_metric_name,
            },
            ParameterRanges=self._ranges(ctx),
            StrategyConfig=render(self.strategy_config, ctx),
            TuningJobCompletionCriteria=render(self.completion_criteria, ctx),
        )
        return compact(
            HyperParameterTuningJobConfig=config,
            TrainingJobDefinition=definition,
            WarmStartConfig=render(self.warm_start, ctx),
        )

    def _ranges(self, ctx: RenderContext) -> JsonValue:
        continuous: list[JsonValue] = []
        categorical: list[JsonValue] = []
        integer: list[JsonValue] = []
        for name, spec in self.hyperparameter_ranges.items():
            if isinstance(spec, CategoricalParameter):
                values = [render_string(value, ctx) for value in spec.values]
                categorical.append({"Name": name, "Values": values})
                continue
            entry = {
                "Name": name,
                "MinValue": render_string(spec.min_value, ctx),
                "MaxValue": render_string(spec.max_value, ctx),
                "ScalingType": spec.scaling_type,
            }
            (integer if isinstance(spec, IntegerParameter) else continuous).append(entry)
        return {
            "ContinuousParameterRanges": continuous,
            "CategoricalParameterRanges": categorical,
            "IntegerParameterRanges": integer,
        }

    def top_model_s3_uri(self, top_k: int = 0) -> Expression:
        """Where the ``top_k``-th best training job wrote ``model.tar.gz``.

        Example::

            ModelStep(name="Best", image=image, model_data=tune.top_model_s3_uri(0))
        """
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
            raise PipelineDefinitionError(
                f"TuningStep '{self.name}': top_model_s3_uri takes a position from 0 (0 is the "
                f"best training job), got {top_k!r}"
            )
        return _TopModelUri(self, top_k)

    if not TYPE_CHECKING:  # type checkers keep reporting unknown attributes themselves

        def __getattr__(self, name: str) -> Any:
            # Reached only for attributes a TuningStep doesn't have: a training step's
            # model_data is what SDK users reach for first.
            if name == "model_data":
                step = getattr(self, "name", "?")
                raise AttributeError(
                    f"TuningStep '{step}' has no model_data: each of its training jobs writes "
                    "a model; tune.top_model_s3_uri(0) is where the best one wrote "
                    "model.tar.gz (top_model_s3_uri(k) the k-th best)",
                    name=name,
                    obj=self,
                )
            return Step.__getattr__(self, name)  # the SDK's other step methods


def _role(step: TuningStep, ctx: RenderContext, field: str) -> JsonValue:
    return bind_role(ctx, step, step.role, field)


class _TopModelUri(Expression):
    """``<output path>/<k-th job name>/output/model.tar.gz``, both read off the tuning job.

    The output path is the job's own property, not the step's rendered ``output_path``:
    after a cache hit the jobs are those of an earlier execution, and a default output
    path holds the execution id, so only the property names where they wrote.
    """

    __slots__ = ("_step", "_top_k")

    def __init__(self, step: TuningStep, top_k: int) -> None:
        self._step = step
        self._top_k = top_k

    @property
    def value_type(self) -> str:
        return "String"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        tuning = self._step.properties
        job_name = tuning.TrainingJobSummaries[self._top_k].TrainingJobName
        given = self._step.output_path
        base: JsonValue
        if isinstance(given, str) and not is_token(given):
            # A literal path is the same in every execution. SageMaker writes under it
            # without doubling a trailing slash; a join with "/" would double it.
            base = given.rstrip("/")
        else:
            base = tuning.TrainingJobDefinition.OutputDataConfig.S3OutputPath.to_request(ctx)
        values: list[Any] = [base, job_name.to_request(ctx), "output/model.tar.gz"]
        return {"Std:Join": {"On": "/", "Values": values}}
