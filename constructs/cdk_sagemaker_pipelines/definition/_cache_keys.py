"""SageMaker's cache key of a step, and the cached steps every run would find cached.

SageMaker finds a cached run of a step by a few members of its ``Arguments`` per step
type (SageMaker docs, "pipelines-default-keys"), with the parameters resolved: not by the
data at the S3 locations they name, nor by the step's outputs. The local runner keys its
cache on the same members; a ``PipelineSchedule`` (and a ``NewDataTrigger``) warns of
cached steps whose key is the same on every run it starts.

Example::

    key_attributes("Processing", arguments)  # {'AppSpecification': …, 'ProcessingInputs': …}
    [step.name for step in run_invariant_cached_steps(definition["Steps"])]  # ['Preprocess']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .entries import walk_steps

# Arguments members compared per step type (for Tuning, TrainingJobDefinition children).
KEY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "Processing": ("AppSpecification", "Environment", "ProcessingInputs"),
    "Training": (
        "AlgorithmSpecification",
        "CheckpointConfig",
        "DebugHookConfig",
        "DebugRuleConfigurations",
        "Environment",
        "HyperParameters",
        "InputDataConfig",
    ),
    "Tuning": ("HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobDefinitions"),
    "Transform": ("DataProcessing", "Environment", "ModelName", "TransformInput"),
    "EMR": ("ClusterId", "StepConfig"),
    # Not OutputDataConfig (a default path holds the execution id) nor AutoMLJobConfig's
    # SecurityConfig: a run that changes only those is a hit.
    "AutoML": ("AutoMLJobConfig", "AutoMLJobObjective", "InputDataConfig", "ProblemType"),
}
AUTOML_CONFIG_KEYS = ("CandidateGenerationConfig", "CompletionCriteria", "DataSplitConfig", "Mode")
TUNING_DEFINITION_KEYS = (
    "AlgorithmSpecification",
    "HyperParameterRanges",
    "InputDataConfig",
    "StaticHyperParameters",
    "TuningObjective",
)


# The execution variables that are the same in every run of the pipeline.
RUN_CONSTANTS = frozenset({"Execution.PipelineName", "Execution.PipelineArn"})


def key_attributes(step_type: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The members of ``arguments`` the service compares for ``step_type``."""
    attributes = {
        name: arguments[name] for name in KEY_ATTRIBUTES.get(step_type, ()) if name in arguments
    }
    if step_type == "AutoML":
        config = attributes.get("AutoMLJobConfig")
        if isinstance(config, Mapping):
            attributes["AutoMLJobConfig"] = {
                name: config[name] for name in AUTOML_CONFIG_KEYS if name in config
            }
        return attributes
    if step_type != "Tuning":
        return attributes
    definition = attributes.get("TrainingJobDefinition")
    if isinstance(definition, Mapping):
        attributes["TrainingJobDefinition"] = _tuning_definition_key(definition)
    several = attributes.get("TrainingJobDefinitions")
    if isinstance(several, list):
        # Each is a TrainingJobDefinition of its own (the same shape), keyed alike: its
        # output path or role may change (a default output path holds the execution id)
        # without a rerun, as for a tuning job of one definition. Its DefinitionName counts:
        # a hit's summaries name their definitions (BestTrainingJob.TrainingJobDefinitionName),
        # and a renamed definition must not hand later steps a name it no longer has.
        attributes["TrainingJobDefinitions"] = [
            _several_definition_key(item) if isinstance(item, Mapping) else item for item in several
        ]
    return attributes


def _tuning_definition_key(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The members of a tuning job's training job definition that the service compares."""
    return {name: definition[name] for name in TUNING_DEFINITION_KEYS if name in definition}


def _several_definition_key(definition: Mapping[str, Any]) -> dict[str, Any]:
    """``_tuning_definition_key`` of one of ``TrainingJobDefinitions``, with its name."""
    key = _tuning_definition_key(definition)
    if "DefinitionName" in definition:
        key["DefinitionName"] = definition["DefinitionName"]
    return key


@dataclass(frozen=True, slots=True)
class RunInvariantStep:
    """A cached step whose cache key is the same on every run given the same parameters.

    ``expire_after`` is its ``CacheConfig.ExpireAfter`` (``None``: no limit); ``reads`` the
    S3 locations among its key's inputs (literal URIs or ``Std:Join`` expressions, the
    code's left out); ``fed_by`` the cached steps whose properties it reads (empty: its key
    holds only literals and parameters).

    Example::

        RunInvariantStep("Preprocess", "P30D", reads=({"Std:Join": …},), fed_by=())
    """

    name: str
    expire_after: Any
    reads: tuple[Any, ...]
    fed_by: tuple[str, ...]


def run_invariant_cached_steps(
    steps: Any, varying: Collection[str] = frozenset()
) -> list[RunInvariantStep]:
    """The cached steps of ``steps`` (a ``Steps`` list) that runs with equal parameters hit.

    A step qualifies when its ``CacheConfig`` is on and its cache key refers only to
    parameters and to properties of steps that qualify (a hit hands on the earlier run's
    properties, so the step after it sees the same arguments too, and reads the same
    property files). An execution variable other than the pipeline's name and ARN
    (``PipelineExecutionId``, ``StartDateTime``), a ``JsonGet`` of an S3 location, a
    property of any other step or a parameter named in ``varying`` (one whose value the
    runs' starter changes per run: a new-data trigger's object key) changes from run to
    run. A step type without a known key is judged on its whole ``Arguments``. In the
    order of ``walk_steps``.

    Example::

        run_invariant_cached_steps(steps, varying={"InputDataKey"})  # not a step keyed on it
    """
    changing = frozenset(f"Parameters.{name}" for name in varying)
    candidates: dict[str, tuple[Any, Any, set[str]]] = {}
    for spec in walk_steps(steps):
        config = spec.entry.get("CacheConfig")
        arguments = spec.entry.get("Arguments")
        if not isinstance(config, Mapping) or config.get("Enabled") is not True:
            continue
        if not isinstance(arguments, Mapping):
            continue
        key: Any = (
            key_attributes(spec.step_type, arguments)
            if spec.step_type in KEY_ATTRIBUTES
            else arguments
        )
        fed_by = _invariant_references(key, changing)
        if fed_by is not None:
            candidates[spec.name] = (config.get("ExpireAfter"), key, fed_by)
    # A step fed by one that doesn't qualify doesn't either, and so on down the graph.
    changed = True
    while changed:
        changed = False
        for name, (_, _, fed_by) in list(candidates.items()):
            if not fed_by <= candidates.keys():
                del candidates[name]
                changed = True
    return [
        RunInvariantStep(name, expire_after, tuple(_data_locations(key)), tuple(sorted(fed_by)))
        for name, (expire_after, key, fed_by) in candidates.items()
    ]


def _invariant_references(value: Any, changing: frozenset[str]) -> set[str] | None:
    """The steps ``value`` reads properties of, or ``None`` if it changes from run to run.

    ``changing``: the ``Get`` references (``Parameters.X``) whose value changes per run.
    """
    fed_by: set[str] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            reference = item.get("Get") if len(item) == 1 else None
            if isinstance(reference, str):
                if reference in changing:
                    return None  # a parameter given a new value each run
                if reference.startswith("Steps."):
                    fed_by.add(reference[len("Steps.") :].split(".")[0].split("[")[0])
                elif not reference.startswith("Parameters.") and reference not in RUN_CONSTANTS:
                    return None  # the execution's id, ARN or time, or anything else
                continue
            json_get = item.get("Std:JsonGet")
            if isinstance(json_get, Mapping) and "PropertyFile" not in json_get:
                return None  # a file at an S3 location: whatever it holds at run time
            # A property file's value is fed by its step: a hit hands on its earlier file.
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return fed_by


def _data_locations(key: Any) -> list[Any]:
    """The ``S3Uri`` values of ``key`` that aren't code or another step's property, in order."""
    found: list[Any] = []

    def visit(value: Any, code: bool) -> None:
        if isinstance(value, Mapping):
            name = value.get("InputName", value.get("ChannelName"))
            code = code or name == "code"
            uri = value.get("S3Uri")
            if uri is not None and not code and not _is_step_property(uri):
                found.append(uri)
            for member, item in value.items():
                if member != "S3Uri":
                    visit(item, code)
        elif isinstance(value, list):
            for item in value:
                visit(item, code)

    visit(key, False)
    return found


def _is_step_property(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("Get"), str)
        and value["Get"].startswith("Steps.")
    )
