"""``smpipe convert --without-sdk-defaults``: the SageMaker SDK's defaults, found and cut.

The SDK writes members a team wouldn't write (output locations of its own layout, a
debugger and profiler configuration on every training job, the default experiment
config…). ``strip_sdk_defaults`` cuts them out of a definition and says where it cut, so
the converted module can be compared with the definition less exactly those members.

Example::

    stripped = strip_sdk_defaults(definition)
    stripped.definition  # what the module is written from
    stripped.paths  # [("AbaloneProcess", ("Arguments", "ProcessingOutputConfig", ...)), ...]
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# A member, by its step's name (None: the definition's own member) and its path there.
Path = tuple[str | int, ...]
Cut = tuple[str | None, Path]

_EXECUTION_ID = {"Get": "Execution.PipelineExecutionId"}
# PipelineExperimentConfig(ExecutionVariables.PIPELINE_NAME, ...PIPELINE_EXECUTION_ID).
SDK_EXPERIMENT_CONFIG = {
    "ExperimentName": {"Get": "Execution.PipelineName"},
    "TrialName": _EXECUTION_ID,
}
_BUCKET_ROOT = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/?$")

# What the option leaves out, as the docs list it (docs/language.md).
SDK_DEFAULT_KINDS = (
    "a processing output's destination in the SDK's layout "
    "(s3://<bucket>/<pipeline>/<execution id>/<step>/output/<output>)",
    "a training or transform job's output path at a bucket's root (s3://<bucket>/)",
    "a training job's DebugHookConfig {S3OutputPath: <its output path>, "
    "CollectionConfigurations: []} and ProfilerConfig {S3OutputPath: <its output path>, "
    "DisableProfiler: false}",
    'a registered model\'s "SkipModelValidation": "None" and empty ModelMetrics reports',
    "the pipeline's PipelineExperimentConfig(PIPELINE_NAME, PIPELINE_EXECUTION_ID)",
)


@dataclass
class Stripped:
    """A definition without the SDK's defaults, where they were, and the SDK's bucket."""

    definition: dict[str, Any]
    paths: list[Cut] = field(default_factory=list)
    buckets: Counter[str] = field(default_factory=Counter)

    @property
    def bucket(self) -> str | None:
        """The bucket the SDK wrote to most: the module's binder gives it the outputs."""
        return self.buckets.most_common(1)[0][0] if self.buckets else None


def strip_sdk_defaults(definition: Mapping[str, Any]) -> Stripped:
    """``definition`` (not changed) without the SDK's defaults, and the paths cut.

    Output locations are cut in one bucket only, the one the SDK wrote to most: the binder
    gives one ``default_bucket``, so a location of another bucket (a script's choice) is
    kept, or the draft would move it into that bucket unnoticed.
    """
    counted = _strip(definition, only=None)
    return _strip(definition, only=counted.bucket) if len(counted.buckets) > 1 else counted


def _strip(definition: Mapping[str, Any], only: str | None) -> Stripped:
    """``strip_sdk_defaults``; with ``only``, output locations of that bucket alone."""
    result = Stripped(copy.deepcopy(dict(definition)))
    if result.definition.get("PipelineExperimentConfig") == SDK_EXPERIMENT_CONFIG:
        del result.definition["PipelineExperimentConfig"]
        result.paths.append((None, ("PipelineExperimentConfig",)))
    for entry in _entries(result.definition.get("Steps")):
        arguments = entry.get("Arguments")
        if isinstance(arguments, dict) and isinstance(entry.get("Name"), str):
            _strip_step(entry["Name"], entry.get("Type"), arguments, result, only)
    return result


def _entries(steps: Any) -> Iterator[dict[str, Any]]:
    """The steps, those of condition branches too."""
    for entry in steps if isinstance(steps, list) else []:
        if not isinstance(entry, dict):
            continue
        yield entry
        arguments = entry.get("Arguments")
        if entry.get("Type") == "Condition" and isinstance(arguments, dict):
            for key in ("IfSteps", "ElseSteps"):
                yield from _entries(arguments.get(key))


def _strip_step(
    name: str, kind: Any, arguments: dict[str, Any], result: Stripped, only: str | None
) -> None:
    def cut(*path: str | int) -> None:
        result.paths.append((name, ("Arguments", *path)))

    def ours(bucket: str | None) -> bool:
        return bucket is not None and only in (None, bucket)

    if kind == "Processing":
        outputs = (arguments.get("ProcessingOutputConfig") or {}).get("Outputs")
        for index, item in enumerate(outputs if isinstance(outputs, list) else []):
            s3 = item.get("S3Output") if isinstance(item, dict) else None
            if isinstance(s3, dict):
                bucket = _sdk_destination(s3.get("S3Uri"), name, item.get("OutputName"))
                if ours(bucket):
                    del s3["S3Uri"]
                    result.buckets[str(bucket)] += 1
                    cut("ProcessingOutputConfig", "Outputs", index, "S3Output", "S3Uri")
    if kind == "Training":
        output_path = (arguments.get("OutputDataConfig") or {}).get("S3OutputPath")
        for member, default in (
            ("DebugHookConfig", {"S3OutputPath": output_path, "CollectionConfigurations": []}),
            ("ProfilerConfig", {"S3OutputPath": output_path, "DisableProfiler": False}),
        ):
            if output_path is not None and arguments.get(member) == default:
                del arguments[member]
                cut(member)
    output = {"Training": "OutputDataConfig", "Transform": "TransformOutput"}.get(kind)
    config = arguments.get(output) if output is not None else None
    path = config.get("S3OutputPath") if isinstance(config, dict) else None
    root = _BUCKET_ROOT.match(path) if isinstance(path, str) else None
    if output is not None and isinstance(config, dict) and root and ours(root.group(1)):
        del config["S3OutputPath"]
        result.buckets[root.group(1)] += 1
        cut(output, "S3OutputPath")
    if kind == "RegisterModel":
        if arguments.get("SkipModelValidation") == "None":
            del arguments["SkipModelValidation"]
            cut("SkipModelValidation")
        metrics = arguments.get("ModelMetrics")
        if isinstance(metrics, dict):
            for report in ("Bias", "Explainability"):
                if metrics.get(report) == {}:
                    del metrics[report]
                    cut("ModelMetrics", report)
            if not metrics:
                del arguments["ModelMetrics"]
                cut("ModelMetrics")


def _sdk_destination(uri: Any, step: str, output: Any) -> str | None:
    """The bucket of the SDK's default destination of a processing output, else None.

    ``Join("/", ["s3:/", bucket, pipeline, execution id, step, "output", output])``.
    """
    values = (uri.get("Std:Join") or {}).get("Values") if isinstance(uri, Mapping) else None
    if (
        not isinstance(values, list)
        or len(uri) != 1
        or uri["Std:Join"].get("On") != "/"
        or len(values) != 7
    ):
        return None
    scheme, bucket, pipeline, execution, name, kind, last = values
    if (
        scheme == "s3:/"
        and isinstance(bucket, str)
        and _BUCKET_ROOT.match(f"s3://{bucket}")
        and isinstance(pipeline, str)
        and execution == _EXECUTION_ID
        and (name, kind, last) == (step, "output", output)
    ):
        return bucket
    return None


def without_paths(definition: Mapping[str, Any], paths: list[Cut]) -> dict[str, Any]:
    """A copy of ``definition`` without the members at ``paths`` (those it has)."""
    result = copy.deepcopy(dict(definition))
    steps = {entry.get("Name"): entry for entry in _entries(result.get("Steps"))}
    for step, path in paths:
        target: Any = result if step is None else steps.get(step)
        *parents, member = path
        for part in parents:
            if isinstance(target, dict) and isinstance(part, str):
                target = target.get(part)
            elif isinstance(target, list) and isinstance(part, int) and part < len(target):
                target = target[part]
            else:
                target = None
        if isinstance(target, dict) and isinstance(member, str):
            target.pop(member, None)
    return result


def entry_without(entry: Mapping[str, Any], paths: tuple[Path, ...]) -> Mapping[str, Any]:
    """A step's entry (or rendering) without the members at ``paths``."""
    if not paths:
        return entry
    holder = without_paths({"Steps": [entry]}, [(entry.get("Name"), path) for path in paths])
    result: Mapping[str, Any] = holder["Steps"][0]
    return result
