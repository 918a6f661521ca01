"""Tuning steps: the trials run locally, the objective is read from the metric regex."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .._errors import StepError
from .._graph import StepSpec
from ._base import StepContext, StepResult, stopping_timeout, timestamp
from ._training_job import TrainingRun, run_training_job


class TuningExecutor:
    """Runs up to ``MaxNumberOfTrainingJobs`` trials, ``MaxParallelTrainingJobs`` at a time.

    ``Grid`` enumerates categorical and integer ranges; every other strategy (Bayesian,
    Random, Hyperband) samples the ranges at random with a seed derived from the step,
    so runs are reproducible. ``TrainingJobSummaries`` is sorted best first (as the
    SDK's ``top_model_s3_uri`` expects) and ``BestTrainingJob`` is its head.

    Example::

        TuningExecutor().run(spec, ctx).properties["BestTrainingJob"]["TrainingJobName"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Run the trials."""
        arguments: Mapping[str, Any] = ctx.arguments
        config = arguments.get("HyperParameterTuningJobConfig") or {}
        definition = arguments.get("TrainingJobDefinition")
        if not isinstance(definition, Mapping):
            raise StepError(
                "only TrainingJobDefinition is supported locally (not TrainingJobDefinitions)"
            )
        limits = config.get("ResourceLimits") or {}
        # Grid search without a job count runs the whole grid (None: every candidate).
        given_max_jobs = limits.get("MaxNumberOfTrainingJobs")
        max_jobs = int(given_max_jobs) if given_max_jobs is not None else None
        parallel = max(1, int(limits.get("MaxParallelTrainingJobs", 1)))
        objective = config.get("HyperParameterTuningJobObjective") or {}
        metric, goal = str(objective.get("MetricName")), str(objective.get("Type", "Maximize"))
        algorithm = definition.get("AlgorithmSpecification") or {}
        if metric not in {d.get("Name") for d in algorithm.get("MetricDefinitions") or []}:
            raise StepError(
                f"the objective metric '{metric}' has no MetricDefinitions regex, so it can't "
                "be read from the training log"
            )
        candidates = _candidates(
            config.get("ParameterRanges") or {},
            str(config.get("Strategy", "Bayesian")),
            max_jobs,
            seed=f"{step.name}:{json.dumps(config.get('ParameterRanges'), sort_keys=True)}",
        )
        static = dict(definition.get("StaticHyperParameters") or {})
        output_path = str((definition.get("OutputDataConfig") or {}).get("S3OutputPath", ""))
        resources = (
            definition.get("HyperParameterTuningResourceConfig")
            or definition.get("ResourceConfig")
            or {}
        )

        def trial(index: int, tuned: dict[str, str]) -> tuple[dict[str, str], TrainingRun | str]:
            name = f"{ctx.job_name}-{index + 1:03d}"
            log = ctx.log.with_name(f"{ctx.log.stem}.{index + 1:03d}.log")
            try:
                run = run_training_job(
                    ctx,
                    job_name=name,
                    algorithm=algorithm,
                    hyperparameters={**static, **tuned},
                    channels=list(definition.get("InputDataConfig") or []),
                    output_path=output_path,
                    environment=definition.get("Environment") or {},
                    timeout=stopping_timeout(definition),
                    work=f"trial-{index + 1:03d}",
                    log=log,
                    instance_type=str(resources.get("InstanceType", "ml.m5.large")),
                )
            except StepError as failure:
                return tuned, f"{name}: {failure.reason}"
            return tuned, run

        with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="smpipe-trial") as pool:
            results = list(pool.map(lambda pair: trial(*pair), enumerate(candidates)))
        summaries: list[dict[str, Any]] = []
        failures: list[str] = []
        outputs: dict[str, Any] = {}
        for tuned, outcome in results:
            if isinstance(outcome, str):
                failures.append(outcome)
                summaries.append(
                    {
                        "TrainingJobName": outcome.split(":", 1)[0],
                        "TrainingJobStatus": "Failed",
                        "FailureReason": outcome.split(": ", 1)[-1][:1024],
                        "TunedHyperParameters": tuned,
                        "ObjectiveStatus": "Failed",
                    }
                )
                continue
            outputs[outcome.job_uri] = outcome.job_directory
            value = outcome.metrics.get(metric)
            summary: dict[str, Any] = {
                "TrainingJobName": outcome.job_name,
                "TrainingJobArn": ctx.arn("training-job", outcome.job_name),
                "CreationTime": outcome.started,
                "TrainingStartTime": outcome.started,
                "TrainingEndTime": outcome.ended,
                "TrainingJobStatus": "Completed",
                "TunedHyperParameters": tuned,
                "ObjectiveStatus": "Succeeded" if value is not None else "Failed",
            }
            if value is not None:
                summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
                    "Type": goal,
                    "MetricName": metric,
                    "Value": value,
                }
            summaries.append(summary)
        scored = [s for s in summaries if s["ObjectiveStatus"] == "Succeeded"]
        if not scored:
            detail = (
                failures[0]
                if failures
                else (f"no job printed the objective metric '{metric}' (its regex never matched)")
            )
            raise StepError(f"all {len(summaries)} training jobs failed; first: {detail}")
        sign = -1.0 if goal == "Maximize" else 1.0
        scored.sort(key=lambda s: sign * s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
        ordered = scored + [s for s in summaries if s not in scored]
        completed = sum(1 for s in summaries if s["TrainingJobStatus"] == "Completed")
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
                "NonRetryableError": len(summaries) - completed,
                "Stopped": 0,
            },
            ObjectiveStatusCounters={
                "Succeeded": len(scored),
                "Pending": 0,
                "Failed": len(summaries) - len(scored),
            },
            BestTrainingJob=scored[0],
            TrainingJobSummaries=ordered,
        )
        return StepResult(
            properties=properties,
            outputs=outputs,
            output_names={uri: "model" for uri in outputs},
            metadata={"TuningJob": {"Arn": arn}},
        )


def _candidates(
    ranges: Mapping[str, Any], strategy: str, count: int | None, seed: str
) -> list[dict[str, str]]:
    """The trials' tuned values: ``count`` of them (None: the whole grid, or one)."""
    continuous = list(ranges.get("ContinuousParameterRanges") or [])
    integer = list(ranges.get("IntegerParameterRanges") or [])
    categorical = list(ranges.get("CategoricalParameterRanges") or [])
    if strategy == "Grid":
        if continuous:
            raise StepError("the Grid strategy takes no continuous ranges")
        axes: list[tuple[str, list[str]]] = [
            (item["Name"], [str(v) for v in item["Values"]]) for item in categorical
        ]
        for item in integer:
            low, high = (int(bound) for bound in _bounds(item))
            axes.append((item["Name"], [str(v) for v in range(low, high + 1)]))
        grid = [
            dict(zip([a[0] for a in axes], combo, strict=True))
            for combo in itertools.product(*(a[1] for a in axes))
        ]
        return (grid if count is None else grid[:count]) or [{}]
    rng = random.Random(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))
    trials = []
    for _ in range(max(count or 1, 1)):
        tuned: dict[str, str] = {}
        for item in continuous:
            bottom, top = _bounds(item)
            if item.get("ScalingType") == "Logarithmic" and bottom > 0:
                value = math.exp(rng.uniform(math.log(bottom), math.log(top)))
            else:
                value = rng.uniform(bottom, top)
            tuned[item["Name"]] = repr(value)
        for item in integer:
            low, high = (int(bound) for bound in _bounds(item))
            tuned[item["Name"]] = str(rng.randint(low, high))
        for item in categorical:
            tuned[item["Name"]] = str(rng.choice(list(item["Values"])))
        trials.append(tuned)
    return trials


def _bounds(item: Mapping[str, Any]) -> tuple[float, float]:
    """A range's resolved bounds; parameters may make them unreadable or out of order."""
    name = item.get("Name")
    try:
        low, high = float(item["MinValue"]), float(item["MaxValue"])
    except (KeyError, TypeError, ValueError):
        raise StepError(
            f"the range of '{name}' needs numbers, got MinValue {item.get('MinValue')!r} and "
            f"MaxValue {item.get('MaxValue')!r}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise StepError(
            f"the range of '{name}' is empty: MinValue {item['MinValue']} and MaxValue "
            f"{item['MaxValue']} (MinValue must not exceed MaxValue)"
        )
    return low, high
