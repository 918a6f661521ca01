"""Tuning steps: the trials run locally, the objective is read from the metric regex."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import secrets
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...definition._tuning_rules import (
    GRID,
    HYPERBAND,
    HYPERBAND_EPOCH_HYPERPARAMETERS,
    DefinitionView,
    RangeProblem,
    TuningShape,
    WarmStartMismatch,
    grid_job_count_mismatch,
    grid_non_categorical_ranges,
    hyperband_early_stopping,
    hyperband_max_resource_missing,
    hyperband_resources_out_of_order,
    range_bound,
    range_problems,
    single_definition_member,
    strategy_config_without_hyperband,
    warm_start_mismatches,
)
from ...definition.entries import StepSpec
from .._errors import StepError
from ..store import read_text_tail
from ._base import CODE_LINE, StepContext, StepResult, stopping_timeout, timestamp
from ._outputs import supplied
from ._training_job import (
    NO_PROGRAM,
    PROGRAM,
    TUNING_OBJECTIVE_METRIC,
    TrainingRun,
    check_channels,
    instance_type_of,
    missing_metric_reason,
    run_training_job,
    script_setting,
)
from .stand_in import no_program_hint, stand_in

# TuningJobCompletionDetails: a job "not improving" improves the best objective by 1% or less.
IMPROVEMENT = 0.01


@dataclass(frozen=True, slots=True)
class _Definition:
    """One training job definition of the tuning job, as its trials run it.

    ``name`` is its ``DefinitionName`` (None for a ``TrainingJobDefinition``, whose trials'
    summaries name no definition); ``metric``, ``goal`` and ``ranges`` are its objective
    and ranges, from the tuning job config for a ``TrainingJobDefinition`` and from the
    definition itself (``TuningObjective``, ``HyperParameterRanges``) for one of several;
    an objective missing where it is expected is taken from the other place, as the
    validator accepts it.
    """

    name: str | None
    job: Mapping[str, Any]
    metric: str
    goal: str
    ranges: Mapping[str, Any]

    @property
    def algorithm(self) -> Mapping[str, Any]:
        return self.job.get("AlgorithmSpecification") or {}

    def failure(self, reason: str) -> StepError:
        """A failure of this definition, naming it when the tuning job has several."""
        if self.name is None:
            return StepError(reason)
        return StepError(f"training job definition '{self.name}': {reason}")


@dataclass(frozen=True, slots=True)
class _Trial:
    """One training job of the tuning job: its run, or why it has none."""

    index: int
    tuned: dict[str, str]
    name: str
    definition: _Definition
    run: TrainingRun | None = None
    failure: str | None = None
    stopped: bool = False

    @property
    def finished(self) -> bool:
        return self.run is not None or self.failure is not None

    @property
    def value(self) -> float | None:
        """The objective: its definition's objective metric, as the job's log reported it."""
        return self.run.metrics.get(self.definition.metric) if self.run is not None else None


@dataclass(frozen=True, slots=True)
class _CompletionCriteria:
    """``TuningJobCompletionCriteria`` as the runner applies it, between batches of trials."""

    target: float | None
    not_improving: int | None
    maximize: bool

    @staticmethod
    def read(config: Mapping[str, Any], maximize: bool) -> _CompletionCriteria:
        criteria = config.get("TuningJobCompletionCriteria") or {}
        target = criteria.get("TargetObjectiveMetricValue")
        jobs = (criteria.get("BestObjectiveNotImproving") or {}).get(
            "MaxNumberOfTrainingJobsNotImproving"
        )
        not_improving = _number(
            jobs, "BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving"
        )
        return _CompletionCriteria(
            target=_number(target, "TuningJobCompletionCriteria.TargetObjectiveMetricValue"),
            not_improving=int(not_improving) if not_improving is not None else None,
            maximize=maximize,
        )

    @property
    def active(self) -> bool:
        return self.target is not None or self.not_improving is not None

    def better(self, value: float, best: float) -> bool:
        gain = value - best if self.maximize else best - value
        return gain > IMPROVEMENT * abs(best) if best else gain > 0

    def not_improving_count(self, values: Sequence[float | None]) -> int:
        """Trials since the last one that improved the best objective, in trial order."""
        best: float | None = None
        count = 0
        for value in values:
            if value is not None and (best is None or self.better(value, best)):
                count = 0
            else:
                count += 1
            if value is not None:
                best = value if best is None else (max if self.maximize else min)(best, value)
        return count

    def met(self, values: Sequence[float | None]) -> str | None:
        """Why the tuning job stops after these trials, or None."""
        if self.target is not None:
            for value in values:
                if value is None:
                    continue
                if (value >= self.target) if self.maximize else (value <= self.target):
                    return f"a training job reached TargetObjectiveMetricValue {self.target:g}"
        if (
            self.not_improving is not None
            and self.not_improving_count(values) >= self.not_improving
        ):
            return (
                f"{self.not_improving} training jobs in a row did not improve the objective "
                "(BestObjectiveNotImproving)"
            )
        return None


class TuningExecutor:
    """Runs up to ``MaxNumberOfTrainingJobs`` trials, ``MaxParallelTrainingJobs`` at a time.

    ``Grid`` runs every combination of the categorical values, in a fixed order (see
    ``_candidates``), as trials 001, 002, …; every other strategy (Bayesian, Random,
    Hyperband) samples the ranges at random, seeded by ``RandomSeed`` (else by the step's
    name), so runs are reproducible but differ from the service's choices.
    Several ``TrainingJobDefinitions`` take turns (``_spread``): trial 001 runs the first
    definition, 002 the second, and so on round the list, each trial drawn from its
    definition's own ranges (with ``Grid``, until that definition's grid is done).
    ``TuningJobCompletionCriteria`` is checked after each batch of
    ``MaxParallelTrainingJobs`` trials, and
    ``ResourceLimits.MaxRuntimeInSeconds`` stops the trials still running.
    ``TrainingJobSummaries`` is sorted best first (as the SDK's ``top_model_s3_uri``
    expects), each by its own definition's objective metric, and ``BestTrainingJob`` is
    its head.

    Example::

        TuningExecutor().run(spec, ctx).properties["BestTrainingJob"]["TrainingJobName"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Run the trials."""
        arguments: Mapping[str, Any] = ctx.arguments
        given = supplied(ctx.settings.external_outputs, step.name)
        if given is not None:
            # Refused when every definition has a script: the trials run here.
            return stand_in(step, ctx, given)
        config = arguments.get("HyperParameterTuningJobConfig") or {}
        definitions = _definitions(arguments, config)
        limits = config.get("ResourceLimits") or {}
        # Grid search without a job count runs the whole grid (None: every candidate).
        given_max_jobs = limits.get("MaxNumberOfTrainingJobs")
        max_jobs = int(given_max_jobs) if given_max_jobs is not None else None
        parallel = max(1, int(limits.get("MaxParallelTrainingJobs", 1)))
        goal = definitions[0].goal
        for definition in definitions:
            # Before the metric: a built-in algorithm (the SDK's XGBoost estimator without
            # entry_point) has its metrics from the service, and no script to run here either.
            static_values = definition.job.get("StaticHyperParameters") or {}
            if not script_setting({str(k): v for k, v in static_values.items()}, PROGRAM):
                raise definition.failure(NO_PROGRAM + no_program_hint(step, ctx))
            metrics = {d.get("Name") for d in definition.algorithm.get("MetricDefinitions") or []}
            if definition.metric not in metrics:
                raise definition.failure(
                    f"the objective metric '{definition.metric}' has no MetricDefinitions "
                    "regex, so it can't be read from the training log"
                )
        strategy = str(config.get("Strategy", "Bayesian"))
        _check_strategy(arguments, config, max_jobs, definitions)
        for definition in definitions:
            try:
                check_channels(list(definition.job.get("InputDataConfig") or []))
            except StepError as error:
                raise definition.failure(error.reason) from None
        parents = _warm_start_parents(ctx, arguments)
        candidates = _spread(definitions, config, strategy, max_jobs, step.name)
        criteria = _CompletionCriteria.read(config, maximize=goal == "Maximize")
        runtime_limit = _number(
            limits.get("MaxRuntimeInSeconds"), "ResourceLimits.MaxRuntimeInSeconds"
        )
        began = time.monotonic()
        deadline = began + runtime_limit if runtime_limit is not None else None

        def trial(index: int, definition: _Definition, tuned: dict[str, str]) -> _Trial:
            # The service's form: <tuning job>-<3-digit trial>-<8 hex digits>.
            name = f"{ctx.job_name}-{index + 1:03d}-{secrets.token_hex(4)}"
            if ctx.stop.is_set():
                return _Trial(index, tuned, name, definition)  # stopping: never launched
            timeout, cut_by_tuning_limit = stopping_timeout(definition.job), False
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return _Trial(index, tuned, name, definition)  # never launched
                if timeout is None or remaining < timeout:
                    timeout, cut_by_tuning_limit = remaining, True
            log = _trial_log(ctx, index)
            described = ", ".join(f"{key}={value}" for key, value in tuned.items())
            if definition.name is not None:
                described = f"{definition.name}: {described}" if described else definition.name
            job = definition.job
            resources = (
                job.get("HyperParameterTuningResourceConfig") or job.get("ResourceConfig") or {}
            )
            try:
                run = run_training_job(
                    ctx,
                    job_name=name,
                    algorithm=definition.algorithm,
                    hyperparameters={
                        **(job.get("StaticHyperParameters") or {}),
                        **tuned,
                        TUNING_OBJECTIVE_METRIC: definition.metric,
                    },
                    channels=list(job.get("InputDataConfig") or []),
                    output_path=str((job.get("OutputDataConfig") or {}).get("S3OutputPath", "")),
                    environment=job.get("Environment") or {},
                    timeout=timeout,
                    work=f"trial-{index + 1:03d}",
                    log=log,
                    instance_type=instance_type_of(resources),
                )
            except StepError as failure:
                stopped = cut_by_tuning_limit and time.monotonic() >= (deadline or 0)
                reason = (
                    f"stopped: the tuning job reached its MaxRuntimeInSeconds={runtime_limit:g}"
                    if stopped and runtime_limit is not None
                    else failure.reason
                )
                # The step's log names each trial's own log, where its traceback is.
                ended = "stopped" if stopped or ctx.stop.is_set() else "failed"
                _note(ctx, f"training job {name} ({described}) {ended}: {reason}; log: {log}")
                _copy_code_lines(log, ctx.log)
                return _Trial(index, tuned, name, definition, failure=reason, stopped=stopped)
            _note(ctx, f"training job {name} ({described}) completed; log: {log}")
            return _Trial(index, tuned, name, definition, run=run)

        # With completion criteria, trials run in batches of MaxParallelTrainingJobs and the
        # criteria are checked between batches in trial order: the same trials every run.
        batch = parallel if criteria.active else max(len(candidates), 1)
        trials: list[_Trial] = []
        early_stop: str | None = None
        with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="smpipe-trial") as pool:
            indexed = list(enumerate(candidates))
            for start in range(0, len(indexed), batch):
                chunk = indexed[start : start + batch]
                finished = list(pool.map(lambda pair: trial(pair[0], *pair[1]), chunk))
                trials += finished
                if ctx.stop.is_set():
                    break
                if len(trials) < len(indexed):
                    early_stop = criteria.met([t.value for t in trials if t.finished])
                    if deadline is not None and time.monotonic() >= deadline:
                        early_stop = (
                            f"it reached ResourceLimits.MaxRuntimeInSeconds={runtime_limit:g}"
                        )
                    if early_stop is not None:
                        break
        if ctx.stop.is_set():
            # Ctrl-C: the trials that were running were stopped, not failed.
            running = sum(1 for t in trials if t.finished)
            raise StepError(
                f"the tuning job was stopped with the execution: {running} training job(s) "
                f"stopped or ended, {len(candidates) - running} never launched"
            )
        launched = [t for t in trials if t.finished]
        if any(t.stopped or not t.finished for t in trials) and early_stop is None:
            early_stop = f"it reached ResourceLimits.MaxRuntimeInSeconds={runtime_limit:g}"
        if early_stop is not None:
            _note(
                ctx,
                f"the tuning job stopped after {len(launched)} of {len(candidates)} training "
                f"jobs: {early_stop}",
            )
        return _result(ctx, arguments, launched, goal, criteria, parents, began, early_stop)


def _definitions(arguments: Mapping[str, Any], config: Mapping[str, Any]) -> list[_Definition]:
    """The tuning job's ``TrainingJobDefinition``, or its ``TrainingJobDefinitions``.

    Each of several has its own objective and ranges; they must share the objective type.
    """
    single = arguments.get("TrainingJobDefinition")
    several = arguments.get("TrainingJobDefinitions")
    shared = config.get("HyperParameterTuningJobObjective")
    if isinstance(single, Mapping) and several is None:
        # The config's objective and ranges, else the definition's own (as the validator).
        objective = single_definition_member(config, single, "objective")[0] or {}
        return [
            _Definition(
                name=None,
                job=single,
                metric=str(objective.get("MetricName")),
                goal=str(objective.get("Type", "Maximize")),
                ranges=single_definition_member(config, single, "ranges")[0] or {},
            )
        ]
    if single is not None or not isinstance(several, list) or not several:
        # The validator refuses both and neither; a definition built by hand may have them.
        raise StepError(
            "a tuning job runs TrainingJobDefinition (one algorithm) or a non-empty list of "
            "TrainingJobDefinitions (several), exactly one of them"
        )
    found = []
    for item in several:
        objective = item.get("TuningObjective") or shared or {}
        found.append(
            _Definition(
                name=str(item.get("DefinitionName")),
                job=item,
                metric=str(objective.get("MetricName")),
                goal=str(objective.get("Type", "Maximize")),
                ranges=item.get("HyperParameterRanges") or {},
            )
        )
    goals = {definition.goal for definition in found}
    if len(goals) > 1:
        # The SDK writes the tuner's one objective_type into every definition.
        named = ", ".join(f"'{d.name}' {d.goal}" for d in found)
        raise StepError(
            "the training job definitions' TuningObjective types differ "
            f"({named}): the runner ranks all their training jobs together, by one type; "
            "give every definition the same Type (TuningStep(objective_type=…) writes one)"
        )
    return found


def _spread(
    definitions: Sequence[_Definition],
    config: Mapping[str, Any],
    strategy: str,
    max_jobs: int | None,
    step: str,
) -> list[tuple[_Definition, dict[str, str]]]:
    """The trials, in order: each one's definition and tuned values.

    One definition: its candidates. Several take turns, round-robin in their listed order:
    trial k runs definition k mod n, so ``MaxNumberOfTrainingJobs`` is spread evenly (the
    first ones get one more when it doesn't divide). With ``Grid`` each definition runs
    its whole grid, a definition that is done leaving its turn to the others.
    """
    if len(definitions) == 1:
        [only] = definitions
        seed = _seed(step, config, only.ranges)
        return [(only, tuned) for tuned in _candidates(only.ranges, strategy, max_jobs, seed)]
    queues: list[list[dict[str, str]]] = []
    for position, definition in enumerate(definitions):
        if strategy == GRID:
            count = None
        else:
            # Trials position, position + n, … of max_jobs (None: one job in all).
            count = len(range(position, max_jobs if max_jobs is not None else 1, len(definitions)))
        seed = f"{_seed(step, config, definition.ranges)}:{definition.name}"
        try:
            drawn = _candidates(definition.ranges, strategy, count, seed) if count != 0 else []
        except StepError as error:  # a range parameters broke: whose, of several
            raise definition.failure(error.reason) from None
        queues.append(drawn)
    spread: list[tuple[_Definition, dict[str, str]]] = []
    while any(queues):
        for definition, queue in zip(definitions, queues, strict=True):
            if queue:
                spread.append((definition, queue.pop(0)))
    return spread


def _result(
    ctx: StepContext,
    arguments: Mapping[str, Any],
    trials: list[_Trial],
    goal: str,
    criteria: _CompletionCriteria,
    parents: list[Mapping[str, Any]],
    began: float,
    early_stop: str | None,
) -> StepResult:
    """The DescribeHyperParameterTuningJob-shaped properties of the finished trials."""
    summaries: list[dict[str, Any]] = []
    outputs: dict[str, Any] = {}
    for item in trials:
        # HyperParameterTrainingJobSummary: a job of one of several definitions names it.
        named = (
            {"TrainingJobDefinitionName": item.definition.name}
            if item.definition.name is not None
            else {}
        )
        if item.run is None:
            summary: dict[str, Any] = {
                **named,
                "TrainingJobName": item.name,
                "TrainingJobStatus": "Stopped" if item.stopped else "Failed",
                "TunedHyperParameters": item.tuned,
                "ObjectiveStatus": "Failed",
            }
            if not item.stopped:
                summary["FailureReason"] = str(item.failure)[:1024]
            summaries.append(summary)
            continue
        run = item.run
        outputs[run.job_uri] = run.job_directory
        value = item.value
        summary = {
            **named,
            "TrainingJobName": run.job_name,
            "TrainingJobArn": ctx.arn("training-job", run.job_name),
            "CreationTime": run.started,
            "TrainingStartTime": run.started,
            "TrainingEndTime": run.ended,
            "TrainingJobStatus": "Completed",
            "TunedHyperParameters": item.tuned,
            "ObjectiveStatus": "Succeeded" if value is not None else "Failed",
        }
        if value is not None:
            summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
                "Type": goal,
                "MetricName": item.definition.metric,
                "Value": value,
            }
        summaries.append(summary)
    scored = [s for s in summaries if s["ObjectiveStatus"] == "Succeeded"]
    if not scored:
        several = any(t.definition.name is not None for t in trials)
        objective = (
            "its objective metric" if several else f"the objective metric '{_metric(trials)}'"
        )
        failed = next((t for t in trials if t.failure is not None and not t.stopped), None)
        if failed is None and early_stop is not None:
            raise StepError(
                f"no training job reported {objective} before the tuning "
                f"job stopped ({len(summaries)} stopped or failed): {early_stop}"
            )
        if failed is not None:
            detail = f"{failed.name}: {failed.failure}"
        else:
            first = next((t for t in trials if t.run is not None), trials[0])
            metric = first.definition.metric
            why = missing_metric_reason(
                list(first.definition.algorithm.get("MetricDefinitions") or []),
                metric,
                _trial_log(ctx, first),
            )
            if several:
                detail = (
                    f"no job printed its objective metric ('{metric}' for definition "
                    f"'{first.definition.name}'): {why}"
                )
            else:
                detail = f"no job printed the objective metric '{metric}': {why}"
        raise StepError(f"all {len(summaries)} training jobs failed; first: {detail}")
    sign = -1.0 if goal == "Maximize" else 1.0
    scored.sort(key=lambda s: sign * s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    ordered = scored + [s for s in summaries if s not in scored]
    completed = sum(1 for s in summaries if s["TrainingJobStatus"] == "Completed")
    stopped = sum(1 for s in summaries if s["TrainingJobStatus"] == "Stopped")
    arn = ctx.arn("hyper-parameter-tuning-job")
    ended = timestamp(ctx.now())
    properties = dict(arguments)
    properties.update(
        HyperParameterTuningJobName=ctx.job_name,
        HyperParameterTuningJobArn=arn,
        HyperParameterTuningJobStatus="Completed",
        CreationTime=ordered[0].get("CreationTime", ended),
        HyperParameterTuningEndTime=ended,
        LastModifiedTime=ended,
        TrainingJobStatusCounters={
            "Completed": completed,
            "InProgress": 0,
            "RetryableError": 0,
            "NonRetryableError": len(summaries) - completed - stopped,
            "Stopped": stopped,
        },
        ObjectiveStatusCounters={
            "Succeeded": len(scored),
            "Pending": 0,
            "Failed": len(summaries) - len(scored),
        },
        BestTrainingJob=scored[0],
        TrainingJobSummaries=ordered,
        TuningJobCompletionDetails={
            "NumberOfTrainingJobsObjectiveNotImproving": criteria.not_improving_count(
                [t.value for t in trials]
            )
        },
        ConsumedResources={"RuntimeInSeconds": int(time.monotonic() - began)},
    )
    warm_start = arguments.get("WarmStartConfig") or {}
    if warm_start.get("WarmStartType") == "IdenticalDataAndAlgorithm":
        # DescribeHyperParameterTuningJob: the best of this job's and its parents' jobs.
        candidates = [scored[0]] + [
            parent.get("OverallBestTrainingJob") or parent.get("BestTrainingJob")
            for parent in parents
        ]
        properties["OverallBestTrainingJob"] = min(
            (c for c in candidates if isinstance(c, Mapping) and _objective(c) is not None),
            key=lambda c: sign * float(_objective(c) or 0.0),
        )
    return StepResult(
        properties=properties,
        outputs=outputs,
        output_names={uri: "model" for uri in outputs},
        metadata={"TuningJob": {"Arn": arn}},
    )


def _trial_log(ctx: StepContext, trial: _Trial | int) -> Path:
    """The log of one training job of the tuning job (``Tune.003.log``)."""
    index = trial if isinstance(trial, int) else trial.index
    return ctx.log.with_name(f"{ctx.log.stem}.{index + 1:03d}.log")


def _metric(trials: Sequence[_Trial]) -> str:
    """The objective metric of a tuning job of one definition (its trials')."""
    return trials[0].definition.metric if trials else ""


def _objective(summary: Mapping[str, Any]) -> float | None:
    value = (summary.get("FinalHyperParameterTuningJobObjectiveMetric") or {}).get("Value")
    return float(value) if isinstance(value, (int, float)) else None


def _copy_code_lines(trial_log: Path, step_log: Path) -> None:
    """Repeat a failed trial's ``code:`` lines (``CODE_LINE``) in the step's log.

    The run summary reads the step's log, not each trial's: without them it can't say which
    local code ``/opt/ml/code`` was (``progress.code_origins`` drops the repeats).
    """
    tail = read_text_tail(trial_log, 200, limit=16000)
    lines = [line for line in tail.splitlines() if CODE_LINE.match(line)]
    if lines:
        with step_log.open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in lines))


def _note(ctx: StepContext, line: str) -> None:
    with ctx.log.open("a", encoding="utf-8") as handle:
        handle.write(f"[smpipe] {line}\n")


def _number(value: Any, field: str) -> float | None:
    """A numeric member of the request (parameters may make it unreadable), or None."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StepError(f"{field} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise StepError(f"{field} {value!r} is not a number")
    return number


def _seed(step: str, config: Mapping[str, Any], ranges_given: Mapping[str, Any]) -> str:
    """The sampling seed: ``RandomSeed`` and the ranges, else the step's name and the ranges.

    With a ``RandomSeed`` the same seed and ranges give the same trials under any step name
    (and in any pipeline); without one, each step samples reproducibly on its own.
    ``ranges_given`` are the definition's ranges (the config's ``ParameterRanges`` for a
    ``TrainingJobDefinition``).
    """
    ranges = json.dumps(ranges_given or None, sort_keys=True)
    seed = config.get("RandomSeed")
    if seed is not None:
        number = _number(seed, "RandomSeed")
        return f"RandomSeed={int(number or 0)}:{ranges}"
    return f"{step}:{ranges}"


def _as_written(config: Mapping[str, Any], max_jobs: int | None) -> dict[str, Any]:
    """The config with values parameters resolved to numbers as the API writes them.

    ``MaxNumberOfTrainingJobs`` a number and categorical values strings, so the shared
    tuning rules judge them as they judge literals.
    """
    ranges = config.get("ParameterRanges") or {}
    written = {**config, "ResourceLimits": {**(config.get("ResourceLimits") or {})}}
    written["ResourceLimits"]["MaxNumberOfTrainingJobs"] = max_jobs
    if isinstance(ranges, Mapping) and ranges.get("CategoricalParameterRanges"):
        written["ParameterRanges"] = {
            **ranges,
            "CategoricalParameterRanges": [
                {**item, "Values": [str(value) for value in item.get("Values") or []]}
                for item in ranges["CategoricalParameterRanges"]
            ],
        }
    return written


def _check_strategy(
    arguments: Mapping[str, Any],
    config: Mapping[str, Any],
    max_jobs: int | None,
    definitions: Sequence[_Definition],
) -> None:
    """The validator's Hyperband, StrategyConfig and Grid rules, for values only run time knows.

    The range rules see each definition's ranges as the config's (``DefinitionView``), and
    a Grid job's count is the sum of its definitions' grids (``grid_total``).
    """
    views = [
        DefinitionView(_as_written({**config, "ParameterRanges": d.ranges}, max_jobs), "")
        for d in definitions
    ]
    config = _as_written(config, max_jobs)
    early_stopping = hyperband_early_stopping(config)
    if early_stopping is not None:
        raise StepError(
            f"the Hyperband strategy needs TrainingJobEarlyStoppingType 'Off', got "
            f"{early_stopping!r}: SageMaker rejects the tuning job (Hyperband stops training "
            "jobs early itself)"
        )
    early_stopping = config.get("TrainingJobEarlyStoppingType", "Off")
    if len(definitions) > 1 and early_stopping != "Off":
        # The validator's one-algorithm rule, for a value a parameter gave.
        raise StepError(
            f"early stopping ({early_stopping!r}) is available only to a tuning job of one "
            f"algorithm, and this one tunes {len(definitions)} training job definitions: "
            "SageMaker rejects the tuning job; set TrainingJobEarlyStoppingType to 'Off'"
        )
    strategy = strategy_config_without_hyperband(config)
    if strategy is not None:
        raise StepError(
            f"StrategyConfig configures Hyperband, but the strategy is {strategy!r}: SageMaker "
            "rejects the tuning job; remove StrategyConfig or use the Hyperband strategy"
        )
    for view, definition in zip(views, definitions, strict=True):
        for grid_range in grid_non_categorical_ranges(view.config):
            raise definition.failure(
                f"the Grid strategy searches categorical ranges only, and {grid_range.subject}: "
                "SageMaker rejects the tuning job; list the values to "
                "try as a categorical range, or use the Random or Bayesian strategy"
            )
    grid_jobs = grid_job_count_mismatch(config, views)
    if grid_jobs is not None:
        raise StepError(
            f"the Grid strategy runs every combination of the categorical values "
            f"({grid_jobs[1]}), and SageMaker requires MaxNumberOfTrainingJobs to equal that "
            f"number, got {grid_jobs[0]}; leave it unset and the grid decides"
        )
    resources = hyperband_resources_out_of_order(config)
    if resources is not None:
        raise StepError(
            f"HyperbandStrategyConfig: MinResource {resources[0]} is more than MaxResource "
            f"{resources[1]}; SageMaker rejects the tuning job"
        )
    if config.get("Strategy") == HYPERBAND and hyperband_max_resource_missing(arguments):
        raise StepError(
            "the Hyperband strategy needs a MaxResource: SageMaker rejects the tuning job when "
            "HyperbandStrategyConfig has none and no static hyperparameter "
            f"({', '.join(HYPERBAND_EPOCH_HYPERPARAMETERS)}) gives one; set "
            "strategy_config=HyperbandStrategyConfig(max_resource=…) or a static 'epochs'"
        )


def _warm_start_parents(ctx: StepContext, arguments: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The warm start's parents that ran in this execution, checked as the validator does.

    The rules are the validator's (``warm_start_mismatches``), applied to values the
    validator can't know: parameters, and parents' settings read from their properties.
    A parent named from outside the pipeline can't be read locally; it is noted in the log.
    """
    warm_start = arguments.get("WarmStartConfig")
    if not isinstance(warm_start, Mapping):
        return []
    by_job = {
        properties.get("HyperParameterTuningJobName"): (step, properties)
        for step, properties in ctx.store.properties.items()
        if isinstance(properties, Mapping) and "HyperParameterTuningJobConfig" in properties
    }
    child = TuningShape.of(
        arguments.get("HyperParameterTuningJobConfig") or {},
        arguments.get("TrainingJobDefinition"),
    )
    found: list[Mapping[str, Any]] = []
    for entry in warm_start.get("ParentHyperParameterTuningJobs") or []:
        name = (entry or {}).get("HyperParameterTuningJobName")
        if name not in by_job:
            _note(
                ctx,
                f"warm start: parent tuning job {name!r} did not run in this execution; its "
                "results are not read locally",
            )
            continue
        step, properties = by_job[name]
        parent = TuningShape.of(
            properties.get("HyperParameterTuningJobConfig") or {},
            properties.get("TrainingJobDefinition"),
        )
        mismatches = warm_start_mismatches(child, parent)
        if mismatches:
            raise StepError(
                f"WarmStartConfig: the parent tuning job of step '{step}' "
                + _warm_start_mismatch(mismatches[0])
            )
        found.append(properties)
    return found


def _warm_start_mismatch(mismatch: WarmStartMismatch) -> str:
    """How a warm start's parent differs, in the runner's words."""
    if mismatch.what == "metric":
        return (
            f"optimizes '{mismatch.parent}', this one '{mismatch.child}'; a warm start needs "
            "the same objective metric"
        )
    if mismatch.what == "count":
        return (
            f"has {mismatch.parent} static plus tuned hyperparameters, this one "
            f"{mismatch.child} (a name both static and tuned counts once); a warm start needs "
            "the same total"
        )
    return (
        f"tunes '{mismatch.hyperparameter}' as {_article(str(mismatch.parent))} range, this "
        f"one as {_article(str(mismatch.child))} range; a warm start can't change a "
        "hyperparameter's type"
    )


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _candidates(
    ranges: Mapping[str, Any], strategy: str, count: int | None, seed: str
) -> list[dict[str, str]]:
    """The trials' tuned values: ``count`` random ones (None: one), or the whole grid.

    ``Grid`` enumerates every distinct combination of the categorical values in a fixed
    order: ranges as ``CategoricalParameterRanges`` lists them, the last one varying
    fastest, each range's values in its listed order (a repeated value once). Its job count
    is the grid's: ``_check_strategy`` has rejected another ``MaxNumberOfTrainingJobs``.
    """
    continuous = list(ranges.get("ContinuousParameterRanges") or [])
    integer = list(ranges.get("IntegerParameterRanges") or [])
    categorical = [
        {**item, "Values": [str(value) for value in item.get("Values") or []]}
        for item in ranges.get("CategoricalParameterRanges") or []
    ]
    if strategy == GRID:
        # Categorical ranges only: _check_strategy has rejected the others.
        axes: list[tuple[str, list[str]]] = [
            (item["Name"], list(dict.fromkeys(item["Values"]))) for item in categorical
        ]
        grid = [
            dict(zip([a[0] for a in axes], combo, strict=True))
            for combo in itertools.product(*(a[1] for a in axes))
        ]
        return grid or [{}]
    rng = random.Random(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))
    trials = []
    for _ in range(max(count or 1, 1)):
        tuned: dict[str, str] = {}
        for item in continuous:
            bottom, top = _bounds(item, integer=False)
            if item.get("ScalingType") == "Logarithmic" and bottom > 0:
                value = math.exp(rng.uniform(math.log(bottom), math.log(top)))
            else:
                value = rng.uniform(bottom, top)
            tuned[item["Name"]] = repr(value)
        for item in integer:
            low, high = (int(bound) for bound in _bounds(item, integer=True))
            tuned[item["Name"]] = str(rng.randint(low, high))
        for item in categorical:
            tuned[item["Name"]] = str(rng.choice(list(item["Values"])))
        trials.append(tuned)
    return trials


def _bounds(item: Mapping[str, Any], *, integer: bool) -> tuple[float, float]:
    """A range's resolved bounds, checked by the validator's rules (parameters may break them)."""
    name = item.get("Name")
    low, high = item.get("MinValue"), item.get("MaxValue")
    resolved = {**item, "MinValue": _bound_text(low), "MaxValue": _bound_text(high)}
    problems = range_problems(resolved, integer=integer)
    bottom, top = (
        range_bound(resolved[member]) if type(resolved[member]) is str else None
        for member in ("MinValue", "MaxValue")
    )
    if not problems and bottom is not None and top is not None:
        return bottom, top
    problem = problems[0] if problems else RangeProblem("MinValue", "not a number")
    value = item.get(problem.member)
    reason = {
        "integer scaling": "is an integer range: it can't use ReverseLogarithmic scaling",
        "not a number": f"needs numbers, got MinValue {low!r} and MaxValue {high!r}",
        "not whole": f"is an integer range: {problem.member} {value} is not a whole number",
        "out of order": (
            f"is empty: MinValue {low} and MaxValue {high} (MinValue must not exceed MaxValue)"
        ),
        "logarithmic": f"uses Logarithmic scaling, which needs MinValue above 0, got {low}",
        "reverse": (
            "uses ReverseLogarithmic scaling, which needs a range within 0 <= x < 1, "
            f"got {low} to {high}"
        ),
    }[problem.rule]
    raise StepError(f"the range of '{name}' {reason}")


def _bound_text(value: Any) -> Any:
    """A bound as the API writes it (a string); a parameter may resolve to a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return value
