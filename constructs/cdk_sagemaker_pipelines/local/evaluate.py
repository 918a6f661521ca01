"""Evaluate a definition's run-time values as the service does.

``{"Get": "Parameters.X"}``, ``{"Get": "Execution.PipelineExecutionId"}``,
``{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}``, ``Std:Join`` and
``Std:JsonGet`` (JsonPath over a step's property file or a JSON file in S3), and the
condition objects of a Condition step. Errors raise ``EvaluationError`` with the precise
reason, which becomes the failure reason of the step that needed the value.

Example::

    evaluator = Evaluator(parameters={"Threshold": 0.9}, execution=variables, store=store,
                          graph=graph)
    evaluator.resolve({"Get": "Execution.PipelineExecutionId"})
    evaluator.condition({"Type": "GreaterThanOrEqualTo", "LeftValue": 0.93, "RightValue": 0.9})
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..definition.expressions import is_valid_json_path
from ..definition.properties import PathStepError, parse_path
from ._errors import AccessDeniedError, EvaluationError, StepError, UnmappableS3UriError
from ._graph import StepGraph, declared_output_uris
from .store import StepStore

# List items indexed by a string key match on one of these members.
_KEY_MEMBERS = (
    "OutputName",
    "MetricName",
    "ChannelName",
    "InputName",
    "Name",
    "TrainingJobName",
    "Key",
)


# The execution variables naming the job of the step whose arguments hold them (the SDK's
# ExecutionVariables.TRAINING_JOB_NAME and PROCESSING_JOB_NAME).
JOB_NAME_VARIABLES = frozenset({"TrainingJobName", "ProcessingJobName"})


@dataclass(frozen=True, slots=True)
class ExecutionVariables:
    """The values behind ``Execution.*``.

    Example::

        ExecutionVariables("pipe", "arn:…:pipeline/pipe", "abc123", "arn:…/execution/abc123",
                           dt.datetime.now(dt.UTC))
    """

    pipeline_name: str
    pipeline_arn: str
    execution_id: str
    execution_arn: str
    start: dt.datetime
    # The local name of the job of the step being run: ``TrainingJobName`` and
    # ``ProcessingJobName`` (``Evaluator.for_job``); None outside a job's arguments.
    job_name: str | None = None

    def get(self, name: str) -> Any:
        """The variable ``name`` (``CurrentDateTime`` is read now)."""
        if name in JOB_NAME_VARIABLES:
            if self.job_name is None:
                raise EvaluationError(
                    f"'Execution.{name}' names the job of the step it is written in, and only "
                    "that step's Arguments know it"
                )
            return self.job_name
        values: dict[str, Callable[[], Any]] = {
            "PipelineName": lambda: self.pipeline_name,
            "PipelineArn": lambda: self.pipeline_arn,
            "PipelineExecutionId": lambda: self.execution_id,
            "PipelineExecutionArn": lambda: self.execution_arn,
            "StartDateTime": lambda: self.start,
            "CurrentDateTime": lambda: dt.datetime.now(dt.UTC),
        }
        getter = values.get(name)
        if getter is None:
            raise EvaluationError(f"unknown execution variable 'Execution.{name}'")
        return getter()


class Evaluator:
    """Resolves expressions against parameters, execution variables and finished steps.

    Example::

        evaluator.resolve(step_entry["Arguments"])      # every expression replaced
        evaluator.condition(condition_object)            # True / False
    """

    def __init__(
        self,
        *,
        parameters: Mapping[str, Any],
        execution: ExecutionVariables,
        store: StepStore,
        graph: StepGraph,
    ) -> None:
        self.parameters = parameters
        self.execution = execution
        self.store = store
        self.graph = graph

    def for_job(self, job_name: str) -> Evaluator:
        """An evaluator like this one whose ``Execution.TrainingJobName`` is ``job_name``.

        ``ProcessingJobName`` too: the name of the job of the step being run.
        """
        return Evaluator(
            parameters=self.parameters,
            execution=dataclasses.replace(self.execution, job_name=job_name),
            store=self.store,
            graph=self.graph,
        )

    # -- values -------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """``value`` with every expression object replaced by its value."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, body),) = value.items()
                if key == "Get" and isinstance(body, str):
                    return self.get(body)
                if key == "Std:Join":
                    return self.join(body)
                if key == "Std:JsonGet":
                    return self.json_get(body)
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def get(self, reference: str) -> Any:
        """The value of a ``Get`` reference."""
        root, _, rest = reference.partition(".")
        if root == "Parameters":
            if rest not in self.parameters:
                raise EvaluationError(f"'{reference}': no parameter named '{rest}'")
            return self.parameters[rest]
        if root == "Execution":
            return self.execution.get(rest)
        if root == "Steps":
            return self.step_property(rest)
        raise EvaluationError(f"unknown reference '{reference}'")

    def step_property(self, path: str) -> Any:
        """``Steps.<path>``: a finished step's property."""
        match = re.match(r"([A-Za-z0-9\-_]+)(.*)", path)
        if match is None:
            raise EvaluationError(f"malformed step reference 'Steps.{path}'")
        step, rest = match[1], match[2].lstrip(".")
        if step not in self.graph.steps:
            raise EvaluationError(f"'Steps.{path}': no step named '{step}'")
        properties = self.store.properties.get(step)
        if properties is None:
            raise EvaluationError(f"'Steps.{path}': step '{step}' has not run in this execution")
        if rest.startswith("PropertyFiles"):
            raise EvaluationError(
                f"'Steps.{path}': a property file is read with Std:JsonGet, not Get"
            )
        try:
            segments = parse_path(rest)
        except PathStepError as error:
            raise EvaluationError(f"'Steps.{path}': {error.message}") from None
        return walk_properties(properties, segments, f"step '{step}'")

    def join(self, body: Any) -> str:
        """``Std:Join``: the values as strings, joined with ``On``."""
        if not isinstance(body, Mapping):
            raise EvaluationError("Std:Join takes {On, Values}")
        separator = body.get("On", "")
        values = self.resolve(body.get("Values") or [])
        if not isinstance(values, list):
            raise EvaluationError("Std:Join: Values must be a list")
        return str(separator).join(to_text(value) for value in values)

    def json_get(self, body: Any) -> Any:
        """``Std:JsonGet``: a value from a step's property file, or from a JSON file in S3."""
        if not isinstance(body, Mapping):
            raise EvaluationError("Std:JsonGet takes {PropertyFile, Path} or {S3Uri, Path}")
        if "S3Uri" in body and "PropertyFile" not in body:
            return self._json_get_uri(body)
        reference = body.get("PropertyFile")
        if isinstance(reference, Mapping) and isinstance(reference.get("Get"), str):
            reference = reference["Get"]
        match = re.fullmatch(r"Steps\.([A-Za-z0-9\-_]+)\.PropertyFiles\.(.+)", str(reference))
        if match is None:
            raise EvaluationError(
                f"Std:JsonGet: PropertyFile must be Steps.<step>.PropertyFiles.<name>, "
                f"got {reference!r}"
            )
        step, name = match[1], match[2]
        path = self.resolve(body.get("Path"))
        if not isinstance(path, str) or not is_valid_json_path(path):
            raise EvaluationError(f"Std:JsonGet: {path!r} is not a valid JsonPath")
        document = self.property_file(step, name)
        where = f"property file '{name}' of step '{step}'"
        return json_path(document, path, where)

    def _json_get_uri(self, body: Mapping[str, Any]) -> Any:
        """``Std:JsonGet`` with ``S3Uri``: a value from the JSON object at that URI."""
        uri = self.resolve(body.get("S3Uri"))
        if not isinstance(uri, str) or re.fullmatch(r"s3://[^/]+/.+", uri) is None:
            raise EvaluationError(
                f"Std:JsonGet: S3Uri {to_text(uri)!r} is not the S3 URI of an object "
                "(s3://<bucket>/<key>)"
            )
        path = self.resolve(body.get("Path"))
        if not isinstance(path, str) or not is_valid_json_path(path):
            raise EvaluationError(f"Std:JsonGet: {path!r} is not a valid JsonPath")
        where = f"JSON file {uri}"
        try:
            located = self.store.locate(uri, "Std:JsonGet S3Uri")
        except StepError as error:
            raise EvaluationError(error.reason) from None
        writers = self._unfinished_writers(uri) if located is None else []
        if writers:
            names = ", ".join(f"'{name}'" for name in writers)
            raise EvaluationError(
                f"{where}: no object at {uri}: step {names} writes there but had not finished, "
                f"as nothing in the definition orders this read after it (add "
                f"depends_on=[{names}] to the step that reads it)"
            )
        try:
            file = self.store.local_file(uri, where)
        except StepError as error:
            raise EvaluationError(error.reason) from None
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise EvaluationError(f"{where}: can't read {file}: {error.strerror}") from None
        except ValueError as error:
            raise EvaluationError(f"{where} is not valid JSON: {error}") from None
        return json_path(document, path, where)

    def _unfinished_writers(self, uri: str) -> list[str]:
        """Steps that declare an output holding ``uri`` and have not finished."""
        return [
            name
            for name, spec in self.graph.steps.items()
            if name not in self.store.properties
            and any(
                uri == prefix or uri.startswith(prefix.rstrip("/") + "/")
                for prefix in declared_output_uris(spec.entry)
            )
        ]

    def property_file(self, step: str, name: str) -> Any:
        """The parsed JSON of a Processing step's property file."""
        file = self.property_file_path(step, name)
        where = f"property file '{name}' of step '{step}'"
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise EvaluationError(f"{where}: can't read {file}: {error.strerror}") from None
        except ValueError as error:  # not JSON, or not UTF-8 text (UnicodeDecodeError)
            raise EvaluationError(f"{where} ({file.name}) is not valid JSON: {error}") from None

    def property_file_path(self, step: str, name: str) -> Path:
        """The local path of a property file of a finished step."""
        spec = self.graph.steps.get(step)
        if spec is None:
            raise EvaluationError(f"Std:JsonGet: no step named '{step}'")
        declared = {
            item.get("PropertyFileName"): item
            for item in spec.entry.get("PropertyFiles") or []
            if isinstance(item, Mapping)
        }
        if name not in declared:
            raise EvaluationError(f"step '{step}' declares no property file '{name}'")
        properties = self.store.properties.get(step)
        if properties is None:
            raise EvaluationError(
                f"property file '{name}' of step '{step}': the step has not run in this execution"
            )
        output_name = declared[name].get("OutputName")
        file_path = str(declared[name].get("FilePath", "")).lstrip("/")
        outputs = (properties.get("ProcessingOutputConfig") or {}).get("Outputs") or []
        uri = next(
            (
                item["S3Output"]["S3Uri"]
                for item in outputs
                if item.get("OutputName") == output_name
            ),
            None,
        )
        if not isinstance(uri, str):
            raise EvaluationError(
                f"property file '{name}' of step '{step}': the step has no output '{output_name}'"
            )
        where = f"property file '{name}' of step '{step}'"
        try:
            return self.store.local_file(f"{uri.rstrip('/')}/{file_path}", f"{where} (FilePath)")
        except (UnmappableS3UriError, AccessDeniedError) as error:
            raise EvaluationError(error.reason) from None
        except StepError:
            local_path = next(
                (
                    item["S3Output"].get("LocalPath")
                    for item in outputs
                    if item.get("OutputName") == output_name
                ),
                "?",
            )
            raise EvaluationError(
                f"{where}: the step did not write {file_path} into output '{output_name}' "
                f"({local_path}/{file_path})"
            ) from None

    # -- conditions ---------------------------------------------------------------

    def condition(self, condition: Any) -> bool:
        """Evaluate one condition object."""
        if not isinstance(condition, Mapping):
            raise EvaluationError(f"a condition must be an object, got {condition!r}")
        kind = condition.get("Type")
        if kind == "Not":
            return not self.condition(condition.get("Condition") or condition.get("Expression"))
        if kind == "Or":
            return any(self.condition(item) for item in condition.get("Conditions") or [])
        if kind == "In":
            query = self.resolve(condition.get("QueryValue"))
            return any(_equal(query, self.resolve(item)) for item in condition.get("Values") or [])
        left = self.resolve(condition.get("LeftValue"))
        right = self.resolve(condition.get("RightValue"))
        if kind == "Equals":
            return _equal(left, right)
        comparisons: dict[str, Callable[[Any, Any], bool]] = {
            "GreaterThan": lambda a, b: a > b,
            "GreaterThanOrEqualTo": lambda a, b: a >= b,
            "LessThan": lambda a, b: a < b,
            "LessThanOrEqualTo": lambda a, b: a <= b,
        }
        compare = comparisons.get(str(kind))
        if compare is None:
            raise EvaluationError(f"unknown condition type {kind!r}")
        a = _orderable(left, f"{kind} LeftValue", condition.get("LeftValue"))
        b = _orderable(right, f"{kind} RightValue", condition.get("RightValue"))
        if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
            raise EvaluationError(f"{kind}: can't compare {to_text(left)} with {to_text(right)}")
        return compare(a, b)


def to_text(value: Any) -> str:
    """A value as the service prints it in ``Std:Join`` (booleans lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return ""
    return str(value)


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, str):
            a = a.strip().lower() == "true" if a.strip().lower() in ("true", "false") else a
        if isinstance(b, str):
            b = b.strip().lower() == "true" if b.strip().lower() in ("true", "false") else b
        return a is b if isinstance(a, bool) and isinstance(b, bool) else False
    x, y = _number(a), _number(b)
    if x is not None and y is not None and not (isinstance(a, str) and isinstance(b, str)):
        return x == y
    return bool(a == b)


def _orderable(value: Any, where: str, source: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    number = _number(value)
    if number is None:
        shown = _source_text(source)
        raise EvaluationError(
            f"{where} {to_text(value)!r} is not a number (from {shown}); ordering "
            "comparisons need numbers"
        )
    return number


_PROPERTY_FILE_REF = re.compile(r"Steps\.(?P<step>.+)\.PropertyFiles\.(?P<file>[^.]+)")


def _source_text(source: Any) -> str:
    """Where a compared value came from, as a reader finds it in the definition.

    ``property file 'Report' of step 'Evaluate', JsonPath 'metrics.auc'`` for a
    ``JsonGet`` of a property file, else the JSON (``{"Get": "Parameters.Env"}``;
    shortened past 200 characters).
    """
    if isinstance(source, str):
        return repr(source)
    if isinstance(source, Mapping) and len(source) == 1:
        body = source.get("Std:JsonGet")
        if isinstance(body, Mapping) and isinstance(body.get("Path"), str):
            file = body.get("PropertyFile")
            reference = file.get("Get") if isinstance(file, Mapping) else None
            match = _PROPERTY_FILE_REF.fullmatch(reference) if isinstance(reference, str) else None
            if match is not None:
                where = f"property file '{match['file']}' of step '{match['step']}'"
            else:
                where = "the JSON file at " + _source_text(body.get("S3Uri"))
            return f"{where}, JsonPath {body['Path']!r}"
    text = json.dumps(source, default=str)
    return text if len(text) <= 200 else text[:199] + "…"


def walk_properties(value: Any, segments: list[Any], label: str) -> Any:
    """Follow parsed path segments through a properties dict (string keys match list items)."""
    shown = label
    for segment in segments:
        if isinstance(segment, str):
            if not isinstance(value, Mapping) or segment not in value:
                available = ", ".join(sorted(value)) if isinstance(value, Mapping) else "none"
                raise EvaluationError(
                    f"{shown} has no property '{segment}' in this run (available: {available})"
                )
            value = value[segment]
            shown = f"{shown}.{segment}" if shown != label else f"{label} property {segment}"
        elif isinstance(segment, int):
            if not isinstance(value, list) or not -len(value) <= segment < len(value):
                size = len(value) if isinstance(value, list) else 0
                raise EvaluationError(f"{shown}[{segment}] is out of range ({size} items)")
            value = value[segment]
            shown = f"{shown}[{segment}]"
        else:
            key = segment[0]
            if isinstance(value, Mapping):
                if key not in value:
                    raise EvaluationError(
                        f"{shown} has no entry '{key}' (entries: {', '.join(sorted(value))})"
                    )
                value = value[key]
            elif isinstance(value, list):
                match = next(
                    (
                        item
                        for item in value
                        if isinstance(item, Mapping)
                        and any(item.get(member) == key for member in _KEY_MEMBERS)
                    ),
                    None,
                )
                if match is None:
                    names = [
                        next((str(item[m]) for m in _KEY_MEMBERS if m in item), "?")
                        for item in value
                        if isinstance(item, Mapping)
                    ]
                    raise EvaluationError(
                        f"{shown} has no entry '{key}' (entries: {', '.join(names) or 'none'})"
                    )
                value = match
            else:
                raise EvaluationError(f"{shown} can't be indexed with ['{key}']")
            shown = f"{shown}['{key}']"
    return value


_JSON_SEGMENT = re.compile(r"\.?([A-Za-z0-9_\-:@]+)|\[(-?\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def json_path(document: Any, path: str, where: str) -> Any:
    """Read ``path`` (``a.b[0]['c']``, optionally ``$.``-prefixed) from a JSON document."""
    text = path[1:] if path.startswith("$") else path
    position = 0
    value = document
    walked = "$"
    while position < len(text):
        match = _JSON_SEGMENT.match(text, position)
        if match is None:
            raise EvaluationError(f"{where}: malformed JsonPath {path!r}")
        name, index, single, double = match.groups()
        position = match.end()
        if index is not None:
            number = int(index)  # from the end when negative, as JsonPath counts
            if not isinstance(value, list) or not -len(value) <= number < len(value):
                raise EvaluationError(
                    f"{where}: JsonPath {path!r} not found: {walked} has no item [{number}]"
                )
            value = value[number]
            walked += f"[{number}]"
            continue
        key = name if name is not None else single if single is not None else double
        if not isinstance(value, Mapping) or key not in value:
            found = (
                f" (members: {', '.join(sorted(map(str, value)))})"
                if isinstance(value, Mapping)
                else f" (it is {type(value).__name__})"
            )
            raise EvaluationError(
                f"{where}: JsonPath {path!r} not found: {walked} has no member '{key}'{found}"
            )
        value = value[key]
        walked += f".{key}"
    return value
