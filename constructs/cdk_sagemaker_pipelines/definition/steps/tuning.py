"""``TuningStep``: hyperparameter tuning (CreateHyperParameterTuningJob)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, fields, replace
from typing import TYPE_CHECKING, Any, ClassVar, Never

from .._errors import HintedAttributeError, PipelineDefinitionError, UnknownArgumentError
from .._render import JsonValue, RenderContext, compact, render, render_string, render_string_map
from .._tokens import is_token
from .._typecheck import checked
from ..bindables import Code, S3Location
from ..distribution import Distribution
from ..expressions import Expression
from ..jobs import NetworkConfig, render_tags
from ..properties import Properties
from ._base import ImageLike, JobStep, S3Like, Step, bind_role, job_defaults
from .training import (
    FileSystemInput,
    TrainingInput,
    TrainingJobStep,
    training_job_argument_fields,
)

if TYPE_CHECKING:
    from ..property_types import TuningStepProperties

# Grid search runs every combination of the ranges' values: it needs no job count.
GRID_STRATEGY = "Grid"
WARM_START_TYPES = ("IdenticalDataAndAlgorithm", "TransferLearning")
# CreateHyperParameterTuningJob: ParentHyperParameterTuningJobs holds 1 to 5 jobs.
MAX_WARM_START_PARENTS = 5
TUNING_JOB_NAME_PROPERTY = "HyperParameterTuningJobName"
# CreateHyperParameterTuningJob: TrainingJobDefinitions holds 1 to 10 definitions, each
# named by a DefinitionName (HyperParameterTrainingJobDefinitionName: 1 to 64 characters).
MAX_TRAINING_JOB_DEFINITIONS = 10
DEFINITION_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}")
MAX_DEFINITION_NAME = 64


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
@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingJobDefinition:
    """One algorithm of a ``TuningStep`` that tunes several: its training job and what to tune.

    CreateHyperParameterTuningJob's ``TrainingJobDefinitions`` entry, which the SageMaker
    SDK writes for ``HyperparameterTuner.create(estimator_dict=…)``: ``name`` is the key of
    ``estimator_dict`` (the ``DefinitionName``, 1 to 64 letters, digits and hyphens), and
    ``objective_metric_name``, ``hyperparameter_ranges`` and ``metric_definitions`` are that
    estimator's entries of ``objective_metric_name_dict``, ``hyperparameter_ranges_dict`` and
    ``metric_definitions_dict``. The other arguments are a single-definition
    ``TuningStep``'s, with the same defaults. The step's ``objective_type`` applies to
    every definition: the best training job is the best of all definitions by it.

    Example::

        TrainingJobDefinition(
            name="xgboost", image=Image.xgboost("1.7-1"), inputs={"train": train_uri},
            objective_metric_name="validation:auc",
            hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
            static_hyperparameters={"num_round": 50},
        )
    """

    name: str
    image: ImageLike
    objective_metric_name: str
    hyperparameter_ranges: Mapping[str, HyperparameterRange]
    static_hyperparameters: Mapping[str, Any] | None = None
    code: Code | None = None
    inputs: Mapping[str, TrainingInput | FileSystemInput | S3Like] | None = None
    output_path: S3Like | None = None
    instance_type: str | Expression | None = None
    instance_count: int | Expression | None = None
    volume_size_in_gb: int | Expression = 30
    volume_kms_key: str | Expression | None = None
    output_kms_key: str | Expression | None = None
    environment: Mapping[str, Any] | None = None
    metric_definitions: Mapping[str, str] | None = None
    input_mode: str = "File"
    max_runtime_in_seconds: int | Expression = 86400
    network: NetworkConfig | None = None
    role: str | Expression | None = None
    checkpoint_s3_uri: S3Like | None = None
    checkpoint_local_path: str | Expression | None = None
    use_spot_instances: bool = False
    max_wait_in_seconds: int | Expression | None = None
    max_retry_attempts: int | Expression | None = None
    distribution: Distribution | None = None

    def _validate(self) -> None:
        if not (DEFINITION_NAME.fullmatch(self.name) and len(self.name) <= MAX_DEFINITION_NAME):
            raise PipelineDefinitionError(
                f"TrainingJobDefinition: name {self.name[:80]!r} is not a definition name "
                f"(1 to {MAX_DEFINITION_NAME} letters, digits and hyphens, starting and ending "
                "with a letter or digit: CreateHyperParameterTuningJob's DefinitionName)"
            )


# A TuningStep's arguments that describe its one training job: a TrainingJobDefinition's,
# but its name. With training_job_definitions, each definition gives its own.
DEFINITION_ARGUMENTS = tuple(
    item.name for item in fields(TrainingJobDefinition) if item.name != "name"
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

    ``training_job_definitions`` tunes several algorithms in one tuning job (the SDK's
    ``HyperparameterTuner.create``): 1 to 10 ``TrainingJobDefinition``s, each with its own
    image, code, inputs, instances, objective metric and ranges, in place of the step's
    ``image``, ``objective_metric_name``, ``hyperparameter_ranges`` and the rest of its
    training job (giving both is an error). The tuner's settings (``objective_type``,
    ``strategy``, ``max_jobs``, …) stay on the step and cover all definitions, but for
    ``warm_start`` and ``early_stopping_type="Auto"``, which SageMaker offers a tuning job
    of one algorithm only (compiling fails on them); the best
    job is the best of all of them, and ``properties.BestTrainingJob
    .TrainingJobDefinitionName`` names its definition. ``top_model_s3_uri(k)`` needs the
    definitions to share one ``output_path`` (or all to leave it out)::

        TuningStep(
            name="TuneAlgorithms",
            training_job_definitions=[
                TrainingJobDefinition(
                    name="xgboost", image=Image.xgboost("1.7-1"), inputs={"train": train_uri},
                    objective_metric_name="validation:auc",
                    hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01,
                                                                      max_value=0.3)},
                ),
                TrainingJobDefinition(
                    name="sklearn", image=Image.sklearn("1.2-1"),
                    code=Code.from_asset("ml/train.py"), inputs={"train": train_uri},
                    objective_metric_name="validation:auc",
                    metric_definitions={"validation:auc": r"auc=([0-9.]+)"},
                    hyperparameter_ranges={"max_depth": IntegerParameter(min_value=2,
                                                                         max_value=8)},
                ),
            ],
            max_jobs=8, max_parallel_jobs=2,
        )
    """

    image: ImageLike | None = None
    objective_metric_name: str | None = None
    hyperparameter_ranges: Mapping[str, HyperparameterRange] | None = None
    training_job_definitions: Sequence[TrainingJobDefinition] | None = None
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
        "Arguments.TrainingJobDefinitions": "training_job_definitions",
        "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective": (
            "objective_type"
        ),
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> TuningStepProperties: ...

    def _given_hyperparameters(self) -> Mapping[str, Any] | None:
        return self.static_hyperparameters

    def _validate(self) -> None:
        JobStep._validate(self)  # the tuning job's tags, not a definition's
        where = f"{type(self).__name__} '{self.name}'"
        definitions = self.training_job_definitions
        if definitions is None:
            missing = [
                argument
                for argument in ("image", "objective_metric_name", "hyperparameter_ranges")
                if getattr(self, argument) is None
            ]
            if missing:
                raise PipelineDefinitionError(
                    f"{where}: missing {', '.join(f'{name}=' for name in missing)} (the "
                    "training job to tune); or give training_job_definitions="
                    "[TrainingJobDefinition(…), …] to tune several algorithms"
                )
            TrainingJobStep._validate(self)
            return
        defaults = {item.name: item.default for item in fields(self)}
        given = [
            argument
            for argument in DEFINITION_ARGUMENTS
            if not _is_default(getattr(self, argument), defaults[argument])
        ]
        if given:
            # The SDK's HyperparameterTuner.create takes nothing of a job but per estimator.
            raise PipelineDefinitionError(
                f"{where}: with training_job_definitions, each TrainingJobDefinition "
                f"describes its own training job; move {', '.join(f'{n}=' for n in given)} "
                "into each definition (or tune one algorithm without "
                "training_job_definitions)"
            )
        if not 1 <= len(definitions) <= MAX_TRAINING_JOB_DEFINITIONS:
            raise PipelineDefinitionError(
                f"{where}: training_job_definitions takes 1 to {MAX_TRAINING_JOB_DEFINITIONS} "
                f"TrainingJobDefinitions (CreateHyperParameterTuningJob's limit), got "
                f"{len(definitions)}"
            )
        names = [definition.name for definition in definitions]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise PipelineDefinitionError(
                f"{where}: training_job_definitions has more than one definition named "
                f"{', '.join(map(repr, repeated))}; each name is unique (a training job's "
                "TrainingJobDefinitionName tells which definition it ran)"
            )
        for definition in definitions:
            try:
                self._definition_step(definition)
            except PipelineDefinitionError as error:
                # The checks of one training job, worded for a step: name the definition too.
                message = str(error).replace(
                    where, f"{where}, training job definition '{definition.name}'", 1
                )
                raise PipelineDefinitionError(message) from None

    def _definition_step(self, definition: TrainingJobDefinition) -> TuningStep:
        """The single-definition step that tunes ``definition`` alone, with this step's settings.

        A definition renders, binds and is checked as that step's training job is: the
        SDK writes each estimator of ``HyperparameterTuner.create`` as it writes a tuner's
        only one.
        """
        job = {argument: getattr(definition, argument) for argument in DEFINITION_ARGUMENTS}
        return replace(self, training_job_definitions=None, **job)

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        definitions = self.training_job_definitions
        if definitions is None:
            return compact(
                HyperParameterTuningJobConfig=self._config(ctx, objective=True),
                TrainingJobDefinition=self._training_job(ctx, "Arguments.TrainingJobDefinition"),
                WarmStartConfig=render(self.warm_start, ctx),
                Tags=render_tags(self.tags, ctx),  # last, as the SDK writes it
            )
        jobs: list[JsonValue] = []
        for index, definition in enumerate(definitions):
            step = self._definition_step(definition)
            job = step._training_job(ctx, f"Arguments.TrainingJobDefinitions[{index}]")
            # Where the SDK writes them: after the training job's own members.
            job.update(
                DefinitionName=definition.name,
                TuningObjective={
                    "Type": self.objective_type,
                    "MetricName": definition.objective_metric_name,
                },
                HyperParameterRanges=step._ranges(ctx),
            )
            if "RetryStrategy" in job:  # the SDK writes it after the ranges
                job["RetryStrategy"] = job.pop("RetryStrategy")
            jobs.append(job)
        return compact(
            HyperParameterTuningJobConfig=self._config(ctx, objective=False),
            TrainingJobDefinitions=jobs,
            WarmStartConfig=render(self.warm_start, ctx),
            Tags=render_tags(self.tags, ctx),
        )

    def _training_job(self, ctx: RenderContext, field: str) -> dict[str, JsonValue]:
        """The training job the tuning job runs, as the ``field`` member of the request."""
        defaults = job_defaults(ctx, self)
        # A tuned name is not static: the SDK drops it too, so an estimator's whole
        # hyperparameter dict can be passed as it is.
        ranges = self.hyperparameter_ranges or {}
        static = {
            name: value
            for name, value in (render_string_map(self.static_hyperparameters, ctx) or {}).items()
            if name not in ranges
        }
        script_hyperparameters, code_channel = self._script_mode(ctx, f"{field}.InputDataConfig")
        static.update(script_hyperparameters)
        static.update(self._distribution_hyperparameters(ctx))
        assert self.image is not None  # _validate requires it of a single definition
        definition = compact(
            StaticHyperParameters=static or None,
            RoleArn=_role(self, ctx, f"{field}.RoleArn"),
            OutputDataConfig=self._output_config(ctx, defaults, f"{field}.OutputDataConfig"),
            StoppingCondition=self._stopping_condition(ctx),
            HyperParameterTuningResourceConfig=self._resources(ctx, defaults),
            AlgorithmSpecification=self._algorithm(
                ctx, f"{field}.AlgorithmSpecification", self.image
            ),
            InputDataConfig=self._channels(ctx, f"{field}.InputDataConfig", code_channel),
            Environment=render_string_map(self.environment, ctx),
            # Where the SDK writes them: after the channels.
            EnableManagedSpotTraining=True if self.use_spot_instances else None,
            CheckpointConfig=self._checkpoint_config(ctx, f"{field}.CheckpointConfig"),
            RetryStrategy=self._retry_strategy(ctx),
        )
        definition.update(self._network_fields(ctx, defaults))
        return definition

    def _config(self, ctx: RenderContext, *, objective: bool) -> JsonValue:
        """``HyperParameterTuningJobConfig``; with several definitions each has the objective."""
        max_jobs = self.max_jobs
        if max_jobs is None and self.strategy != GRID_STRATEGY:
            max_jobs = 1  # the SageMaker SDK's default too
        return compact(
            Strategy=self.strategy,
            ResourceLimits=compact(
                MaxNumberOfTrainingJobs=render(max_jobs, ctx),
                MaxParallelTrainingJobs=render(self.max_parallel_jobs, ctx),
                MaxRuntimeInSeconds=render(self.max_tuning_runtime_in_seconds, ctx),
            ),
            TrainingJobEarlyStoppingType=self.early_stopping_type,
            RandomSeed=render(self.random_seed, ctx),
            HyperParameterTuningJobObjective=(
                {"Type": self.objective_type, "MetricName": self.objective_metric_name}
                if objective
                else None
            ),
            ParameterRanges=self._ranges(ctx) if objective else None,
            StrategyConfig=render(self.strategy_config, ctx),
            TuningJobCompletionCriteria=render(self.completion_criteria, ctx),
        )

    def _ranges(self, ctx: RenderContext) -> JsonValue:
        continuous: list[JsonValue] = []
        categorical: list[JsonValue] = []
        integer: list[JsonValue] = []
        for name, spec in (self.hyperparameter_ranges or {}).items():
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

    def top_model_s3_uri(
        self, top_k: int = 0, *sdk_positional: Never, **sdk_arguments: Never
    ) -> Expression:
        """Where the ``top_k``-th best training job wrote ``model.tar.gz``.

        With ``disable_output_compression=True`` the jobs upload their model as files, so
        the URI is that prefix (``…/output/model/``): give it as
        ``model_data=ModelData.uncompressed(tune.top_model_s3_uri(0))``.

        The URI is read off the tuning job's own output path, so the SageMaker SDK's
        ``s3_bucket`` and ``prefix`` (its ``get_top_model_s3_uri``'s) are refused, naming
        ``output_path=``, where the jobs' location is chosen.

        Example::

            ModelStep(name="Best", image=image, model_data=tune.top_model_s3_uri(0))
        """
        if sdk_positional or sdk_arguments:
            given = ", ".join([*map(repr, sdk_positional), *(f"{key}=" for key in sdk_arguments)])
            raise UnknownArgumentError(
                f"{type(self).__name__} '{self.name}': "
                f"top_model_s3_uri takes top_k only, not {given} "
                "(the SageMaker SDK's get_top_model_s3_uri(top_k, s3_bucket, prefix) must be "
                "told where the jobs wrote; here the URI is read from the tuning job's own "
                "output path: set the step's output_path= to choose it)"
            )
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
            raise PipelineDefinitionError(
                f"{type(self).__name__} '{self.name}': "
                "top_model_s3_uri takes a position from 0 (0 is the "
                f"best training job), got {top_k!r}"
            )
        if self.training_job_definitions is not None:
            self._shared_output_path()  # raises if the definitions write apart
        return _TopModelUri(self, top_k)

    def _shared_output_path(self) -> S3Like | None:
        """The ``output_path`` every definition shares (None: the default output).

        A job's model lands under its definition's output path, and the k-th best job may
        be of any definition: a pipeline expression can't choose a path by the job's
        ``TrainingJobDefinitionName``, so ``top_model_s3_uri`` needs them to be one.
        """
        paths = [definition.output_path for definition in self.training_job_definitions or ()]
        first = paths[0]
        for path in paths[1:]:
            same = path is first or (
                isinstance(path, (str, S3Location)) and type(path) is type(first) and path == first
            )
            if not same:
                named = ", ".join(
                    f"'{definition.name}': {definition.output_path!r}"
                    for definition in self.training_job_definitions or ()
                )
                raise PipelineDefinitionError(
                    f"{type(self).__name__} '{self.name}': "
                    "top_model_s3_uri can't tell where the k-th "
                    "best training job wrote its model: its training job definitions write "
                    f"under different output paths ({named}); give every definition the same "
                    "output_path, or leave output_path out of all of them (training job names "
                    "are unique, so their models don't collide), or read "
                    "properties.TrainingJobSummaries[k].TrainingJobDefinitionName"
                )
        return first

    if not TYPE_CHECKING:  # type checkers keep reporting unknown attributes themselves

        def __getattr__(self, name: str) -> Any:
            # Reached only for attributes a TuningStep doesn't have: a training step's
            # model_data is what SDK users reach for first.
            if name == "model_data":
                step = getattr(self, "name", "?")
                raise HintedAttributeError(
                    f"TuningStep '{step}' has no model_data: each of its training jobs writes "
                    "a model; tune.top_model_s3_uri(0) is where the best one wrote "
                    "model.tar.gz (top_model_s3_uri(k) the k-th best)"
                )
            return Step.__getattr__(self, name)  # the SDK's other step methods


def _role(step: TuningStep, ctx: RenderContext, field: str) -> JsonValue:
    return bind_role(ctx, step, step.role, field)


def _is_default(value: Any, default: Any) -> bool:
    """Whether an argument was left at its default (or given it: same type, equal value)."""
    if value is default:
        return True
    return default is not MISSING and type(value) is type(default) and value == default


class _TopModelUri(Expression):
    """``<output path>/<k-th job name>/output/model.tar.gz``, both read off the tuning job.

    ``output/model/`` instead when the jobs upload their model uncompressed.

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
        several = self._step.training_job_definitions is not None
        given = self._step._shared_output_path() if several else self._step.output_path
        base: JsonValue
        if isinstance(given, str) and not is_token(given):
            # A literal path is the same in every execution. SageMaker writes under it
            # without doubling a trailing slash; a join with "/" would double it.
            base = given.rstrip("/")
        elif several:
            # Every definition's path is the same: the first one's is the k-th job's too.
            job = tuning.TrainingJobDefinitions[0]
            base = job.OutputDataConfig.S3OutputPath.to_request(ctx)
        else:
            base = tuning.TrainingJobDefinition.OutputDataConfig.S3OutputPath.to_request(ctx)
        # An uncompressed job uploads /opt/ml/model as the files under output/model/.
        model = "output/model/" if self._step.disable_output_compression else "output/model.tar.gz"
        values: list[Any] = [base, job_name.to_request(ctx), model]
        return {"Std:Join": {"On": "/", "Values": values}}
