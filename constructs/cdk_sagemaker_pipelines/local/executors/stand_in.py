"""Training and Tuning steps the runner can't run (a built-in algorithm's), stood in for.

A training job that runs its image's own program (the SDK's XGBoost ``Estimator`` without
``entry_point=``) can't run here.
``--callback-output Train.ModelArtifacts.S3ModelArtifacts=s3://…``
(``LocalConfig(callback_outputs=…)``) completes such a step with the properties given, as
for a Callback or AutoML step, so the steps after it can be tested. A step that runs here
(a script) is refused a stand-in: its values would silently replace what it computes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ...definition._sdk_jobs import sdk_job_kind
from ...definition.entries import StepSpec
from .._errors import StepError
from ._base import StepContext, StepResult, timestamp
from ._training_job import PROGRAM, script_setting
from .external import place_properties, supply_hint

STOOD_IN_TYPES = frozenset({"Training", "Tuning"})
# What the failure of a step without a program suggests when no later step reads it.
_EXAMPLES = {
    "Training": "ModelArtifacts.S3ModelArtifacts=s3://…",
    "Tuning": "BestTrainingJob.TrainingJobName=…",
}
# Where the stood-in model is read, so the user can put one there.
_WHERE_THE_MODEL_IS = {
    "Training": " (the model's URI: one you map with --s3-map to a local model.tar.gz, or "
    "one an earlier execution wrote)",
    "Tuning": " (a job's model is read at <S3OutputPath>/<TrainingJobName>/output/model.tar.gz: "
    "map it with --s3-map to a local model.tar.gz)",
}
# Stand-ins a supplied URI must be an object's (a later step reads the model there).
_OBJECT_URIS = frozenset({"ModelArtifacts.S3ModelArtifacts"})
# The steps whose values stand in: the step types the runner can't run at all.
STAND_IN_STEPS = (
    "Callback, Lambda, EMR and AutoML steps, ClarifyCheck steps and QualityCheck steps other "
    "than DATA_QUALITY ones, and Training or Tuning steps without a program (a built-in "
    "algorithm's)"
)


def runs_a_program(step_type: str, arguments: Any) -> bool | None:
    """Whether a Training or Tuning step's jobs run a script here (None: known at run time).

    A tuning job runs here only if every training job definition has a script: the first
    without one fails it. ``arguments`` may be unresolved (a ``Get`` as a value is unknown).

    Example::

        runs_a_program("Training", {"HyperParameters": {"sagemaker_program": '"t.py"'}})  # True
    """
    if not isinstance(arguments, Mapping):
        return None
    if step_type == "Training":
        settings = [arguments.get("HyperParameters") or {}]
    else:
        single = arguments.get("TrainingJobDefinition")
        several = arguments.get("TrainingJobDefinitions")
        definitions = [single] if single is not None else several
        if not isinstance(definitions, list):
            return None
        settings = [
            (definition.get("StaticHyperParameters") or {})
            if isinstance(definition, Mapping)
            else None
            for definition in definitions
        ]
    known: list[bool | None] = []
    for hyperparameters in settings:
        if not isinstance(hyperparameters, Mapping):
            known.append(None)
            continue
        value = hyperparameters.get(PROGRAM)
        if value is None:
            known.append(False)
        elif isinstance(value, str):
            known.append(bool(script_setting({PROGRAM: value}, PROGRAM)))
        else:
            known.append(None)  # a parameter or another step's property
    if False in known:
        return False
    return None if None in known else True


def needs_stand_in(step_type: str, arguments: Any) -> bool:
    """Whether a Training or Tuning step can complete here only if values stand in for it.

    True when its job (or a tuning definition's) certainly has no program, as the
    executors decide; not for a ``@step`` function or notebook job, which no value stands
    in for (the step fails, saying what to do), nor when the program is known only at
    run time.

    Example::

        needs_stand_in("Training", {"HyperParameters": {}})  # True: a built-in algorithm
    """
    if step_type not in STOOD_IN_TYPES:
        return False
    if step_type == "Training" and sdk_job_kind(arguments) is not None:
        return False
    return runs_a_program(step_type, arguments) is False


def example_property(step_type: str) -> str:
    """The property a step of ``step_type`` without a program suggests, if no step reads one."""
    return _EXAMPLES[step_type]


def runs_here(step_type: str, name: str) -> str:
    """Why ``--callback-output`` for step ``name``, which the runner runs, is refused."""
    what = "its training jobs run scripts" if step_type == "Tuning" else "its job runs a script"
    if step_type not in STOOD_IN_TYPES:
        what = "the runner runs it"
    return (
        f"{step_type} step '{name}' runs locally ({what}), so --callback-output can't stand "
        f"in for it; values stand in only for steps the runner can't run: {STAND_IN_STEPS}"
    )


def check_stand_in(step_type: str, values: Mapping[str, Any]) -> None:
    """Raise ``StepError`` for a supplied value a later step couldn't read as the property.

    The model's location is an object's ``s3://bucket/key``; a metric's ``Value`` a number.
    Property names are checked against the step's property tree by the runner.
    """
    for name, value in values.items():
        path = str(name)
        if path in _OBJECT_URIS and not _is_object_uri(value):
            raise StepError(
                f"property '{path}' of a {step_type} step is the S3 URI of the model "
                f"(s3://bucket/key/model.tar.gz), but --callback-output gave {value!r}"
            )
        if _is_metric_value(path) and _number(value) is None:
            raise StepError(
                f"property '{path}' of a {step_type} step is a metric's value, a number, "
                f"but --callback-output gave {value!r}"
            )


def no_program_hint(step: StepSpec, ctx: StepContext) -> str:
    """How to stand in for a step that has no program: the ``--callback-output`` to give."""
    example = f"{step.name}.{_EXAMPLES[step.step_type]}"
    return (
        "; or, to test the steps after it, stand in for it (it is not run) with "
        + supply_hint(step, ctx, example)
        + _WHERE_THE_MODEL_IS[step.step_type]
    )


def stand_in(step: StepSpec, ctx: StepContext, given: Mapping[str, Any]) -> StepResult:
    """Complete a Training or Tuning step without a program from ``given`` properties.

    The Describe properties a completed job has are filled (name, ARN, status, times, the
    request's own fields such as ``OutputDataConfig``); the given ones are placed over them.

    Example::

        stand_in(spec, ctx, {"ModelArtifacts.S3ModelArtifacts": "s3://b/model.tar.gz"})
    """
    if runs_a_program(step.step_type, ctx.arguments):
        raise StepError(runs_here(step.step_type, step.name))
    check_stand_in(step.step_type, given)
    now = timestamp(ctx.now())
    # A copy: a given path inside a request field (OutputDataConfig.…) must not edit the request.
    properties: dict[str, Any] = copy.deepcopy(dict(ctx.arguments))
    if step.step_type == "Training":
        arn = ctx.arn("training-job")
        properties.update(
            TrainingJobName=ctx.job_name,
            TrainingJobArn=arn,
            TrainingJobStatus="Completed",
            SecondaryStatus="Completed",
            CreationTime=now,
            TrainingStartTime=now,
            TrainingEndTime=now,
            LastModifiedTime=now,
        )
        metadata = {"TrainingJob": {"Arn": arn}}
    else:
        arn = ctx.arn("hyper-parameter-tuning-job")
        properties.update(
            HyperParameterTuningJobName=ctx.job_name,
            HyperParameterTuningJobArn=arn,
            HyperParameterTuningJobStatus="Completed",
            CreationTime=now,
            HyperParameterTuningEndTime=now,
            LastModifiedTime=now,
        )
        metadata = {"TuningJob": {"Arn": arn}}
    # A metric's value as a number, for a condition comparing it (the CLI gives text).
    place_properties(
        properties,
        {name: _number(v) if _is_metric_value(str(name)) else v for name, v in given.items()},
    )
    _shape_metrics(properties, now)
    if step.step_type == "Training":
        properties.setdefault("FinalMetricDataList", [])
    if step.step_type == "Tuning":
        _pair_best_job(properties)
    _note(ctx, step, given)
    return StepResult(properties=properties, metadata=metadata)


def _shape_metrics(properties: dict[str, Any], now: str) -> None:
    """``FinalMetricDataList['validation:auc'].Value`` given: the Describe list, numbers."""
    given = properties.get("FinalMetricDataList")
    if isinstance(given, Mapping):
        properties["FinalMetricDataList"] = [
            {
                "MetricName": name,
                "Value": entry.get("Value") if isinstance(entry, Mapping) else None,
                "Timestamp": now,
            }
            for name, entry in given.items()
        ]


def _pair_best_job(properties: dict[str, Any]) -> None:
    """The best job heads the summaries (``top_model_s3_uri(0)``), and the other way round."""
    best = properties.get("BestTrainingJob")
    summaries = properties.get("TrainingJobSummaries")
    if isinstance(best, Mapping) and summaries is None:
        properties["TrainingJobSummaries"] = [dict(best)]
    elif best is None and isinstance(summaries, list) and summaries:
        properties["BestTrainingJob"] = summaries[0]
    elif isinstance(best, Mapping) and isinstance(summaries, list) and summaries:
        # Both given (the best job, and TrainingJobSummaries[k] for other top models): the
        # first summary is the best job's, whose values fill what either lacks. Without
        # this, summaries[0] is the empty item placing [k] padded the list with.
        head = summaries[0] if isinstance(summaries[0], dict) else {}
        summaries[0] = {**best, **head}
        properties["BestTrainingJob"] = {**head, **best}


def _note(ctx: StepContext, step: StepSpec, given: Mapping[str, Any]) -> None:
    """Say in the step's log that it was stood in for, not run."""
    values = ", ".join(f"{name}={value}" for name, value in given.items())
    with ctx.log.open("a", encoding="utf-8") as handle:
        handle.write(
            f"[smpipe] stood in for, not run (--callback-output): {step.step_type} step "
            f"'{step.name}' completed with {values}; not cached\n"
        )


def _is_metric_value(path: str) -> bool:
    """A metric's value: ``FinalMetricDataList['…'].Value``, ``….ObjectiveMetric.Value``."""
    return "Metric" in path and path.endswith(".Value")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _is_object_uri(value: Any) -> bool:
    if not isinstance(value, str) or not value.startswith("s3://"):
        return False
    _bucket, _, key = value[len("s3://") :].partition("/")
    return bool(_bucket) and bool(key) and not key.endswith("/")
