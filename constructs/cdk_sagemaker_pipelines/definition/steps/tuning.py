"""``TuningStep``: hyperparameter tuning (CreateHyperParameterTuningJob)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render, render_string, render_string_map
from .._tokens import is_token
from .._typecheck import checked
from ..expressions import Expression
from ._base import bind_role, job_defaults
from .training import TrainingJobStep, training_job_argument_fields

# Grid search runs every combination of the ranges' values: it needs no job count.
GRID_STRATEGY = "Grid"


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
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class TuningStep(TrainingJobStep):
    """Runs up to ``max_jobs`` training jobs (``max_parallel_jobs`` at a time) over ranges.

    ``max_jobs`` defaults to 1, except with the ``Grid`` strategy, which runs every
    combination of the categorical values unless ``max_jobs`` limits it.

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
    """

    objective_metric_name: str
    hyperparameter_ranges: Mapping[str, HyperparameterRange]
    objective_type: str = "Maximize"
    static_hyperparameters: Mapping[str, Any] | None = None
    strategy: str = "Bayesian"
    max_jobs: int | Expression | None = None
    max_parallel_jobs: int | Expression = 1
    early_stopping_type: str = "Off"
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
    }

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        defaults = job_defaults(ctx, self)
        field = "Arguments.TrainingJobDefinition"
        static = dict(render_string_map(self.static_hyperparameters, ctx) or {})
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
        return {
            "HyperParameterTuningJobConfig": {
                "Strategy": self.strategy,
                "ResourceLimits": compact(
                    MaxNumberOfTrainingJobs=render(max_jobs, ctx),
                    MaxParallelTrainingJobs=render(self.max_parallel_jobs, ctx),
                ),
                "TrainingJobEarlyStoppingType": self.early_stopping_type,
                "HyperParameterTuningJobObjective": {
                    "Type": self.objective_type,
                    "MetricName": self.objective_metric_name,
                },
                "ParameterRanges": self._ranges(ctx),
            },
            "TrainingJobDefinition": definition,
        }

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
