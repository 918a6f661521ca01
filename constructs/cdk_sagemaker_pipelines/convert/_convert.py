"""Turn a pipeline definition JSON into the Python of the definition language.

The converter writes each step with the keyword arguments of its class where the language
has them, then proves the result: it runs the code it wrote, renders every step and
compares it with the input. Whatever a job step's keywords leave out, or write otherwise,
goes into its ``extra_arguments`` (the documented escape hatch); a keyword whose rendering
the input doesn't match is left out and its members go there too. A step its class can't
write (a member the class always writes or can't take, a combination it refuses) is
written as a ``RawStep``, its entry as it is, when that compiles back to the entry. What
no code of the language can write (a Condition step its class can't write, a value only
the binder could give) is a ``ConversionError`` naming the step and field: nothing is
dropped silently.

Example::

    source = convert_definition(json.loads(Path("pipeline.json").read_text()))
    Path("pipeline.py").write_text(source)
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import keyword
import posixpath
import re
import shlex
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..definition import (
    OutputType,
    PipelineDefinitionError,
    StaticBinder,
    validate_definition,
)
from ..definition._distribution_names import DISTRIBUTION_HYPERPARAMETERS
from ..definition._lineage_names import ASSOCIATION_MEMBERS, LINEAGE_KINDS, LINEAGE_MEMBERS
from ..definition._render import RenderContext, deep_merge
from ..definition.bindables import Code
from ..definition.steps.check import (
    _ANALYZER_VARIABLES,
    BASELINE_DATASET_INPUT,
    CLARIFY_CONFIG_INPUT,
    CLARIFY_DATASET_INPUT,
    CLARIFY_OUTPUT_NAME,
    LOCAL_ROOT,
    POST_ANALYTICS_INPUT,
    QUALITY_OUTPUT_NAME,
    RECORD_PREPROCESSOR_INPUT,
)
from ..definition.steps.processing import CODE_INPUT_NAME, CODE_LOCAL_PATH, _script_entrypoint
from ..definition.steps.raw import RawStep
from ..definition.steps.training import (
    CODE_CHANNEL,
    CODE_CHANNEL_PATH,
    CODE_INPUT_MODE,
    DEFAULT_INSTANCE_TYPE,
    PIPE_MODE,
    PROGRAM_HYPERPARAMETER,
    SUBMIT_DIRECTORY_HYPERPARAMETER,
)
from ..definition.validate import DEFINITION_VERSION
from ._distribution import EXPRESSION_KEYWORDS, read_distribution
from ._layout import (
    LINE_LENGTH,
    Atom,
    Bracketed,
    Call,
    Dict,
    Keyword,
    List,
    Node,
    Pair,
    Subscript,
    literal,
    statement,
)
from ._sdk_defaults import Cut, Path, entry_without, strip_sdk_defaults, without_paths

# The narrowest layout offered: ruff allows 1, but below this nothing reads.
MIN_LINE_LENGTH = 40
# Every round of the check can only drop keywords or add extra arguments: a few suffice.
_MAX_ROUNDS = 8


@dataclass(frozen=True, slots=True)
class ConversionProblem:
    """One thing the language can't write: the step (``None`` for the pipeline) and field."""

    step: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.step is not None:
            where.append(f"step '{self.step}'")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{' '.join(where)}: {self.message}" if where else self.message


class ConversionError(ValueError):
    """The definition can't be converted; ``problems`` says where and why, one per line.

    Example::

        try:
            convert_definition(definition)
        except ConversionError as error:
            for problem in error.problems:
                print(problem.step, problem.field, problem.message)
    """

    def __init__(self, problems: Sequence[ConversionProblem], subject: str = "definition") -> None:
        self.problems = list(problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"cannot convert the {subject}: {len(self.problems)} {noun}:"]
        lines += [f"- {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


# --- names ------------------------------------------------------------------------------

_RESERVED = {"definition", "binder", "json", "properties"}


def snake_name(name: str, fallback: str) -> str:
    """A snake_case identifier from a step or parameter name (``"RegisterModel-1"``)."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()
    text = re.sub(r"_+", "_", text)
    if not text or not text.isascii():
        text = fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    return text


# The suffix the SageMaker SDK's ModelStep appends to its step's name, by step type.
_MODEL_STEP_SUFFIXES = {"RegisterModel": "-RegisterModel", "Model": "-CreateModel"}


def _variable_base(name: str, kind: Any) -> str:
    """The name a step's variable is made from: the step's, less the SDK's ModelStep suffix.

    ``RegisterAbaloneModel-RegisterModel`` gives ``register_abalone_model``, not
    ``register_abalone_model_register_model``; the step keeps its name.
    """
    suffix = _MODEL_STEP_SUFFIXES.get(kind) if isinstance(kind, str) else None
    if suffix and name.endswith(suffix) and len(name) > len(suffix):
        return name[: -len(suffix)]
    return name


class _Names:
    """Unique, valid variable names that are no keyword, builtin or import."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def new(self, name: str, fallback: str) -> str:
        base = snake_name(name, fallback)
        if keyword.iskeyword(base) or keyword.issoftkeyword(base) or hasattr(builtins, base):
            base = f"{base}_{fallback}"
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = f"{base}_{number}", number + 1
        self.taken.add(candidate)
        return candidate


# --- expressions ------------------------------------------------------------------------

_EXECUTION_VARIABLES = {
    "StartDateTime": "START_DATETIME",
    "CurrentDateTime": "CURRENT_DATETIME",
    "PipelineName": "PIPELINE_NAME",
    "PipelineArn": "PIPELINE_ARN",
    "PipelineExecutionId": "PIPELINE_EXECUTION_ID",
    "PipelineExecutionArn": "PIPELINE_EXECUTION_ARN",
    "TrainingJobName": "TRAINING_JOB_NAME",
    "ProcessingJobName": "PROCESSING_JOB_NAME",
}
# A member starts with a letter, as botocore's do: a dunder (``.__class__``) read from the
# input never reaches the code the check runs.
_PATH_PART = re.compile(r"\.([A-Za-z][A-Za-z0-9_]*)|\[(-?\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_OUTPUT_URI = re.compile(r"ProcessingOutputConfig\.Outputs\['([^']*)'\]\.S3Output\.S3Uri")


class _UnconvertibleError(Exception):
    """A value the language has no code for (its field is found by the caller)."""


@dataclass
class _Scope:
    """What the code refers to by name: parameters, steps and their property files."""

    parameters: dict[str, str] = field(default_factory=dict)
    steps: dict[str, str] = field(default_factory=dict)
    step_types: dict[str, str] = field(default_factory=dict)
    # The steps written as RawSteps, which have no shorthands (``prep.output("train")``).
    raw_steps: set[str] = field(default_factory=set)
    property_files: dict[tuple[str, str], str] = field(default_factory=dict)
    imports: set[str] = field(default_factory=set)
    # Images and roles, written once as module constants: {value: name}.
    constants: dict[str, str] = field(default_factory=dict)
    # ``without_roles``: the role the binder gives the jobs that name none, and the one
    # it gives AutoML steps; a step naming it is written without ``role=``.
    bound_role: str | None = None
    bound_automl_role: str | None = None
    # ``without_sdk_defaults``: the bucket the binder gives the outputs left out.
    default_bucket: str | None = None

    def binder(self) -> StaticBinder:
        """The binder the module is proved with: it gives the roles and outputs left out."""
        return StaticBinder(
            role_arn=self.bound_role,
            automl_role_arn=self.bound_automl_role,
            default_bucket=self.default_bucket,
        )

    def constant(self, value: str, kind: str) -> Atom:
        """The module constant holding ``value`` (``IMAGE``, ``ROLE_2``…)."""
        name = self.constants.get(value)
        if name is None:
            taken = set(self.constants.values())
            name, number = kind, 2
            while name in taken:
                name, number = f"{kind}_{number}", number + 1
            self.constants[value] = name
        return Atom(name)

    def use(self, name: str) -> str:
        self.imports.add(name)
        return name

    def reference(self, path: str) -> Node:
        """Code for a ``{"Get": path}`` value."""
        root, _, rest = path.partition(".")
        if root == "Parameters" and rest in self.parameters:
            return Atom(self.parameters[rest])
        if root == "Execution" and rest in _EXECUTION_VARIABLES:
            return Atom(f"{self.use('ExecutionVariables')}.{_EXECUTION_VARIABLES[rest]}")
        if root == "Steps":
            for name, variable in sorted(self.steps.items(), key=lambda item: -len(item[0])):
                if rest.startswith(name + ".") or rest.startswith(name + "["):
                    return self._property(variable, name, rest[len(name) :])
        raise _UnconvertibleError(f"the reference {path!r}")

    def _property(self, variable: str, step: str, path: str) -> Node:
        output = _OUTPUT_URI.fullmatch(path.lstrip("."))
        if (
            output is not None
            and self.step_types.get(step) == "Processing"
            and step not in self.raw_steps
        ):
            return Call(f"{variable}.output", [literal(output[1])])
        code, position = [f"{variable}.properties"], 0
        while position < len(path):
            match = _PATH_PART.match(path, position)
            if match is None:
                raise _UnconvertibleError(f"property path {path!r} of step '{step}'")
            name, index, key, quoted = match.groups()
            if name is not None:
                code.append(f".{name}")
            elif index is not None:
                code.append(f"[{index}]")
            else:
                code.append(f"[{literal(key if key is not None else quoted).text}]")
            position = match.end()
        if code[-1].startswith("["):  # ruff breaks a line too long inside the last brackets
            earlier = tuple(
                ("".join(code[:index]), code[index][1:-1], "".join(code[index + 1 :]))
                for index in range(len(code) - 2, 0, -1)
                if code[index].startswith("[")
            )
            return Subscript("".join(code[:-1]), code[-1][1:-1], earlier)
        return Atom("".join(code))


def expression(value: Any, scope: _Scope) -> Node:
    """Code for a JSON value: literals, and the definition's functions as expressions."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Get" and isinstance(inner, str):
                return scope.reference(inner)
            if key == "Std:Join" and isinstance(inner, Mapping) and set(inner) <= {"On", "Values"}:
                items: list[Node] = []
                if inner.get("On", "") != "":
                    items.append(Keyword("on", expression(inner["On"], scope)))
                values = inner.get("Values", [])
                if not isinstance(values, list):
                    raise _UnconvertibleError("Std:Join's Values is not a list")
                items.append(Keyword("values", List([expression(v, scope) for v in values])))
                return Call(scope.use("Join"), items)
            if key == "Std:JsonGet" and isinstance(inner, Mapping):
                return _json_get(inner, scope)
        return Dict([Pair(literal(str(k)), expression(v, scope)) for k, v in value.items()])
    if isinstance(value, list):
        return List([expression(item, scope) for item in value])
    if isinstance(value, bool | int | float | str) or value is None:
        return literal(value)
    raise _UnconvertibleError(f"{type(value).__name__} is not a JSON value")


def _json_get(inner: Mapping[str, Any], scope: _Scope) -> Node:
    path = inner.get("Path")
    if set(inner) == {"S3Uri", "Path"}:
        return Call(
            scope.use("JsonGet"),
            [
                Keyword("s3_uri", expression(inner["S3Uri"], scope)),
                Keyword("json_path", expression(path, scope)),
            ],
        )
    reference = inner.get("PropertyFile")
    if set(inner) == {"PropertyFile", "Path"} and isinstance(reference, Mapping):
        target = reference.get("Get")
        match = re.fullmatch(r"Steps\.(.+)\.PropertyFiles\.([^.]+)", str(target))
        if match is not None and (match[1], match[2]) in scope.property_files:
            return Call(
                scope.use("JsonGet"),
                [
                    Keyword("step", Atom(scope.steps[match[1]])),
                    Keyword("property_file", Atom(scope.property_files[(match[1], match[2])])),
                    Keyword("json_path", expression(path, scope)),
                ],
            )
    raise _UnconvertibleError("a Std:JsonGet of neither a property file nor an S3 URI")


# --- comparing JSON ---------------------------------------------------------------------


def same(left: Any, right: Any) -> bool:
    """JSON equality: numbers by value (``2`` is ``2.0``), never a Boolean for a number."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and left == right


def first_difference(ours: Any, theirs: Any, path: str) -> str | None:
    """The first path at which two JSON values differ, ``None`` if they are the same."""
    if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
        for key in [*theirs, *(k for k in ours if k not in theirs)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in ours or key not in theirs:
                return where
            found = first_difference(ours[key], theirs[key], where)
            if found is not None:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for index, (left, right) in enumerate(zip(ours, theirs, strict=True)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    return None if same(ours, theirs) else path


def _patch(
    rendered: Mapping[str, Any], wanted: Mapping[str, Any], path: str
) -> tuple[dict[str, Any], list[str], list[str]]:
    """What ``extra_arguments`` must add to ``rendered`` to make ``wanted`` (objects merge).

    Also the paths ``rendered`` has and ``wanted`` lacks (no merge removes those), and the
    paths whose rendered value the extra arguments replace.
    """
    extra: dict[str, Any] = {}
    surplus: list[str] = []
    replaced: list[str] = []
    for key, value in wanted.items():
        where = f"{path}.{key}"
        current = rendered.get(key)
        if key in rendered and isinstance(current, Mapping) and isinstance(value, Mapping):
            inner, more, other = _patch(current, value, where)
            if inner:
                extra[key] = inner
            surplus += more
            replaced += other
        elif key not in rendered or not same(current, value):
            extra[key] = value
            if key in rendered:
                replaced.append(where)
    surplus += [f"{path}.{key}" for key in rendered if key not in wanted]
    return extra, surplus, replaced


# --- steps ------------------------------------------------------------------------------

_ENTRY_FIELDS = {"Name", "Type", "Arguments", "DependsOn", "DisplayName", "Description"}
_STEP_CLASSES = {
    "Processing": "ProcessingStep",
    "Training": "TrainingStep",
    "Tuning": "TuningStep",
    "Transform": "TransformStep",
    "Model": "ModelStep",
    "RegisterModel": "RegisterModel",
    "Condition": "ConditionStep",
    "Fail": "FailStep",
    "Lambda": "LambdaStep",
    "Callback": "CallbackStep",
    "EMR": "EMRStep",
    "AutoML": "AutoMLStep",
    "QualityCheck": "QualityCheckStep",
    "ClarifyCheck": "ClarifyCheckStep",
    "EndpointConfig": "EndpointConfigStep",
    "Endpoint": "EndpointStep",
    "InferenceComponent": "InferenceComponentStep",
    "Lineage": "LineageStep",
}
# Steps whose Arguments take extra_arguments, and what else their entry may hold.
_JOB_TYPES = {
    "EndpointConfig",
    "Endpoint",
    "InferenceComponent",
    "Processing",
    "Training",
    "Tuning",
    "Transform",
    "Model",
    "RegisterModel",
    "AutoML",
    "QualityCheck",
    "ClarifyCheck",
}
# A check's settings beside its Arguments; the SDK writes those unset as null.
_CHECK_SETTINGS = {"CheckType", "SkipCheck", "FailOnViolation", "RegisterNewBaseline"}
_CHECK_NULLABLE = {
    "QualityCheck": {
        "ModelPackageGroupName",
        "SuppliedBaselineStatistics",
        "SuppliedBaselineConstraints",
    },
    "ClarifyCheck": {"ModelPackageGroupName", "SuppliedBaselineConstraints"},
}
_OTHER_FIELDS = {
    "Processing": {"CacheConfig", "RetryPolicies", "PropertyFiles"},
    "Training": {"CacheConfig", "RetryPolicies"},
    "Tuning": {"CacheConfig", "RetryPolicies"},
    "Transform": {"CacheConfig", "RetryPolicies"},
    "Model": {"RetryPolicies"},
    "RegisterModel": {"RetryPolicies"},
    "Condition": set(),
    "Fail": set(),
    "Lambda": {"CacheConfig", "FunctionArn", "OutputParameters"},
    "Callback": {"CacheConfig", "SqsQueueUrl", "OutputParameters"},
    "EMR": {"CacheConfig", "RetryPolicies"},
    "AutoML": {"CacheConfig", "RetryPolicies"},
    "EndpointConfig": {"CacheConfig", "RetryPolicies"},
    "Endpoint": {"CacheConfig"},
    "InferenceComponent": set(),
    "Lineage": set(),
    "QualityCheck": {"CacheConfig", *_CHECK_SETTINGS, *_CHECK_NULLABLE["QualityCheck"]},
    "ClarifyCheck": {
        "CacheConfig",
        "ModelName",
        *_CHECK_SETTINGS,
        *_CHECK_NULLABLE["ClarifyCheck"],
    },
}
_LACKING = (
    "the language has no step of this type: deploy the definition as it is "
    "(Pipeline(definition=…)), or write the step's Python yourself"
)


# The step types whose requests the SageMaker SDK writes with ``"Tags": []`` when given none
# (its create_endpoint_config and create_endpoint).
_EMPTY_TAGS_WRITTEN = frozenset({"EndpointConfig", "Endpoint"})

# What a retry policy that leaves them out gets: "IntervalSeconds … 1 by default",
# "BackoffRate … 2.0 by default" (SageMaker guide, Retry Policy for Pipeline Steps); the
# language and the SDK always write them.
_RETRY_DEFAULTS = {"IntervalSeconds": 1, "BackoffRate": 2.0}


def _without_null_settings(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    """The entry as it means, for comparing with what the language writes.

    A check step's settings the SDK writes as null (unset) are left out, a Model or
    RegisterModel step's containers get an empty ``Environment`` where they have none, an
    EndpointConfig or Endpoint request's empty ``Tags`` is left out, and a retry policy's
    interval and backoff rate their defaults where absent.
    """
    nullable = _CHECK_NULLABLE.get(str(entry.get("Type")))
    if nullable:
        entry = {k: v for k, v in entry.items() if not (k in nullable and v is None)}
    if entry.get("Type") == "Model" and isinstance(entry.get("Arguments"), Mapping):
        entry = {**entry, "Arguments": _with_container_environments(entry["Arguments"])}
    if entry.get("Type") == "RegisterModel" and isinstance(entry.get("Arguments"), Mapping):
        # The SDK's RegisterModel writes no Environment in a version's containers (its
        # abalone template), the language writes {}: the same version. Without this, the
        # whole Containers list went to extra_arguments and overrode a later model_data=.
        entry = {**entry, "Arguments": _with_specification_environments(entry["Arguments"])}
    if (
        entry.get("Type") in _EMPTY_TAGS_WRITTEN
        and isinstance(entry.get("Arguments"), Mapping)
        and entry["Arguments"].get("Tags") == []
    ):
        # The SDK writes an empty Tags list on these requests: it tags nothing.
        entry = {**entry, "Arguments": {k: v for k, v in entry["Arguments"].items() if k != "Tags"}}
    policies = entry.get("RetryPolicies")
    if isinstance(policies, list) and any(
        isinstance(policy, Mapping) and not set(_RETRY_DEFAULTS) <= set(policy)
        for policy in policies
    ):
        entry = dict(entry)
        entry["RetryPolicies"] = [
            {**_RETRY_DEFAULTS, **policy} if isinstance(policy, Mapping) else policy
            for policy in policies
        ]
    return entry


def _with_container_environments(arguments: Mapping[str, Any]) -> Mapping[str, Any]:
    """A Model step's containers with an empty ``Environment`` where they have none.

    A container without environment variables runs as one with ``{}``; the language (as
    the SDK) always writes the member.
    """

    def with_environment(container: Any) -> Any:
        # A registered version's container: the language writes Environment only if given.
        if (
            isinstance(container, Mapping)
            and "Environment" not in container
            and "ModelPackageName" not in container
        ):
            return {**container, "Environment": {}}
        return container

    result = dict(arguments)
    if "PrimaryContainer" in result:
        result["PrimaryContainer"] = with_environment(result["PrimaryContainer"])
    if isinstance(result.get("Containers"), list):
        result["Containers"] = [with_environment(item) for item in result["Containers"]]
    return result


def _with_specification_environments(arguments: Mapping[str, Any]) -> Mapping[str, Any]:
    """A RegisterModel step's containers with an empty ``Environment`` where they have none.

    CreateModelPackage reads a container without environment variables as one with ``{}``;
    the language always writes the member.
    """
    specification = arguments.get("InferenceSpecification")
    if not isinstance(specification, Mapping) or not isinstance(
        specification.get("Containers"), list
    ):
        return arguments
    containers = _with_container_environments({"Containers": specification["Containers"]})
    return {**arguments, "InferenceSpecification": {**specification, **containers}}


@dataclass
class _Plan:
    """A step as code: its class, keywords in order, and what the check has learnt."""

    entry: Mapping[str, Any]
    variable: str
    class_name: str
    dropped: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)
    minimal: bool = False
    lifted: set[str] = field(default_factory=set)
    before: list[str] = field(default_factory=list)  # statements ahead of the step's own
    raw: bool = False  # written as a RawStep: its class can't write it (see try_raw)
    why_raw: tuple[str, ...] = ()  # what its class can't write, for the comment above it
    # ``without_sdk_defaults``: the SDK defaults cut from ``entry`` (paths in it), and the
    # entry as the definition has it, which a RawStep writes (no binder fills a raw step).
    cut: tuple[Path, ...] = ()
    original: Mapping[str, Any] | None = None


def _get(value: Any, *path: str | int) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return None
        elif not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


class _Writer:
    """Builds the keywords of one step; ``lift`` keywords are optional and may be dropped."""

    def __init__(self, plan: _Plan, scope: _Scope) -> None:
        self.plan, self.scope = plan, scope
        self.keywords: list[Keyword] = [Keyword("name", literal(plan.entry["Name"]))]
        self.defaults = _defaults(plan.class_name)

    def required(self, name: str, value: Any) -> None:
        self.keywords.append(Keyword(name, self.expr(value, name)))

    def required_node(self, name: str, node: Node) -> None:
        self.keywords.append(Keyword(name, node))

    def lift(self, name: str, value: Any, *, code: Node | Callable[[], Node] | None = None) -> bool:
        """Add ``name=value`` unless the value is absent or the check dropped the keyword.

        ``code`` writes the value otherwise (a call building a config object); a function
        is called only when the keyword is written, and may raise ``_UnconvertibleError``.
        True when this writer wrote the keyword (a plan's ``lifted`` is shared by a tuning
        step's training job definitions).
        """
        if value is None or self.plan.minimal or name in self.plan.dropped:
            return False
        if name == "role" and value == self._bound_role():
            return False  # the binder gives it: the construct's step role (or AutoML role)
        if name in self.defaults and same(value, self.defaults[name]):
            return False  # what the keyword's default writes: a person leaves it out
        try:
            if callable(code):
                node = code()
            else:
                node = code if code is not None else self.expr(value, name)
        except _UnconvertibleError:
            return False  # the members stay in extra_arguments, as raw values
        self.keywords.append(Keyword(name, node))
        self.plan.lifted.add(name)
        return True

    def _bound_role(self) -> str | None:
        if self.plan.class_name == "AutoMLStep":
            return self.scope.bound_automl_role
        return self.scope.bound_role

    def expr(self, value: Any, keyword: str | None = None) -> Node:
        kind = _CONSTANTS.get(keyword or "")
        if kind is not None and isinstance(value, str):
            return self.scope.constant(value, _image_name(value) if kind == "IMAGE" else kind)
        return expression(value, self.scope)

    def call(self, function: str, **values: Any) -> Node:
        return Call(
            self.scope.use(function),
            [Keyword(k, v if _is_node(v) else self.expr(v, k)) for k, v in values.items()],
        )


# Keywords whose literal values become module constants, as a person writes them.
_CONSTANTS = {"image": "IMAGE", "role": "ROLE"}


_ECR_IMAGE = re.compile(
    r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/(?:[^:@]*/)?([^/:@]+)"
)
# ECR repositories whose name says less than the framework's usual name.
_IMAGE_NAMES = {"scikit-learn": "SKLEARN"}


def _image_name(uri: str) -> str:
    """The constant for an image: after its ECR repository (``SKLEARN_IMAGE``), else ``IMAGE``.

    ``sagemaker-scikit-learn`` gives ``SKLEARN_IMAGE``, ``sagemaker-xgboost``
    ``XGBOOST_IMAGE``, ``huggingface-pytorch-training`` ``HUGGINGFACE_PYTORCH_TRAINING_IMAGE``.
    """
    match = _ECR_IMAGE.match(uri)
    if match is None:
        return "IMAGE"
    repository = match.group(1).removeprefix("sagemaker-")
    base = _IMAGE_NAMES.get(repository) or re.sub(r"[^A-Za-z0-9]+", "_", repository).strip("_")
    if not base or not base[0].isalpha():
        return "IMAGE"
    return f"{base.upper()}_IMAGE"


def _defaults(class_name: str) -> dict[str, Any]:
    """The scalar defaults of a step class's keywords."""
    from .. import definition as language

    defaults: dict[str, Any] = {}
    for item in dataclasses.fields(getattr(language, class_name)):
        if isinstance(item.default, bool | int | float | str):
            defaults[item.name] = item.default
        elif isinstance(item.default, tuple) and all(isinstance(v, str) for v in item.default):
            defaults[item.name] = list(item.default)
    return defaults


def _is_node(value: Any) -> bool:
    return isinstance(value, Atom | Keyword | Pair | Bracketed | Subscript)


def _unjoin(value: Any) -> Any:
    """``Std:Join`` of one expression and no separator, as a string field is written."""
    inner = _get(value, "Std:Join")
    if isinstance(inner, Mapping) and inner.get("On", "") == "" and len(value) == 1:
        values = inner.get("Values")
        if isinstance(values, list) and len(values) == 1 and isinstance(values[0], Mapping):
            return values[0]
    return value


def _string_map(values: Any) -> Any:
    if not isinstance(values, Mapping):
        return None
    return {key: _unjoin(value) for key, value in values.items()}


def _processing(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    cluster = _get(arguments, "ProcessingResources", "ClusterConfig") or {}
    app = arguments.get("AppSpecification") or {}
    writer.required("image", app.get("ImageUri"))
    inputs: Any = arguments.get("ProcessingInputs")
    entrypoint = app.get("ContainerEntrypoint")
    script = _processing_code(inputs, entrypoint)
    if script is not None:
        uri, entry_point, implied = script
        writer.lift("code", uri, code=lambda: _code_call(writer, uri, entry_point))
        if "code" in writer.plan.lifted:  # the code input and its entry point are code=
            inputs = inputs[:-1]
            if implied:
                entrypoint = None
    writer.lift("role", arguments.get("RoleArn"))
    writer.lift("instance_type", cluster.get("InstanceType"))
    writer.lift("instance_count", cluster.get("InstanceCount"))
    writer.lift("volume_size_in_gb", cluster.get("VolumeSizeInGB"))
    writer.lift("entrypoint", entrypoint)
    writer.lift("arguments", app.get("ContainerArguments"))
    if isinstance(inputs, list) and all(_plain_processing_input(item) for item in inputs):
        plain_inputs = inputs
        writer.lift(
            "inputs",
            plain_inputs or None,
            code=lambda: List([_processing_input(writer, item) for item in plain_inputs]),
        )
    outputs = _get(arguments, "ProcessingOutputConfig", "Outputs")
    if isinstance(outputs, list) and all(_plain_processing_output(item) for item in outputs):
        plain_outputs = outputs
        writer.lift(
            "outputs",
            plain_outputs,
            code=lambda: List([_processing_output(writer, item) for item in plain_outputs]),
        )
    writer.lift("environment", _string_map(arguments.get("Environment")))
    _processing_limits_and_security(writer, arguments, cluster)
    writer.lift("tags", _tags(arguments.get("Tags")))


def _processing_limits_and_security(
    writer: _Writer, arguments: Mapping[str, Any], cluster: Mapping[str, Any]
) -> None:
    """A processing job's run-time limit, KMS keys and network (processing and check steps)."""
    writer.lift(
        "max_runtime_in_seconds", _get(arguments, "StoppingCondition", "MaxRuntimeInSeconds")
    )
    writer.lift("volume_kms_key", cluster.get("VolumeKmsKeyId"))
    writer.lift("output_kms_key", _get(arguments, "ProcessingOutputConfig", "KmsKeyId"))
    network = arguments.get("NetworkConfig")
    if isinstance(network, Mapping) and set(network) <= {
        "VpcConfig",
        "EnableNetworkIsolation",
        "EnableInterContainerTrafficEncryption",
    }:
        _lift_network(
            writer,
            network.get("VpcConfig"),
            network.get("EnableNetworkIsolation"),
            network.get("EnableInterContainerTrafficEncryption"),
        )


def _code_call(writer: _Writer, uri: Any, entry_point: str | None) -> Node:
    """``Code.from_s3(uri)``, or ``Code.from_s3(uri, entry_point=…)``."""
    items = [writer.expr(uri)]
    if entry_point is not None:
        items.append(Keyword("entry_point", literal(entry_point)))
    return Call(f"{writer.scope.use('Code')}.from_s3", items)


def _script_code(uri: Any, script: str) -> tuple[str | None, str] | None:
    """How ``Code.from_s3`` names ``script`` at ``uri``: (entry_point, the file's name).

    A literal URI of an archive (``.tar.gz``) names the script inside it; one of a script
    is the script (its entry point left out); an expression (a parameter) names it. None
    when the URI is a script of another name.
    """
    if isinstance(uri, str):
        file_name = posixpath.basename(uri)
        if uri.endswith(".tar.gz"):
            return script, file_name
        return (None, file_name) if file_name == script else None
    if isinstance(uri, Mapping) and "/" not in script:
        return script, script
    return None


def _processing_code(inputs: Any, entrypoint: Any) -> tuple[Any, str | None, bool] | None:
    """The processing job's ``code=``: the last input named ``code``, as the language stages it.

    Returns the URI, the entry point ``Code.from_s3`` takes, and whether the container
    entry point is the one ``code`` implies (then ``entrypoint=`` is left out).
    """
    if not isinstance(inputs, list) or not inputs or not isinstance(entrypoint, list):
        return None
    last = inputs[-1]
    if not _plain_processing_input(last) or last["InputName"] != CODE_INPUT_NAME:
        return None
    s3 = last["S3Input"]
    if s3["LocalPath"] != CODE_LOCAL_PATH or any(
        s3[key] != default for key, default in _PROCESSING_INPUT_DEFAULTS.items()
    ):
        return None
    if any(_get(item, "InputName") == CODE_INPUT_NAME for item in inputs[:-1]):
        return None
    uri = s3["S3Uri"]
    script = _implied_script(entrypoint)
    if script is not None:
        named = _script_code(uri, script)
        if named is not None:
            entry_point, file_name = named
            archive = isinstance(uri, str) and uri.endswith(".tar.gz")
            code = Code.from_s3("s3://bucket/x", entry_point=script)
            if _script_entrypoint(code, file_name, archive) == entrypoint:
                return uri, entry_point, True
    # Another command runs the code (Spark's submit): code= stages it, entrypoint= runs it.
    if isinstance(uri, str) and not uri.endswith(".tar.gz"):
        return uri, None, False
    return None


def _implied_script(entrypoint: list[Any]) -> str | None:
    """The script an entry point ``code=`` writes runs (``python3 …/code/x.py``), if it is one."""
    if len(entrypoint) == 2 and entrypoint[0] == "python3" and isinstance(entrypoint[1], str):
        directory, _, script = entrypoint[1].rpartition("/")
        return script if directory == CODE_LOCAL_PATH and script else None
    if len(entrypoint) == 4 and entrypoint[:2] == ["/bin/sh", "-c"] and entrypoint[3] == "sh":
        try:
            words = shlex.split(str(entrypoint[2]))
        except ValueError:
            return None
        if len(words) == 11 and words[7:9] == ["exec", "python3"]:
            return words[9]
    return None


_PROCESSING_INPUT_DEFAULTS = {
    "S3DataType": "S3Prefix",
    "S3InputMode": "File",
    "S3DataDistributionType": "FullyReplicated",
    "S3CompressionType": "None",
}
_PROCESSING_INPUT_KEYWORDS = {
    "S3DataType": "s3_data_type",
    "S3InputMode": "s3_input_mode",
    "S3DataDistributionType": "s3_data_distribution_type",
    "S3CompressionType": "s3_compression_type",
}


def _plain_processing_input(item: Any) -> bool:
    s3 = _get(item, "S3Input")
    return (
        isinstance(item, Mapping)
        and set(item) == {"InputName", "AppManaged", "S3Input"}
        and item["AppManaged"] is False
        and isinstance(s3, Mapping)
        and set(s3) == {"S3Uri", "LocalPath", *_PROCESSING_INPUT_DEFAULTS}
        and isinstance(s3["LocalPath"], str)
        and all(isinstance(s3[key], str) for key in _PROCESSING_INPUT_DEFAULTS)
    )


def _processing_input(writer: _Writer, item: Mapping[str, Any]) -> Node:
    s3 = item["S3Input"]
    values: dict[str, Any] = {
        "input_name": item["InputName"],
        "source": s3["S3Uri"],
        "destination": s3["LocalPath"],
    }
    for key, default in _PROCESSING_INPUT_DEFAULTS.items():
        if s3[key] != default:
            values[_PROCESSING_INPUT_KEYWORDS[key]] = s3[key]
    return writer.call("ProcessingInput", **values)


def _plain_processing_output(item: Any) -> bool:
    s3 = _get(item, "S3Output")
    return (
        isinstance(item, Mapping)
        and set(item) == {"OutputName", "AppManaged", "S3Output"}
        and item["AppManaged"] is False
        and isinstance(item["OutputName"], str)
        and isinstance(s3, Mapping)
        # No S3Uri: an SDK default destination left out (without_sdk_defaults).
        and set(s3) - {"S3Uri"} == {"LocalPath", "S3UploadMode"}
        and isinstance(s3["LocalPath"], str)
        and isinstance(s3["S3UploadMode"], str)
    )


def _processing_output(writer: _Writer, item: Mapping[str, Any]) -> Node:
    s3 = item["S3Output"]
    values: dict[str, Any] = {"output_name": item["OutputName"], "source": s3["LocalPath"]}
    if "S3Uri" in s3:  # else the binder gives it: the store's bucket
        values["destination"] = s3["S3Uri"]
    if s3["S3UploadMode"] != "EndOfJob":
        values["s3_upload_mode"] = s3["S3UploadMode"]
    return writer.call("ProcessingOutput", **values)


def _training_like(
    writer: _Writer,
    job: Mapping[str, Any],
    resources: str,
    hyperparameters: str,
    *,
    step: str,
    where: str,
) -> None:
    """The keywords a training job and a tuning job's training definition share.

    ``hyperparameters`` is the member of the job's hyperparameters (``HyperParameters``,
    a tuning job's ``StaticHyperParameters``), written as the keyword of its snake name;
    ``step`` and ``where`` (``Arguments``, ``Arguments.TrainingJobDefinition``…) name the
    job in a problem.
    """
    algorithm = job.get("AlgorithmSpecification") or {}
    if algorithm.get("TrainingImage") is None:
        # A job of an algorithm resource (AlgorithmName, e.g. from AWS Marketplace).
        raise _StepProblemError(
            step,
            f"{where}.AlgorithmSpecification.AlgorithmName",
            "a training job of an algorithm resource, with no TrainingImage: the language's "
            "training and tuning steps take an image",
        )
    writer.required("image", algorithm.get("TrainingImage"))
    channels: Any = job.get("InputDataConfig")
    values: Any = _string_map(job.get(hyperparameters))
    script = _training_code(channels, values, algorithm.get("TrainingInputMode"))
    script_name: str | None = None
    if script is not None:
        uri, entry_point = script
        writer.lift("code", uri, code=lambda: _code_call(writer, uri, entry_point))
        if "code" in writer.plan.lifted:  # the code channel and two hyperparameters are code=
            script_name = values[PROGRAM_HYPERPARAMETER]
            channels = channels[:-1]
            values = {
                key: value
                for key, value in values.items()
                if key not in (PROGRAM_HYPERPARAMETER, SUBMIT_DIRECTORY_HYPERPARAMETER)
            }
    writer.lift("role", job.get("RoleArn"))
    config = job.get(resources) or {}
    typed = writer.lift("instance_type", config.get("InstanceType"))
    writer.lift("instance_count", config.get("InstanceCount"))
    groups = config.get("InstanceGroups")
    cluster: dict[str, Any] | None = None
    distributable = True
    if isinstance(groups, list) and all(
        isinstance(item, Mapping)
        and set(item) == {"InstanceGroupName", "InstanceType", "InstanceCount"}
        for item in groups
    ):
        code = List(
            [
                writer.call(
                    "InstanceGroup",
                    name=item["InstanceGroupName"],
                    instance_type=item["InstanceType"],
                    instance_count=item["InstanceCount"],
                )
                for item in groups
            ]
        )
        # A group named by a parameter has no name a distribution's groups could match
        # (nor a dictionary key): the distribution's members then stay hyperparameters.
        named = all(isinstance(item["InstanceGroupName"], str) for item in groups)
        if writer.lift("instance_groups", groups, code=code):
            if named:
                cluster = {item["InstanceGroupName"]: item["InstanceType"] for item in groups}
            else:
                distributable = False
    if isinstance(values, Mapping) and distributable:
        # The job runs on the instance type the step gives it (the language's default when
        # the keyword is left out), or on its groups.
        instance_type = config.get("InstanceType") if typed else DEFAULT_INSTANCE_TYPE
        if _lift_distribution(writer, values, instance_type, cluster, script_name):
            values = {k: v for k, v in values.items() if k not in DISTRIBUTION_HYPERPARAMETERS}
    writer.lift("volume_size_in_gb", config.get("VolumeSizeInGB"))
    writer.lift("output_path", _get(job, "OutputDataConfig", "S3OutputPath"))
    writer.lift("max_runtime_in_seconds", _get(job, "StoppingCondition", "MaxRuntimeInSeconds"))
    writer.lift("input_mode", algorithm.get("TrainingInputMode"))
    if isinstance(channels, list) and all(_plain_channel(item) for item in channels):
        plain = channels
        writer.lift(
            "inputs",
            plain or None,
            code=lambda: Dict(
                [Pair(literal(item["ChannelName"]), _channel(writer, item)) for item in plain]
            ),
        )
    metrics = algorithm.get("MetricDefinitions")
    if isinstance(metrics, list) and all(
        isinstance(item, Mapping) and set(item) == {"Name", "Regex"} for item in metrics
    ):
        writer.lift("metric_definitions", {item["Name"]: item["Regex"] for item in metrics})
    writer.lift("environment", _string_map(job.get("Environment")))
    writer.lift("volume_kms_key", config.get("VolumeKmsKeyId"))
    writer.lift("output_kms_key", _get(job, "OutputDataConfig", "KmsKeyId"))
    _lift_network(
        writer,
        job.get("VpcConfig"),
        job.get("EnableNetworkIsolation"),
        job.get("EnableInterContainerTrafficEncryption"),
    )
    writer.lift("use_spot_instances", job.get("EnableManagedSpotTraining"))
    writer.lift("max_wait_in_seconds", _get(job, "StoppingCondition", "MaxWaitTimeInSeconds"))
    if writer.lift("checkpoint_s3_uri", _get(job, "CheckpointConfig", "S3Uri")):
        # A local path alone is refused: it stays in extra_arguments beside its S3 URI then.
        writer.lift("checkpoint_local_path", _get(job, "CheckpointConfig", "LocalPath"))
    writer.lift("max_retry_attempts", _get(job, "RetryStrategy", "MaximumRetryAttempts"))
    keyword = (
        "hyperparameters" if hyperparameters == "HyperParameters" else "static_hyperparameters"
    )
    writer.lift(keyword, values or None)


def _lift_distribution(
    writer: _Writer,
    hyperparameters: Mapping[str, Any],
    instance_type: Any,
    cluster: Mapping[str, Any] | None,
    script_name: str | None,
) -> bool:
    """``distribution=Distribution.<factory>(…)`` if it writes the distribution hyperparameters.

    Exactly those of the job (``read_distribution``); True when written.
    """
    class_name = writer.plan.class_name
    call = read_distribution(
        hyperparameters,
        where=f"{class_name} '{writer.plan.entry['Name']}'",
        instance_type=instance_type,
        cluster=cluster,
        script_name=script_name,
        tuning=class_name != "TrainingStep",
    )
    if call is None:
        return False

    def code() -> Node:
        items: list[Node] = []
        for name, value in call.arguments:
            if name == "parameters":  # plain JSON, never an expression: the first argument
                items.append(_json_literal(value))
            elif name in EXPRESSION_KEYWORDS:
                items.append(Keyword(name, writer.expr(value)))
            else:
                items.append(Keyword(name, _json_literal(value)))
        return Call(f"{writer.scope.use('Distribution')}.{call.factory}", items)

    return writer.lift("distribution", call, code=code)


def _json_literal(value: Any) -> Node:
    """Python literals for plain JSON (no member read as an expression: ``{"Get": …}`` too)."""
    if isinstance(value, Mapping):
        return Dict([Pair(literal(str(k)), _json_literal(v)) for k, v in value.items()])
    if isinstance(value, list):
        return List([_json_literal(item) for item in value])
    try:
        return literal(value)
    except ValueError as error:  # a number JSON has no literal for (NaN, Infinity)
        raise _UnconvertibleError(str(error)) from None


def _training_code(
    channels: Any, hyperparameters: Any, job_mode: Any = None
) -> tuple[Any, str | None] | None:
    """A training job's ``code=`` (script mode, as the language writes it), if it has one.

    The language ships the code as the last channel, ``code``, named by the
    ``sagemaker_program`` and ``sagemaker_submit_directory`` hyperparameters (the local
    path of the file in the channel). The SageMaker SDK's script mode names an S3 URI
    instead, in JSON-quoted text: no ``code=`` writes that, it stays as it is. The code
    channel of a Pipe job (``job_mode``) says ``"InputMode": "File"``, as the language
    writes it. Returns the URI and ``Code.from_s3``'s entry point.
    """
    if not isinstance(channels, list) or not channels or not isinstance(hyperparameters, Mapping):
        return None
    last, program = channels[-1], hyperparameters.get(PROGRAM_HYPERPARAMETER)
    source = _get(last, "DataSource", "S3DataSource")
    pinned = job_mode == PIPE_MODE
    if (
        not isinstance(program, str)
        or not isinstance(last, Mapping)
        or set(last) != {"DataSource", "ChannelName", *(("InputMode",) if pinned else ())}
        or (pinned and last["InputMode"] != CODE_INPUT_MODE)
        or last["ChannelName"] != CODE_CHANNEL
        or set(last["DataSource"]) != {"S3DataSource"}
        or source
        != {
            "S3DataType": "S3Prefix",
            "S3Uri": _get(source, "S3Uri"),
            "S3DataDistributionType": "FullyReplicated",
        }
        or any(_get(item, "ChannelName") == CODE_CHANNEL for item in channels[:-1])
    ):
        return None
    named = _script_code(source["S3Uri"], program)
    if named is None:
        return None
    entry_point, file_name = named
    if hyperparameters.get(SUBMIT_DIRECTORY_HYPERPARAMETER) != f"{CODE_CHANNEL_PATH}/{file_name}":
        return None
    return source["S3Uri"], entry_point


def _lift_network(writer: _Writer, vpc: Any, isolation: Any, encryption: Any) -> None:
    """``network=NetworkConfig(…)`` from a job's VPC and network members, if it has any."""
    if vpc is None and isolation is None and encryption is None:
        return
    values: dict[str, Any] = {}
    if vpc is not None:
        if not isinstance(vpc, Mapping) or set(vpc) != {"SecurityGroupIds", "Subnets"}:
            return  # the members stay in extra_arguments
        values["subnets"] = vpc["Subnets"]
        values["security_group_ids"] = vpc["SecurityGroupIds"]
    for name, value in (
        ("enable_network_isolation", isolation),
        ("enable_inter_container_traffic_encryption", encryption),
    ):
        if value is not None:
            if not isinstance(value, bool):
                return
            values[name] = value
    writer.lift("network", values, code=lambda: writer.call("NetworkConfig", **values))


_CHANNEL_KEYWORDS = {
    "ContentType": "content_type",
    "CompressionType": "compression",
    "RecordWrapperType": "record_wrapping",
    "InputMode": "input_mode",
}


def _plain_channel(item: Any) -> bool:
    source = _get(item, "DataSource", "S3DataSource")
    return (
        isinstance(item, Mapping)
        and isinstance(item.get("ChannelName"), str)
        and set(item) <= {"ChannelName", "DataSource", *_CHANNEL_KEYWORDS}
        and set(item["DataSource"]) == {"S3DataSource"}
        and isinstance(source, Mapping)
        and set(source) == {"S3DataType", "S3Uri", "S3DataDistributionType"}
    )


def _channel(writer: _Writer, item: Mapping[str, Any]) -> Node:
    source = item["DataSource"]["S3DataSource"]
    values: dict[str, Any] = {"s3_data": source["S3Uri"]}
    if source["S3DataType"] != "S3Prefix":
        values["s3_data_type"] = source["S3DataType"]
    if source["S3DataDistributionType"] != "FullyReplicated":
        values["distribution"] = source["S3DataDistributionType"]
    for key, name in _CHANNEL_KEYWORDS.items():
        if key in item:
            values[name] = item[key]
    if len(values) == 1:
        return writer.expr(source["S3Uri"])
    return writer.call("TrainingInput", **values)


def _training(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    _training_like(
        writer,
        arguments,
        "ResourceConfig",
        "HyperParameters",
        step=writer.plan.entry["Name"],
        where="Arguments",
    )
    # disable_profiler=False writes no ProfilerConfig: it is left out where extra_arguments
    # write DisableProfiler (over the default's True), so no value is written twice, and
    # where the SDK's default ProfilerConfig is cut (the language's default applies then).
    profiler = arguments.get("ProfilerConfig")
    if ("Arguments", "ProfilerConfig") not in writer.plan.cut and not (
        isinstance(profiler, Mapping) and "DisableProfiler" in profiler
    ):
        writer.lift("disable_profiler", False)
    # A tuning job's training jobs have no warm pool: TrainingStep's keyword only.
    keep_alive = _get(arguments, "ResourceConfig", "KeepAlivePeriodInSeconds")
    writer.lift("keep_alive_period_in_seconds", keep_alive)
    writer.lift("tags", _tags(arguments.get("Tags")))


def _tuning(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    job = arguments.get("TrainingJobDefinition")
    config = arguments.get("HyperParameterTuningJobConfig") or {}
    definitions = arguments.get("TrainingJobDefinitions")
    objective = config.get("HyperParameterTuningJobObjective") or {}
    if isinstance(definitions, list) and definitions and job is None:
        _training_job_definitions(writer, definitions)
        types = {_get(item, "TuningObjective", "Type") for item in definitions}
        objective = {"Type": types.pop()} if len(types) == 1 else {}
    elif isinstance(job, Mapping):
        _training_like(
            writer,
            job,
            "HyperParameterTuningResourceConfig",
            "StaticHyperParameters",
            step=writer.plan.entry["Name"],
            where="Arguments.TrainingJobDefinition",
        )
        if objective.get("MetricName") is not None:
            writer.required("objective_metric_name", objective["MetricName"])
    else:
        raise _StepProblemError(
            writer.plan.entry["Name"],
            "Arguments.TrainingJobDefinition",
            "a tuning job runs a TrainingJobDefinition or TrainingJobDefinitions",
        )
    writer.lift("objective_type", objective.get("Type"))
    writer.lift("strategy", config.get("Strategy"))
    limits = config.get("ResourceLimits") or {}
    writer.lift("max_jobs", limits.get("MaxNumberOfTrainingJobs"))
    writer.lift("max_parallel_jobs", limits.get("MaxParallelTrainingJobs"))
    writer.lift("early_stopping_type", config.get("TrainingJobEarlyStoppingType"))
    _tuning_config(writer, arguments, config, limits)
    ranges = config.get("ParameterRanges")
    if isinstance(ranges, Mapping):
        code = _ranges(writer, ranges)
        if code is not None:
            writer.required_node("hyperparameter_ranges", code)
    # The tuning job's tags (a training job definition has none).
    writer.lift("tags", _tags(arguments.get("Tags")))


def _training_job_definitions(writer: _Writer, definitions: list[Any]) -> None:
    """``training_job_definitions=[TrainingJobDefinition(…), …]``: one per algorithm.

    Each definition is written as a single-definition step's training job is, by a writer
    of its own that shares the step's plan: a keyword the check drops (named by an error)
    is dropped from every definition.
    """
    items: list[Node] = []
    for index, job in enumerate(definitions):
        name = _get(job, "DefinitionName")
        if not isinstance(name, str):
            raise _StepProblemError(
                writer.plan.entry["Name"],
                f"Arguments.TrainingJobDefinitions[{index}].DefinitionName",
                "a training job definition without a name",
            )
        plan = writer.plan
        inner = _Plan(
            {"Name": name},
            "",
            "TrainingJobDefinition",
            dropped=plan.dropped,
            minimal=plan.minimal,
            lifted=plan.lifted,
        )
        definition = _Writer(inner, writer.scope)
        _training_like(
            definition,
            job,
            "HyperParameterTuningResourceConfig",
            "StaticHyperParameters",
            step=plan.entry["Name"],
            where=f"Arguments.TrainingJobDefinitions[{index}]",
        )
        definition.required("objective_metric_name", _get(job, "TuningObjective", "MetricName"))
        ranges = job.get("HyperParameterRanges")
        code = _ranges(writer, ranges) if isinstance(ranges, Mapping) else None
        definition.required_node("hyperparameter_ranges", code if code is not None else Dict([]))
        items.append(Call(writer.scope.use("TrainingJobDefinition"), definition.keywords))
    writer.required_node("training_job_definitions", List(items))


def _tuning_config(
    writer: _Writer,
    arguments: Mapping[str, Any],
    config: Mapping[str, Any],
    limits: Mapping[str, Any],
) -> None:
    """A tuning job's settings beside its training jobs: seed, strategy, limits, warm start."""
    writer.lift("random_seed", config.get("RandomSeed"))
    writer.lift("max_tuning_runtime_in_seconds", limits.get("MaxRuntimeInSeconds"))
    hyperband = _get(config, "StrategyConfig", "HyperbandStrategyConfig")
    if (
        isinstance(hyperband, Mapping)
        and set(config["StrategyConfig"]) == {"HyperbandStrategyConfig"}
        and set(hyperband) <= {"MinResource", "MaxResource"}
    ):
        values = {
            name: hyperband[key]
            for key, name in (("MinResource", "min_resource"), ("MaxResource", "max_resource"))
            if key in hyperband
        }
        writer.lift(
            "strategy_config",
            hyperband,
            code=lambda: writer.call("HyperbandStrategyConfig", **values),
        )
    criteria = config.get("TuningJobCompletionCriteria")
    if isinstance(criteria, Mapping) and criteria:
        values = {}
        jobs = _get(criteria, "BestObjectiveNotImproving", "MaxNumberOfTrainingJobsNotImproving")
        if jobs is not None:
            values["max_number_of_training_jobs_not_improving"] = jobs
        convergence = _get(criteria, "ConvergenceDetected", "CompleteOnConvergence")
        if convergence in ("Enabled", "Disabled"):
            values["complete_on_convergence"] = convergence == "Enabled"
        if "TargetObjectiveMetricValue" in criteria:
            values["target_objective_metric_value"] = criteria["TargetObjectiveMetricValue"]
        if values:
            writer.lift(
                "completion_criteria",
                criteria,
                code=lambda: writer.call("TuningJobCompletionCriteria", **values),
            )
    warm = arguments.get("WarmStartConfig")
    parents = _get(warm, "ParentHyperParameterTuningJobs")
    if (
        isinstance(warm, Mapping)
        and set(warm) == {"WarmStartType", "ParentHyperParameterTuningJobs"}
        and isinstance(parents, list)
        and all(
            isinstance(item, Mapping) and set(item) == {"HyperParameterTuningJobName"}
            for item in parents
        )
    ):
        names = [item["HyperParameterTuningJobName"] for item in parents]
        writer.lift(
            "warm_start",
            warm,
            code=lambda: writer.call(
                "WarmStartConfig", warm_start_type=warm["WarmStartType"], parents=names
            ),
        )


def _ranges(writer: _Writer, ranges: Mapping[str, Any]) -> Node | None:
    pairs: list[Pair] = []
    kinds = {
        "ContinuousParameterRanges": "ContinuousParameter",
        "IntegerParameterRanges": "IntegerParameter",
        "CategoricalParameterRanges": "CategoricalParameter",
    }
    for key, items in ranges.items():
        if key not in kinds or not isinstance(items, list):
            return None
        for item in items:
            if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str):
                return None
            if key == "CategoricalParameterRanges":
                if set(item) != {"Name", "Values"}:
                    return None
                node = writer.call(kinds[key], values=item["Values"])
            else:
                if not set(item) <= {"Name", "MinValue", "MaxValue", "ScalingType"}:
                    return None
                values = {"min_value": _number(item.get("MinValue"))}
                values["max_value"] = _number(item.get("MaxValue"))
                if item.get("ScalingType", "Auto") != "Auto":
                    values["scaling_type"] = item["ScalingType"]
                node = writer.call(kinds[key], **values)
            pairs.append(Pair(literal(item["Name"]), node))
    return Dict(pairs)


def _number(value: Any) -> Any:
    """A range bound: the API writes numbers as text ("0.001")."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    return value


def _transform(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    source = _get(arguments, "TransformInput", "DataSource", "S3DataSource") or {}
    writer.required("model_name", arguments.get("ModelName"))
    writer.required("input_data", source.get("S3Uri"))
    writer.lift("output_path", _get(arguments, "TransformOutput", "S3OutputPath"))
    resources = arguments.get("TransformResources") or {}
    writer.lift("instance_type", resources.get("InstanceType"))
    writer.lift("instance_count", resources.get("InstanceCount"))
    writer.lift("content_type", _get(arguments, "TransformInput", "ContentType"))
    writer.lift("split_type", _get(arguments, "TransformInput", "SplitType"))
    writer.lift("compression_type", _get(arguments, "TransformInput", "CompressionType"))
    writer.lift("accept", _get(arguments, "TransformOutput", "Accept"))
    writer.lift("assemble_with", _get(arguments, "TransformOutput", "AssembleWith"))
    writer.lift("strategy", arguments.get("BatchStrategy"))
    writer.lift("max_payload_in_mb", arguments.get("MaxPayloadInMB"))
    writer.lift("max_concurrent_transforms", arguments.get("MaxConcurrentTransforms"))
    writer.lift("environment", _string_map(arguments.get("Environment")))
    writer.lift("s3_data_type", source.get("S3DataType"))
    writer.lift("volume_kms_key", resources.get("VolumeKmsKeyId"))
    writer.lift("output_kms_key", _get(arguments, "TransformOutput", "KmsKeyId"))
    processing = arguments.get("DataProcessing") or {}
    writer.lift("input_filter", processing.get("InputFilter"))
    writer.lift("output_filter", processing.get("OutputFilter"))
    writer.lift("join_source", processing.get("JoinSource"))
    writer.lift("tags", _tags(arguments.get("Tags")))


def _model(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    if isinstance(arguments.get("Containers"), list):
        writer.required_node("containers", _containers(writer, arguments["Containers"]))
    else:
        container = arguments.get("PrimaryContainer") or {}
        if "ModelPackageName" in container and "Image" not in container:
            # A model of a registered version: its image and data are the version's.
            writer.required("model_package_name", container["ModelPackageName"])
        else:
            writer.required("image", container.get("Image"))
            writer.lift("model_data", container.get("ModelDataUrl"))
        writer.lift("environment", _string_map(container.get("Environment")) or None)
    writer.lift("role", arguments.get("ExecutionRoleArn"))
    writer.lift("inference_execution_mode", _get(arguments, "InferenceExecutionConfig", "Mode"))
    _lift_network(writer, arguments.get("VpcConfig"), arguments.get("EnableNetworkIsolation"), None)
    writer.lift("tags", _tags(arguments.get("Tags")))


def _containers(writer: _Writer, containers: list[Any]) -> Node:
    items = []
    for index, container in enumerate(containers):
        if not isinstance(container, Mapping):
            raise _UnconvertibleError("a container that is not an object")
        if "ModelPackageName" in container and "Image" not in container:
            raise _StepProblemError(
                writer.plan.entry["Name"],
                f"Arguments.Containers[{index}].ModelPackageName",
                "a registered version as one of several containers: Container takes an "
                "image; the language writes a model of a registered version as its only "
                "container (ModelStep(model_package_name=…))",
            )
        values: dict[str, Any] = {"image": container.get("Image")}
        if "ModelDataUrl" in container:
            values["model_data"] = container["ModelDataUrl"]
        if container.get("Environment"):
            values["environment"] = _string_map(container["Environment"])
        items.append(writer.call("Container", **values))
    return List(items)


def _register_model(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    spec = arguments.get("InferenceSpecification") or {}
    containers = spec.get("Containers")
    container = containers[0] if isinstance(containers, list) and len(containers) == 1 else {}
    if "ModelPackageGroupName" not in arguments:
        raise _StepProblemError(
            writer.plan.entry["Name"],
            "Arguments.ModelPackageName",
            "RegisterModel registers a version in a model package group "
            "(model_package_group_name=): the language can't write an unversioned package",
        )
    writer.required("model_package_group_name", arguments["ModelPackageGroupName"])
    if isinstance(containers, list) and len(containers) > 1:
        writer.required_node("containers", _containers(writer, containers))
    else:
        writer.required("image", container.get("Image"))
        writer.lift("model_data", container.get("ModelDataUrl"))
        writer.lift("environment", _string_map(container.get("Environment")) or None)
    # These keywords have defaults: None leaves the member out.
    writer.lift(
        "content_types",
        spec.get("SupportedContentTypes"),
        code=_or_none(writer, spec, "SupportedContentTypes"),
    )
    writer.lift(
        "response_types",
        spec.get("SupportedResponseMIMETypes"),
        code=_or_none(writer, spec, "SupportedResponseMIMETypes"),
    )
    writer.lift("inference_instances", spec.get("SupportedRealtimeInferenceInstanceTypes"))
    writer.lift("transform_instances", spec.get("SupportedTransformInstanceTypes"))
    writer.lift("approval_status", arguments.get("ModelApprovalStatus"))
    writer.lift("model_package_description", arguments.get("ModelPackageDescription"))
    writer.lift("customer_metadata", arguments.get("CustomerMetadataProperties"))
    writer.lift("domain", arguments.get("Domain"))
    writer.lift("task", arguments.get("Task"))
    writer.lift("sample_payload_url", arguments.get("SamplePayloadUrl"))
    for argument, member, fields in (
        ("model_metrics", "ModelMetrics", _MODEL_METRICS),
        ("drift_check_baselines", "DriftCheckBaselines", _DRIFT_CHECK_BASELINES),
    ):
        code = _sources(writer, arguments.get(member), member, fields)
        if code is not None:
            writer.lift(argument, arguments[member], code=code)
    metadata = arguments.get("MetadataProperties")
    if isinstance(metadata, Mapping) and metadata and set(metadata) <= set(_METADATA_MEMBERS):
        values = {_METADATA_MEMBERS[key]: value for key, value in metadata.items()}
        writer.lift(
            "metadata_properties",
            metadata,
            code=lambda: writer.call("MetadataProperties", **values),
        )


# (member, its member) -> (keyword, class): what ModelMetrics and DriftCheckBaselines take.
_MODEL_METRICS = {
    ("ModelQuality", "Statistics"): ("model_statistics", "MetricsSource"),
    ("ModelQuality", "Constraints"): ("model_constraints", "MetricsSource"),
    ("ModelDataQuality", "Statistics"): ("data_statistics", "MetricsSource"),
    ("ModelDataQuality", "Constraints"): ("data_constraints", "MetricsSource"),
    ("Bias", "Report"): ("bias_report", "MetricsSource"),
    ("Bias", "PreTrainingReport"): ("bias_pre_training_report", "MetricsSource"),
    ("Bias", "PostTrainingReport"): ("bias_post_training_report", "MetricsSource"),
    ("Explainability", "Report"): ("explainability_report", "MetricsSource"),
}
_DRIFT_CHECK_BASELINES = {
    ("ModelQuality", "Statistics"): ("model_statistics", "MetricsSource"),
    ("ModelQuality", "Constraints"): ("model_constraints", "MetricsSource"),
    ("ModelDataQuality", "Statistics"): ("data_statistics", "MetricsSource"),
    ("ModelDataQuality", "Constraints"): ("data_constraints", "MetricsSource"),
    ("Bias", "ConfigFile"): ("bias_config_file", "FileSource"),
    ("Bias", "PreTrainingConstraints"): ("bias_pre_training_constraints", "MetricsSource"),
    ("Bias", "PostTrainingConstraints"): ("bias_post_training_constraints", "MetricsSource"),
    ("Explainability", "Constraints"): ("explainability_constraints", "MetricsSource"),
    ("Explainability", "ConfigFile"): ("explainability_config_file", "FileSource"),
}
_METADATA_MEMBERS = {
    "CommitId": "commit_id",
    "Repository": "repository",
    "GeneratedBy": "generated_by",
    "ProjectId": "project_id",
}


def _sources(
    writer: _Writer,
    value: Any,
    class_name: str,
    fields: Mapping[tuple[str, str], tuple[str, str]],
) -> Callable[[], Node] | None:
    """What writes ``ModelMetrics(…)`` or ``DriftCheckBaselines(…)``; None if they can't.

    Each source is ``{"S3Uri": …, "ContentType": …}`` (a ``MetricsSource`` always has
    the content type; a ``FileSource`` may not).
    """
    if not isinstance(value, Mapping) or not value:
        return None
    values: dict[str, tuple[str, dict[str, Any]]] = {}
    for group, members in value.items():
        if members == {}:
            continue  # the SDK writes empty groups: extra_arguments keeps them
        if not isinstance(members, Mapping):
            return None
        for member, source in members.items():
            known = fields.get((group, member))
            if (
                known is None
                or not isinstance(source, Mapping)
                or "S3Uri" not in source
                or not set(source) <= {"S3Uri", "ContentType"}
            ):
                return None
            name, kind = known
            content_type = source.get("ContentType")
            items: dict[str, Any] = {"s3_uri": source["S3Uri"]}
            if kind == "MetricsSource" and not isinstance(content_type, str):
                return None
            if content_type is not None and not isinstance(content_type, str):
                return None
            if content_type is not None and content_type != _DEFAULT_CONTENT_TYPES[kind]:
                items["content_type"] = content_type
            values[name] = (kind, items)
    if not values:
        return None

    def code() -> Node:
        return writer.call(
            class_name,
            **{name: writer.call(kind, **items) for name, (kind, items) in values.items()},
        )

    return code


# The content type a source writes when it is given none.
_DEFAULT_CONTENT_TYPES = {"MetricsSource": "application/json", "FileSource": None}


def _or_none(writer: _Writer, mapping: Mapping[str, Any], key: str) -> Node:
    return writer.expr(mapping[key]) if key in mapping else Atom("None")


def _step_problem(writer: _Writer, where: str, message: str) -> _StepProblemError:
    return _StepProblemError(writer.plan.entry["Name"], where, message)


# A channel's members the step's keyword fills in when the channel sets none:
# member -> (AutoMLInput's keyword, AutoMLStep's keyword).
_AUTOML_CHANNEL_MEMBERS = {
    "TargetAttributeName": ("target_attribute_name", "target_attribute_name"),
    "CompressionType": ("compression", "compression_type"),
    "ContentType": ("content_type", "content_type"),
    "SampleWeightAttributeName": ("sample_weight_attribute_name", "sample_weight_attribute_name"),
    "S3DataType": ("s3_data_type", "s3_data_type"),
}


def _automl(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    """``AutoMLStep(…)``: channels as ``inputs=``, what every channel shares as the step's."""
    channels = arguments.get("InputDataConfig")
    if not isinstance(channels, list) or not channels:
        raise _step_problem(writer, "Arguments.InputDataConfig", "an AutoML job reads a channel")
    rows: list[tuple[Any, Any, dict[str, Any]]] = []  # (S3 URI, channel type, members)
    allowed = {"DataSource", "ChannelType", *_AUTOML_CHANNEL_MEMBERS} - {"S3DataType"}
    for index, channel in enumerate(channels):
        where = f"Arguments.InputDataConfig[{index}]"
        source = _get(channel, "DataSource", "S3DataSource")
        if (
            not isinstance(channel, Mapping)
            or not set(channel) <= allowed
            or set(channel.get("DataSource") or {}) != {"S3DataSource"}
            or not isinstance(source, Mapping)
            or set(source) != {"S3DataType", "S3Uri"}
        ):
            raise _step_problem(
                writer,
                where,
                "AutoMLInput writes DataSource.S3DataSource (S3DataType, S3Uri), ChannelType, "
                "TargetAttributeName, CompressionType, ContentType and "
                "SampleWeightAttributeName only",
            )
        if "TargetAttributeName" not in channel:
            raise _step_problem(
                writer,
                f"{where}.TargetAttributeName",
                "AutoMLStep needs the column to predict (target_attribute_name=) of every "
                "channel, and the definition has none",
            )
        members = {key: channel[key] for key in _AUTOML_CHANNEL_MEMBERS if key in channel}
        members["S3DataType"] = source["S3DataType"]
        rows.append((source["S3Uri"], channel.get("ChannelType"), members))
    # A member every channel has, alike, is the step's keyword; else each channel's own.
    shared: dict[str, Any] = {}
    for member in _AUTOML_CHANNEL_MEMBERS:
        values = [row[2].get(member) for row in rows]
        if values[0] is not None and all(same(value, values[0]) for value in values):
            shared[member] = values[0]
    items: list[Node] = []
    for uri, channel_type, members in rows:
        own: dict[str, Any] = {"inputs": uri}
        if channel_type is not None:
            own["channel_type"] = channel_type
        for member, value in members.items():
            if member not in shared and not (member == "S3DataType" and value == "S3Prefix"):
                own[_AUTOML_CHANNEL_MEMBERS[member][0]] = value
        items.append(writer.call("AutoMLInput", **own) if len(own) > 1 else writer.expr(uri))
    writer.required_node("inputs", items[0] if len(items) == 1 else List(items))
    for member, value in shared.items():
        if not (member == "S3DataType" and value == "S3Prefix"):  # what none writes
            writer.required(_AUTOML_CHANNEL_MEMBERS[member][1], value)
    config = arguments.get("AutoMLJobConfig") or {}
    criteria = config.get("CompletionCriteria") or {}
    writer.lift("problem_type", arguments.get("ProblemType"))
    writer.lift("job_objective", _get(arguments, "AutoMLJobObjective", "MetricName"))
    writer.lift("mode", config.get("Mode"))
    writer.lift("max_candidates", criteria.get("MaxCandidates"))
    writer.lift(
        "max_runtime_per_training_job_in_seconds",
        criteria.get("MaxRuntimePerTrainingJobInSeconds"),
    )
    writer.lift("total_job_runtime_in_seconds", criteria.get("MaxAutoMLJobRuntimeInSeconds"))
    writer.lift("output_path", _get(arguments, "OutputDataConfig", "S3OutputPath"))
    writer.lift(
        "feature_specification_s3_uri",
        _get(config, "CandidateGenerationConfig", "FeatureSpecificationS3Uri"),
    )
    writer.lift("validation_fraction", _get(config, "DataSplitConfig", "ValidationFraction"))
    writer.lift("role", arguments.get("RoleArn"))
    security = config.get("SecurityConfig") or {}
    writer.lift("volume_kms_key", _get(security, "VolumeKmsKeyId"))
    writer.lift("output_kms_key", _get(arguments, "OutputDataConfig", "KmsKeyId"))
    # The step always writes the encryption flag: False is what no network writes.
    encryption = _get(security, "EnableInterContainerTrafficEncryption")
    _lift_network(writer, _get(security, "VpcConfig"), None, True if encryption is True else None)
    writer.lift("tags", _tags(arguments.get("Tags")))


def _check_job(writer: _Writer, arguments: Mapping[str, Any], output_name: str) -> Any:
    """The job keywords both check steps take; returns the check output's ``S3Output``."""
    cluster = _get(arguments, "ProcessingResources", "ClusterConfig") or {}
    writer.required("image", _get(arguments, "AppSpecification", "ImageUri"))
    writer.lift("role", arguments.get("RoleArn"))
    writer.lift("instance_type", cluster.get("InstanceType"))
    writer.lift("instance_count", cluster.get("InstanceCount"))
    writer.lift("volume_size_in_gb", cluster.get("VolumeSizeInGB"))
    _processing_limits_and_security(writer, arguments, cluster)
    writer.lift("tags", _tags(arguments.get("Tags")))
    outputs = _get(arguments, "ProcessingOutputConfig", "Outputs")
    if (
        not isinstance(outputs, list)
        or len(outputs) != 1
        or not _plain_processing_output(outputs[0])
        or outputs[0]["OutputName"] != output_name
    ):
        raise _step_problem(
            writer,
            "Arguments.ProcessingOutputConfig.Outputs",
            f"a {writer.plan.class_name} writes one output, {output_name!r} (its config's "
            "output_s3_uri=)",
        )
    return outputs[0]["S3Output"]


def _check_settings(writer: _Writer, settings: Sequence[tuple[str, str]]) -> None:
    """The check's settings beside its Arguments, as keywords (defaults and nulls left out)."""
    entry = writer.plan.entry
    for member, name in settings:
        value = entry.get(member)
        if value is None or (name in writer.defaults and same(value, writer.defaults[name])):
            continue
        writer.required(name, value)


_CHECK_FLAGS = (
    ("SkipCheck", "skip_check"),
    ("FailOnViolation", "fail_on_violation"),
    ("RegisterNewBaseline", "register_new_baseline"),
    ("ModelPackageGroupName", "model_package_group_name"),
)


def _check_inputs(writer: _Writer, arguments: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The check job's inputs by name (their ``S3Input``s)."""
    inputs = arguments.get("ProcessingInputs")
    found: dict[str, Mapping[str, Any]] = {}
    for item in inputs if isinstance(inputs, list) else []:
        s3 = _get(item, "S3Input")
        if isinstance(_get(item, "InputName"), str) and isinstance(s3, Mapping) and "S3Uri" in s3:
            found.setdefault(item["InputName"], s3)
    return found


def _needed_input(writer: _Writer, inputs: Mapping[str, Any], name: str, keyword: str) -> Any:
    if name not in inputs:
        raise _step_problem(
            writer,
            "Arguments.ProcessingInputs",
            f"no input {name!r}: {writer.plan.class_name}'s config writes it from {keyword}=",
        )
    return inputs[name]["S3Uri"]


def _quality_check(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    """``QualityCheckStep(quality_check_config=…)``: the config from the analyzer's environment."""
    kind = writer.plan.entry.get("CheckType")
    if kind not in ("DATA_QUALITY", "MODEL_QUALITY"):
        raise _step_problem(writer, "CheckType", "a quality check is DATA_QUALITY or MODEL_QUALITY")
    environment = _string_map(arguments.get("Environment")) or {}
    inputs = _check_inputs(writer, arguments)
    values: dict[str, Any] = {
        "baseline_dataset": _needed_input(
            writer, inputs, BASELINE_DATASET_INPUT, "baseline_dataset"
        ),
        "dataset_format": _dataset_format(writer, environment.get("dataset_format")),
    }
    if kind == "MODEL_QUALITY":
        if "problem_type" not in environment:
            raise _step_problem(
                writer,
                "Arguments.Environment['problem_type']",
                "a MODEL_QUALITY check needs its problem_type (ModelQualityCheckConfig's "
                "problem_type=), and the definition has none",
            )
        values["problem_type"] = environment["problem_type"]
        for member in (
            "inference_attribute",
            "probability_attribute",
            "ground_truth_attribute",
            "probability_threshold_attribute",
        ):
            if member in environment:
                values[member] = _threshold(environment[member], member)
    # A script copied as one file, run from where the step puts it: Code.from_s3(its URI).
    for member, input_name in (
        ("record_preprocessor_script", RECORD_PREPROCESSOR_INPUT),
        ("post_analytics_processor_script", POST_ANALYTICS_INPUT),
    ):
        uri = inputs.get(input_name, {}).get("S3Uri")
        if member == "record_preprocessor_script" and kind == "MODEL_QUALITY":
            continue  # ModelQualityCheckConfig takes no record preprocessor
        if (
            isinstance(uri, str)
            and uri.startswith("s3://")
            and not uri.endswith(("/", ".tar.gz"))
            and environment.get(member)
            == f"{LOCAL_ROOT}/input/{input_name}/{posixpath.basename(uri)}"
        ):
            values[member] = Call(f"{writer.scope.use('Code')}.from_s3", [writer.expr(uri)])
    output = _check_job(writer, arguments, QUALITY_OUTPUT_NAME)
    values["output_s3_uri"] = output["S3Uri"]
    config_class = "DataQualityCheckConfig" if kind == "DATA_QUALITY" else "ModelQualityCheckConfig"
    # The config goes first, after the name: the check is what a reader looks for.
    writer.keywords.insert(1, Keyword("quality_check_config", writer.call(config_class, **values)))
    own = {key: value for key, value in environment.items() if key not in _ANALYZER_VARIABLES}
    writer.lift("environment", own or None)
    _check_settings(
        writer,
        [
            *_CHECK_FLAGS,
            ("SuppliedBaselineStatistics", "supplied_baseline_statistics"),
            ("SuppliedBaselineConstraints", "supplied_baseline_constraints"),
        ],
    )


def _threshold(value: Any, member: str) -> Any:
    """``0.5`` for the analyzer's text ``"0.5"`` (the threshold only), as a person writes it."""
    if member == "probability_threshold_attribute" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return number if repr(number) == value else value
    return value


def _dataset_format(writer: _Writer, text: Any) -> Node:
    """``DatasetFormat.csv(…)``, ``.json(…)`` or ``.parquet()`` from the analyzer's variable."""
    where = "Arguments.Environment['dataset_format']"
    body: Any = None
    if isinstance(text, str):
        try:
            body = json.loads(text)
        except ValueError:
            body = None
    factory = f"{writer.scope.use('DatasetFormat')}"
    inner = _get(body, "csv")
    if isinstance(body, Mapping) and len(body) == 1:
        if (
            isinstance(inner, Mapping)
            and set(inner) <= {"header", "output_columns_position"}
            and isinstance(inner.get("header", True), bool)
            and inner.get("output_columns_position", "START") in ("START", "END")
        ):
            items: list[Node] = []
            if inner.get("header", True) is False:
                items.append(Keyword("header", literal(False)))
            if inner.get("output_columns_position", "START") == "END":
                items.append(Keyword("output_columns_position", literal("END")))
            return Call(f"{factory}.csv", items)
        inner = _get(body, "json")
        if isinstance(inner, Mapping) and set(inner) <= {"lines"}:
            lines = inner.get("lines", True)
            if isinstance(lines, bool):
                return Call(f"{factory}.json", [] if lines else [Keyword("lines", literal(False))])
        if body == {"parquet": {}}:
            return Call(f"{factory}.parquet", [])
    raise _step_problem(
        writer,
        where,
        "the Model Monitor analyzer's dataset_format (DatasetFormat.csv(…), .json(…) or "
        f".parquet()) is JSON text of csv, json or parquet, got {text!r}",
    )


_CLARIFY_CONFIGS = {
    "DATA_BIAS": "DataBiasCheckConfig",
    "MODEL_BIAS": "ModelBiasCheckConfig",
    "MODEL_EXPLAINABILITY": "ModelExplainabilityCheckConfig",
}


def _clarify_check(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    """``ClarifyCheckStep(clarify_check_config=…)``: the config from the job's inputs."""
    entry = writer.plan.entry
    kind = entry.get("CheckType")
    if kind not in _CLARIFY_CONFIGS:
        raise _step_problem(
            writer, "CheckType", f"a Clarify check is one of {', '.join(_CLARIFY_CONFIGS)}"
        )
    inputs = _check_inputs(writer, arguments)
    values: dict[str, Any] = {
        "dataset": _needed_input(writer, inputs, CLARIFY_DATASET_INPUT, "dataset"),
        "analysis_config": _needed_input(writer, inputs, CLARIFY_CONFIG_INPUT, "analysis_config"),
    }
    if kind != "DATA_BIAS":
        if entry.get("ModelName") is None:
            raise _step_problem(
                writer,
                "ModelName",
                f"a {kind} check needs the model it serves ({_CLARIFY_CONFIGS[kind]}'s "
                "model_name=), and the definition has none",
            )
        values["model_name"] = entry["ModelName"]
    output = _check_job(writer, arguments, CLARIFY_OUTPUT_NAME)
    values["output_s3_uri"] = output["S3Uri"]
    dataset = inputs[CLARIFY_DATASET_INPUT]
    for member, name, options in (
        ("S3DataDistributionType", "s3_data_distribution_type", ("ShardedByS3Key",)),
        ("S3CompressionType", "s3_compression_type", ("Gzip",)),
    ):
        if dataset.get(member) in options:
            values[name] = dataset[member]
    if output.get("S3UploadMode") == "Continuous":
        values["s3_upload_mode"] = "Continuous"
    call = writer.call(_CLARIFY_CONFIGS[kind], **values)
    writer.keywords.insert(1, Keyword("clarify_check_config", call))
    writer.lift("environment", _string_map(arguments.get("Environment")) or None)
    _check_settings(
        writer,
        [*_CHECK_FLAGS, ("SuppliedBaselineConstraints", "supplied_baseline_constraints")],
    )


# --- deployment steps ---------------------------------------------------------------------

# A ProductionVariant member -> its keyword (RoutingConfig and ServerlessConfig are written
# by _variant_keywords).
_VARIANT_KEYWORDS = {
    "VariantName": "variant_name",
    "ModelName": "model_name",
    "InitialVariantWeight": "initial_variant_weight",
    "InitialInstanceCount": "initial_instance_count",
    "InstanceType": "instance_type",
    "VolumeSizeInGB": "volume_size_in_gb",
    "ModelDataDownloadTimeoutInSeconds": "model_data_download_timeout_in_seconds",
    "ContainerStartupHealthCheckTimeoutInSeconds": (
        "container_startup_health_check_timeout_in_seconds"
    ),
    "InferenceAmiVersion": "inference_ami_version",
}
# Members an EndpointConfigStep's single-variant keywords write.
_SINGLE_VARIANT = {"VariantName", "ModelName", "InitialVariantWeight", "InitialInstanceCount"}
_SERVERLESS_KEYWORDS = {
    "MemorySizeInMB": "memory_size_in_mb",
    "MaxConcurrency": "max_concurrency",
    "ProvisionedConcurrency": "provisioned_concurrency",
}


def _variant_keywords(writer: _Writer, variant: Any) -> dict[str, Any] | None:
    """A variant's ``ProductionVariant`` keywords; None when it renders otherwise.

    ``ProductionVariant`` writes ``InitialVariantWeight`` 1 for a model and
    ``InitialInstanceCount`` 1 on instances when they are unset, and ``VariantName``
    always: a variant without them (or with members it doesn't take) stays a mapping.
    """
    if not isinstance(variant, Mapping) or "VariantName" not in variant:
        return None
    serverless = variant.get("ServerlessConfig")
    instances = "InstanceType" in variant
    if (serverless is None) == (not instances):
        return None  # both, or neither: not a ProductionVariant
    if "ModelName" in variant and "InitialVariantWeight" not in variant:
        return None
    if instances and "InitialInstanceCount" not in variant:
        return None
    values: dict[str, Any] = {}
    for member, value in variant.items():
        if member in _VARIANT_KEYWORDS:
            values[_VARIANT_KEYWORDS[member]] = value
        elif member == "RoutingConfig" and instances and _get(value, "RoutingStrategy") is not None:
            if set(value) != {"RoutingStrategy"}:
                return None
            values["routing_strategy"] = value["RoutingStrategy"]
        elif member == "ServerlessConfig":
            if not isinstance(value, Mapping) or not set(value) <= set(_SERVERLESS_KEYWORDS):
                return None
            if not {"MemorySizeInMB", "MaxConcurrency"} <= set(value):
                return None
            members = {_SERVERLESS_KEYWORDS[key]: item for key, item in value.items()}
            values["serverless_config"] = writer.call(
                "ServerlessConfig", **_in_field_order("ServerlessConfig", members)
            )
        else:
            return None
    if same(values.get("initial_instance_count"), 1):
        del values["initial_instance_count"]  # the default
    if "model_name" in values and same(values.get("initial_variant_weight"), 1):
        del values["initial_variant_weight"]  # the default of a variant of a model
    if values.get("variant_name") == "AllTraffic":
        del values["variant_name"]  # the default
    return _in_field_order("ProductionVariant", values)


def _in_field_order(class_name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` in the order of the class's fields, as a person writes its keywords."""
    from .. import definition as language

    order = [item.name for item in dataclasses.fields(getattr(language, class_name))]
    return {name: values[name] for name in order if name in values}


def _data_capture(writer: _Writer, capture: Any) -> Node:
    """``DataCaptureConfig(…)`` of the request's member; ``_UnconvertibleError`` otherwise."""
    known = {
        "EnableCapture",
        "InitialSamplingPercentage",
        "DestinationS3Uri",
        "CaptureOptions",
        "KmsKeyId",
        "CaptureContentTypeHeader",
    }
    if not isinstance(capture, Mapping) or not set(capture) <= known:
        raise _UnconvertibleError("a data capture configuration of these members")
    if not {"EnableCapture", "InitialSamplingPercentage", "DestinationS3Uri"} <= set(capture):
        raise _UnconvertibleError("a data capture configuration without its settings")
    options = capture.get("CaptureOptions")
    if not isinstance(options, list) or not all(
        isinstance(item, Mapping) and set(item) == {"CaptureMode"} for item in options
    ):
        raise _UnconvertibleError("capture options")
    header = capture.get("CaptureContentTypeHeader") or {}
    if not isinstance(header, Mapping) or not set(header) <= {
        "CsvContentTypes",
        "JsonContentTypes",
    }:
        raise _UnconvertibleError("a content type header")
    values: dict[str, Any] = {"destination": capture["DestinationS3Uri"]}
    if not same(capture["InitialSamplingPercentage"], 20):
        values["sampling_percentage"] = capture["InitialSamplingPercentage"]
    modes = [item["CaptureMode"] for item in options]
    if modes != ["Input", "Output"]:
        values["capture_options"] = modes
    for member, argument, default in (
        ("CsvContentTypes", "csv_content_types", ["text/csv"]),
        ("JsonContentTypes", "json_content_types", ["application/json"]),
    ):
        if member not in header:
            values[argument] = Atom("None")
        elif not same(header[member], default):
            values[argument] = header[member]
    if "KmsKeyId" in capture:
        values["kms_key_id"] = capture["KmsKeyId"]
    if capture["EnableCapture"] is not True:
        values["enable_capture"] = capture["EnableCapture"]
    return writer.call("DataCaptureConfig", **values)


def _tags(value: Any) -> dict[str, Any] | None:
    """A request's ``Tags`` as ``tags=`` writes them: literal, distinct keys only."""
    if not isinstance(value, list) or not value:
        return None
    if not all(
        isinstance(item, Mapping) and set(item) == {"Key", "Value"} and isinstance(item["Key"], str)
        for item in value
    ):
        return None
    tags = {item["Key"]: item["Value"] for item in value}
    return tags if len(tags) == len(value) else None


def _endpoint_config(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    writer.required("endpoint_config_name", arguments.get("EndpointConfigName"))
    variants = arguments.get("ProductionVariants")
    if not isinstance(variants, list):
        raise _UnconvertibleError("production variants that are no list")
    keywords = [_variant_keywords(writer, variant) for variant in variants]
    single = keywords[0] if len(keywords) == 1 else None
    if single is not None and set(single) <= {_VARIANT_KEYWORDS[m] for m in _SINGLE_VARIANT} | {
        "instance_type",
        "serverless_config",
    }:
        for keyword, value in _in_field_order("EndpointConfigStep", single).items():
            if _is_node(value):
                writer.required_node(keyword, value)
            else:
                writer.required(keyword, value)
    else:
        items = [
            writer.call("ProductionVariant", **found) if found is not None else writer.expr(raw)
            for raw, found in zip(variants, keywords, strict=True)
        ]
        writer.required_node("production_variants", List(items))
    writer.lift("role", arguments.get("ExecutionRoleArn"))
    writer.lift("tags", _tags(arguments.get("Tags")))
    writer.lift("kms_key_id", arguments.get("KmsKeyId"))
    capture = arguments.get("DataCaptureConfig")
    writer.lift("data_capture_config", capture, code=lambda: _data_capture(writer, capture))
    writer.lift("async_inference_config", arguments.get("AsyncInferenceConfig"))
    _lift_network(writer, arguments.get("VpcConfig"), arguments.get("EnableNetworkIsolation"), None)


def _endpoint(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    writer.required("endpoint_name", arguments.get("EndpointName"))
    writer.required("endpoint_config_name", arguments.get("EndpointConfigName"))
    writer.lift("deployment_config", arguments.get("DeploymentConfig"))
    writer.lift("tags", _tags(arguments.get("Tags")))


def _inference_component(writer: _Writer, arguments: Mapping[str, Any]) -> None:
    writer.required("inference_component_name", arguments.get("InferenceComponentName"))
    writer.required("endpoint_name", arguments.get("EndpointName"))
    specification = arguments.get("Specification")
    specification = specification if isinstance(specification, Mapping) else {}
    writer.lift("model_name", specification.get("ModelName"))
    if "VariantName" not in arguments:
        writer.required_node("variant_name", Atom("None"))  # the default writes AllTraffic
    else:
        writer.lift("variant_name", arguments["VariantName"])
    requirements = specification.get("ComputeResourceRequirements")
    members = {
        "NumberOfCpuCoresRequired": "number_of_cpu_cores_required",
        "NumberOfAcceleratorDevicesRequired": "number_of_accelerator_devices_required",
        "MinMemoryRequiredInMb": "min_memory_required_in_mb",
        "MaxMemoryRequiredInMb": "max_memory_required_in_mb",
    }
    if (
        isinstance(requirements, Mapping)
        and set(requirements) <= set(members)
        and "MinMemoryRequiredInMb" in requirements
    ):
        values = _in_field_order(
            "ComputeResourceRequirements",
            {members[key]: value for key, value in requirements.items()},
        )
        writer.lift(
            "compute_resource_requirements",
            requirements,
            code=lambda: writer.call("ComputeResourceRequirements", **values),
        )
    runtime = arguments.get("RuntimeConfig")
    if isinstance(runtime, Mapping) and set(runtime) == {"CopyCount"}:
        writer.lift("copy_count", runtime["CopyCount"])
    writer.lift("tags", _tags(arguments.get("Tags")))


# --- lineage steps ------------------------------------------------------------------------

# Per entity type: the request members its class writes from a keyword of the same value
# (Source, MetadataProperties and Tags are written apart).
_LINEAGE_KEYWORDS = {
    "Action": {
        "ActionName": "action_name",
        "ActionType": "action_type",
        "Description": "description",
        "Status": "status",
        "Properties": "properties",
    },
    "Artifact": {
        "ArtifactName": "artifact_name",
        "ArtifactType": "artifact_type",
        "Properties": "properties",
    },
    "Context": {
        "ContextName": "context_name",
        "ContextType": "context_type",
        "Description": "description",
        "Properties": "properties",
    },
}
_LINEAGE_SOURCES = {
    "Action": {"SourceUri": "source_uri", "SourceType": "source_type", "SourceId": "source_id"},
    "Artifact": {"SourceUri": "source_uri"},
    "Context": {"SourceUri": "source_uri", "SourceType": "source_type", "SourceId": "source_id"},
}
_METADATA_KEYWORDS = {
    "CommitId": "commit_id",
    "Repository": "repository",
    "GeneratedBy": "generated_by",
    "ProjectId": "project_id",
}


def _lineage(writer: _Writer, arguments: Any) -> None:
    """A Lineage step's keywords: its entities and associations, as their classes."""
    if not isinstance(arguments, Mapping) or not set(arguments) <= set(LINEAGE_MEMBERS):
        raise _UnconvertibleError("a Lineage step's Arguments of these members")
    for entity_type, kind in LINEAGE_KINDS.items():
        entities = arguments.get(kind.member)
        if entities is None:
            continue
        if not isinstance(entities, list) or not entities:
            raise _UnconvertibleError(f"{kind.member} that are no list of {kind.noun}s")
        writer.required_node(
            kind.argument,
            List([_lineage_entity(writer, entity_type, entity) for entity in entities]),
        )
    associations = arguments.get("Associations")
    if associations is None:
        return
    if not isinstance(associations, list) or not associations:
        raise _UnconvertibleError("Associations that are no list of associations")
    writer.required_node(
        "associations", List([_lineage_association(writer, item) for item in associations])
    )


def _lineage_entity(writer: _Writer, entity_type: str, entity: Any) -> Node:
    """``LineageAction(…)`` (``LineageArtifact``, ``LineageContext``) of one request."""
    noun = LINEAGE_KINDS[entity_type].noun
    keywords = _LINEAGE_KEYWORDS[entity_type]
    if not isinstance(entity, Mapping) or not set(entity) <= {
        *keywords,
        "Source",
        "MetadataProperties",
        "Tags",
    }:
        raise _UnconvertibleError(f"a lineage {noun} of these members")
    source = entity.get("Source")
    sources = _LINEAGE_SOURCES[entity_type]
    extra = {"SourceTypes"} if entity_type == "Artifact" else set()
    if (
        not isinstance(source, Mapping)
        or "SourceUri" not in source
        or not set(source) <= {*sources, *extra}
    ):
        raise _UnconvertibleError(f"a lineage {noun}'s source of these members")
    values: dict[str, Any] = {
        sources[key]: value for key, value in source.items() if key in sources
    }
    if "SourceTypes" in source:
        types = source["SourceTypes"]
        if not isinstance(types, list) or not all(
            isinstance(item, Mapping)
            and set(item) == {"SourceIdType", "Value"}
            and isinstance(item["SourceIdType"], str)
            for item in types
        ):
            raise _UnconvertibleError("an artifact's source types of these members")
        by_type = {item["SourceIdType"]: item["Value"] for item in types}
        if len(by_type) != len(types) or not by_type:
            raise _UnconvertibleError("an artifact's source types naming one id type twice")
        values["source_types"] = by_type
    values.update({keyword: entity[key] for key, keyword in keywords.items() if key in entity})
    metadata = entity.get("MetadataProperties")
    if metadata is not None:
        if (
            not isinstance(metadata, Mapping)
            or not metadata
            or not set(metadata) <= set(_METADATA_KEYWORDS)
        ):
            raise _UnconvertibleError(f"a lineage {noun}'s metadata properties of these members")
        values["metadata_properties"] = writer.call(
            "MetadataProperties",
            **{_METADATA_KEYWORDS[key]: item for key, item in metadata.items()},
        )
    if "Tags" in entity:
        tags = _tags(entity["Tags"])
        if tags is None:
            raise _UnconvertibleError(f"a lineage {noun}'s tags other than distinct literal keys")
        values["tags"] = tags
    class_name = f"Lineage{entity_type}"
    return writer.call(class_name, **_in_field_order(class_name, values))


def _lineage_association(writer: _Writer, association: Any) -> Node:
    """``LineageAssociation(…)`` of one association, its ends ``LineageEntityReference``s."""
    if (
        not isinstance(association, Mapping)
        or not set(association) <= set(ASSOCIATION_MEMBERS)
        or not {"Source", "Destination"} <= set(association)
    ):
        raise _UnconvertibleError("an association of these members")
    values: dict[str, Any] = {}
    for end in ("Source", "Destination"):
        reference = association[end]
        if isinstance(reference, Mapping) and set(reference) == {"Arn"}:
            node = writer.call("LineageEntityReference", arn=reference["Arn"])
        elif isinstance(reference, Mapping) and set(reference) == {"Name", "Type"}:
            node = writer.call(
                "LineageEntityReference", name=reference["Name"], type=reference["Type"]
            )
        else:
            raise _UnconvertibleError("an association's end other than an Arn, or a Name and Type")
        values[end.lower()] = node
    if "AssociationType" in association:
        values["association_type"] = association["AssociationType"]
    return writer.call("LineageAssociation", **values)


_JOB_WRITERS: dict[str, Callable[[_Writer, Mapping[str, Any]], None]] = {
    "Processing": _processing,
    "Training": _training,
    "Tuning": _tuning,
    "Transform": _transform,
    "Model": _model,
    "RegisterModel": _register_model,
    "AutoML": _automl,
    "QualityCheck": _quality_check,
    "ClarifyCheck": _clarify_check,
    "EndpointConfig": _endpoint_config,
    "Endpoint": _endpoint,
    "InferenceComponent": _inference_component,
}


# --- conditions, retry policies, caching ------------------------------------------------

_COMPARISONS = {
    "Equals": "ConditionEquals",
    "GreaterThan": "ConditionGreaterThan",
    "GreaterThanOrEqualTo": "ConditionGreaterThanOrEqualTo",
    "LessThan": "ConditionLessThan",
    "LessThanOrEqualTo": "ConditionLessThanOrEqualTo",
}


def condition(value: Any, writer: _Writer) -> Node:
    """Code for one entry of a Condition step's ``Conditions``."""
    kind = _get(value, "Type")
    if kind in _COMPARISONS and set(value) == {"Type", "LeftValue", "RightValue"}:
        return writer.call(_COMPARISONS[kind], left=value["LeftValue"], right=value["RightValue"])
    if kind == "In" and set(value) == {"Type", "QueryValue", "Values"}:
        return writer.call("ConditionIn", value=value["QueryValue"], in_values=value["Values"])
    if kind == "Not" and set(value) == {"Type", "Condition"}:
        return writer.call("ConditionNot", expression=condition(value["Condition"], writer))
    if (
        kind == "Or"
        and set(value) == {"Type", "Conditions"}
        and isinstance(value["Conditions"], list)
    ):
        items = [condition(item, writer) for item in value["Conditions"]]
        return writer.call("ConditionOr", conditions=List(items))
    raise _UnconvertibleError(f"a condition of type {kind!r} with members {sorted(value)}")


def _retry_policy(value: Any, writer: _Writer) -> Node:
    if not isinstance(value, Mapping) or not isinstance(value.get("ExceptionType"), list):
        raise _UnconvertibleError("a retry policy without ExceptionType")
    types = value["ExceptionType"]
    if all(str(item).startswith("Step.") for item in types):
        policy, enum = "StepRetryPolicy", "StepExceptionType"
    elif all(str(item).startswith("SageMaker.") for item in types):
        policy, enum = "SageMakerJobStepRetryPolicy", "SageMakerJobExceptionType"
    else:
        raise _UnconvertibleError(f"retry policy exception types {types}")
    if not set(value) <= {
        "ExceptionType",
        "IntervalSeconds",
        "BackoffRate",
        "MaxAttempts",
        "ExpireAfterMin",
    }:
        raise _UnconvertibleError(f"retry policy members {sorted(value)}")
    from .. import definition as language

    members = {member.value: member.name for member in getattr(language, enum)}
    if not all(item in members for item in types):
        raise _UnconvertibleError(f"retry policy exception types {types}")
    names = [Atom(f"{writer.scope.use(enum)}.{members[item]}") for item in types]
    items: list[Node] = [Keyword("exception_types", List(names))]
    for key, name, default in (
        ("IntervalSeconds", "interval_seconds", 1),
        ("BackoffRate", "backoff_rate", 2.0),
        ("MaxAttempts", "max_attempts", None),
        ("ExpireAfterMin", "expire_after_mins", None),
    ):
        if key in value and not same(value[key], default):
            items.append(Keyword(name, writer.expr(value[key])))
    return Call(writer.scope.use(policy), items)


def _cache_config(value: Any, writer: _Writer) -> Node:
    if not isinstance(value, Mapping) or not set(value) <= {"Enabled", "ExpireAfter"}:
        raise _UnconvertibleError("cache configuration members")
    items: dict[str, Any] = {}
    if "ExpireAfter" in value:
        items["expire_after"] = value["ExpireAfter"]
    if value.get("Enabled") is not True:
        items["enabled"] = value.get("Enabled")
    return writer.call("CacheConfig", **items)


def _outputs(value: Any, writer: _Writer) -> Node:
    items = []
    for item in value if isinstance(value, list) else [None]:
        if not isinstance(item, Mapping) or not set(item) <= {"OutputName", "OutputType"}:
            raise _UnconvertibleError("output parameters")
        kind = item.get("OutputType", "String")
        values: dict[str, Any] = {"output_name": item.get("OutputName")}
        if kind != "String":
            # The member by its value, never the input's text: it becomes code.
            members = {member.value: member.name for member in OutputType}
            if kind not in members:
                raise _UnconvertibleError(f"output type {kind!r}")
            values["output_type"] = Atom(f"{writer.scope.use('OutputType')}.{members[kind]}")
        items.append(writer.call("StepOutput", **values))
    return List(items)


# --- the module -------------------------------------------------------------------------


def _flatten(
    steps: Any, parent: str | None = None
) -> Iterator[tuple[Mapping[str, Any], str | None]]:
    for entry in steps if isinstance(steps, list) else []:
        yield entry, parent
        if entry.get("Type") == "Condition":
            arguments = entry.get("Arguments") or {}
            yield from _flatten(arguments.get("IfSteps"), entry["Name"])
            yield from _flatten(arguments.get("ElseSteps"), entry["Name"])


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        target = value.get("Get")
        if len(value) == 1 and isinstance(target, str) and target.startswith("Steps."):
            yield target
        for inner in value.values():
            yield from _references(inner)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


class _Converter:
    def __init__(
        self,
        definition: Mapping[str, Any],
        width: int = LINE_LENGTH,
        *,
        without_roles: bool = False,
        without_sdk_defaults: bool = False,
    ) -> None:
        self.original = definition
        self.without_roles = without_roles
        # The top-level members cut (the experiment config); the steps' are on their plans.
        self.cut: list[Cut] = []
        self.scope = _Scope()
        if without_sdk_defaults:
            stripped = strip_sdk_defaults(definition)
            definition = stripped.definition
            self.cut = [(step, path) for step, path in stripped.paths if step is None]
            self.step_cuts = [(step, path) for step, path in stripped.paths if step is not None]
            self.scope.default_bucket = stripped.bucket
        else:
            self.step_cuts = []
        self.definition = definition
        self.width = width
        self.names = _Names(_RESERVED)
        self.problems: list[ConversionProblem] = []
        self.entries = list(_flatten(definition.get("Steps")))
        self.plans: dict[str, _Plan] = {}
        # The steps whose statements come before the one being written (see module()).
        self.written: set[str] = set()

    def problem(self, step: str | None, where: str | None, message: str) -> None:
        # Two findings of one field (a Model step's missing role: no role to bind, and a
        # member the step always writes) are one problem, said in one line.
        for index, known in enumerate(self.problems):
            if (known.step, known.field) == (step, where):
                if message not in known.message:
                    merged = f"{known.message}; {message}"
                    self.problems[index] = ConversionProblem(step, where, merged)
                return
        self.problems.append(ConversionProblem(step, where, message))

    # The order steps are written in: each after what it reads, waits for or branches to.
    def order(self) -> list[str]:
        names = [entry["Name"] for entry, _ in self.entries]
        needs: dict[str, set[str]] = {name: set() for name in names}
        for entry, _ in self.entries:
            found = needs[entry["Name"]]
            for reference in _references(entry.get("Arguments")):
                rest = reference[len("Steps.") :]
                for name in names:
                    if rest.startswith(name + ".") or rest.startswith(name + "["):
                        found.add(name)
            found.update(n for n in entry.get("DependsOn") or [] if n in needs)
            if entry.get("Type") == "Condition":
                arguments = entry.get("Arguments") or {}
                for key in ("IfSteps", "ElseSteps"):
                    found.update(item["Name"] for item in arguments.get(key) or [])
            found.discard(entry["Name"])
        ordered: list[str] = []
        done: set[str] = set()

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in done or name in trail:
                return
            for other in names:  # in the input's order
                if other in needs[name]:
                    visit(other, (*trail, name))
            done.add(name)
            ordered.append(name)

        for name in names:
            visit(name, ())
        return ordered

    def prepare(self) -> None:
        definition = self.definition
        for key in definition:
            if key not in {
                "Version",
                "Metadata",
                "Parameters",
                "PipelineExperimentConfig",
                "Steps",
            }:
                self.problem(None, key, "the language writes no such member")
        if definition.get("Version", DEFINITION_VERSION) != DEFINITION_VERSION:
            self.problem(None, "Version", f"the language writes {DEFINITION_VERSION!r} only")
        if definition.get("Metadata") not in (None, {}):
            self.problem(None, "Metadata", "the language writes an empty Metadata object only")
        for entry in definition.get("Parameters") or []:
            self.scope.parameters[entry["Name"]] = self.names.new(entry["Name"], "parameter")
        originals = {entry["Name"]: entry for entry, _ in _flatten(self.original.get("Steps"))}
        for entry, _ in self.entries:
            name, kind = entry["Name"], entry.get("Type")
            if kind not in _STEP_CLASSES:
                self.problem(name, "Type", f"{kind}: {_LACKING}")
                continue
            self.scope.steps[name] = variable = self.names.new(_variable_base(name, kind), "step")
            self.scope.step_types[name] = kind
            self.plans[name] = plan = _Plan(entry, variable, _STEP_CLASSES[kind])
            plan.cut = tuple(path for step, path in self.step_cuts if step == name)
            if plan.cut:
                plan.original = originals.get(name)
            for index, item in enumerate(entry.get("PropertyFiles") or []):
                file_name = _get(item, "PropertyFileName")
                if isinstance(file_name, str):
                    self.scope.property_files[(name, file_name)] = self.names.new(
                        file_name, "property_file"
                    )
                else:
                    self.problem(name, f"PropertyFiles[{index}]", "a property file without a name")
        if self.without_roles:
            self.bind_roles()

    def bind_roles(self) -> None:
        """Pick the roles the binder gives (``without_roles``): the ones most jobs name.

        The jobs' role (ties: the first named) and the AutoML steps' are left out of the
        steps that name them, and kept as module constants for the binder that proves the
        module; a step naming another role keeps its ``role=``.
        """
        jobs: Counter[str] = Counter()
        automl: Counter[str] = Counter()
        for entry, _ in self.entries:
            kind, arguments = entry.get("Type"), entry.get("Arguments")
            if not isinstance(arguments, Mapping):
                continue
            if kind == "Tuning":
                found = [_get(arguments, "TrainingJobDefinition", "RoleArn")]
                others = arguments.get("TrainingJobDefinitions")
                if isinstance(others, list):
                    found += [_get(item, "RoleArn") for item in others]
            elif kind in ("Model", "EndpointConfig"):
                found = [arguments.get("ExecutionRoleArn")]
            elif kind in _ROLE_STEP_TYPES:
                found = [arguments.get("RoleArn")]
            else:
                continue
            counter = automl if kind == "AutoML" else jobs
            counter.update(role for role in found if isinstance(role, str))
        for counter in (jobs, automl):
            if counter:
                role = counter.most_common(1)[0][0]
                if counter is jobs:
                    self.scope.bound_role = role
                else:
                    self.scope.bound_automl_role = role

    def parameter(self, entry: Mapping[str, Any]) -> str:
        kind = entry.get("Type", "String")
        classes = {
            "String": "ParameterString",
            "Integer": "ParameterInteger",
            "Float": "ParameterFloat",
            "Boolean": "ParameterBoolean",
        }
        items: list[Node] = [Keyword("name", literal(entry["Name"]))]
        if "DefaultValue" in entry:
            default = entry["DefaultValue"]
            if kind == "Float" and isinstance(default, int) and not isinstance(default, bool):
                default = float(default)
            items.append(Keyword("default_value", literal(default)))
        if "EnumValues" in entry:
            items.append(Keyword("enum_values", expression(entry["EnumValues"], self.scope)))
        call = Call(self.scope.use(classes.get(kind, "ParameterString")), items)
        return statement(self.scope.parameters[entry["Name"]], call, self.width)

    def step_source(self, plan: _Plan) -> str:
        if plan.raw:
            return self.raw_source(plan)
        entry = plan.entry
        kind = entry["Type"]
        name = entry["Name"]
        writer = _Writer(plan, self.scope)
        arguments = entry.get("Arguments")
        plan.before = []
        plan.lifted = set()
        try:
            self._step_keywords(writer, plan, kind, arguments)
        except _UnconvertibleError as error:
            raise _StepProblemError(name, None, f"the language can't write {error}") from None
        for key in ("DisplayName", "Description"):
            if key in entry:
                snake = "display_name" if key == "DisplayName" else "description"
                writer.keywords.append(Keyword(snake, writer.expr(entry[key])))
        depends = entry.get("DependsOn")
        if depends:
            # A step written later (the condition step whose branch holds this one) by name.
            writer.keywords.append(
                Keyword(
                    "depends_on",
                    List(
                        [
                            Atom(self.scope.steps[n]) if n in self.written else literal(n)
                            for n in depends
                        ]
                    ),
                )
            )
        for key, snake, render in (
            ("RetryPolicies", "retry_policies", None),
            ("CacheConfig", "cache_config", _cache_config),
        ):
            if key not in entry:
                continue
            try:
                if render is None:
                    policies = entry[key] if isinstance(entry[key], list) else [None]
                    node: Node = List([_retry_policy(item, writer) for item in policies])
                else:
                    node = render(entry[key], writer)
            except _UnconvertibleError as error:
                raise _StepProblemError(name, key, f"the language can't write {error}") from None
            writer.keywords.append(Keyword(snake, node))
        if plan.extra:
            try:
                writer.keywords.append(Keyword("extra_arguments", writer.expr(plan.extra)))
            except _UnconvertibleError as error:
                raise _StepProblemError(
                    name, "Arguments", f"the language can't write {error}"
                ) from None
        call = Call(self.scope.use(plan.class_name), writer.keywords)
        return "\n".join([*plan.before, statement(plan.variable, call, self.width)])

    def _step_keywords(self, writer: _Writer, plan: _Plan, kind: str, arguments: Any) -> None:
        entry = plan.entry
        name = entry["Name"]
        for key in entry:
            if key not in _ENTRY_FIELDS | _OTHER_FIELDS[kind]:
                raise _StepProblemError(name, key, f"a {kind} step of the language writes no {key}")
        if kind in _JOB_WRITERS:
            if not isinstance(arguments, Mapping):
                raise _StepProblemError(name, "Arguments", "not an object")
            _JOB_WRITERS[kind](writer, arguments)
            if kind == "Processing" and entry.get("PropertyFiles"):
                writer.keywords.append(Keyword("property_files", self._property_files(writer)))
            return
        if kind == "Condition":
            conditions = _get(arguments, "Conditions")
            if not isinstance(conditions, list):
                raise _StepProblemError(name, "Arguments.Conditions", "not a list")
            writer.keywords.append(
                Keyword("conditions", List([condition(item, writer) for item in conditions]))
            )
            for key, snake in (("IfSteps", "if_steps"), ("ElseSteps", "else_steps")):
                branch = [Atom(self.scope.steps[item["Name"]]) for item in arguments.get(key) or []]
                if branch:
                    writer.keywords.append(Keyword(snake, List(branch)))
        elif kind == "Fail":
            message = _get(arguments, "ErrorMessage")
            if message not in (None, ""):
                writer.keywords.append(Keyword("error_message", writer.expr(message)))
        elif kind in ("Lambda", "Callback"):
            target = "FunctionArn" if kind == "Lambda" else "SqsQueueUrl"
            writer.required(
                "function_arn" if kind == "Lambda" else "sqs_queue_url", entry.get(target)
            )
            if arguments:
                writer.keywords.append(Keyword("inputs", writer.expr(arguments)))
            if entry.get("OutputParameters"):
                writer.keywords.append(
                    Keyword("outputs", _outputs(entry["OutputParameters"], writer))
                )
        elif kind == "EMR":
            self._emr(writer, name, arguments)
        elif kind == "Lineage":
            _lineage(writer, arguments)

    def _property_files(self, writer: _Writer) -> Node:
        """The step's ``PropertyFile`` objects, built ahead of it (``JsonGet``s name them)."""
        plan = writer.plan
        files: list[Node] = []
        for item in plan.entry["PropertyFiles"]:
            variable = self.scope.property_files[(plan.entry["Name"], item["PropertyFileName"])]
            call = writer.call(
                "PropertyFile",
                name=item.get("PropertyFileName"),
                output_name=item.get("OutputName"),
                path=item.get("FilePath"),
            )
            plan.before.append(statement(variable, call, self.width))
            files.append(Atom(variable))
        return List(files)

    # -- steps no class writes: RawStep ----------------------------------------------

    def try_raw(self, plan: _Plan, why: Sequence[str]) -> bool:
        """Write ``plan``'s step as a ``RawStep`` from now on, if that gives its entry again.

        Not a Condition step (its branches hold steps), nor an entry the binder would
        change (a job without a role the binder can't give), nor one whose values have no
        code. ``why``: what its class can't write, said in a comment above it. True when
        the plan is raw now.
        """
        if plan.raw or plan.entry.get("Type") == "Condition":
            return False
        if plan.original is not None:
            # A RawStep is written as the definition has it: no binder fills in its
            # outputs, so the SDK's defaults stay (if it can't be raw, the step fails).
            plan.entry, plan.original, plan.cut = plan.original, None, ()
        try:
            step = RawStep.from_json(self.raw_entry(plan))
            ctx = RenderContext(self.scope.binder())
            rendered = step.to_request(ctx)
        except PipelineDefinitionError:
            return False
        # A member kept as given (null, or of the wrong JSON type) has no keyword to write.
        if step._given or ctx.problems or first_difference(rendered, plan.entry, "") is not None:
            return False
        plan.raw, plan.why_raw = True, tuple(why)
        self.scope.raw_steps.add(plan.entry["Name"])
        try:
            self.raw_source(plan)
        except _StepProblemError:
            plan.raw = False
            self.scope.raw_steps.discard(plan.entry["Name"])
            return False
        return True

    def raw_entry(self, plan: _Plan) -> dict[str, Any]:
        """The entry a ``RawStep`` is written with: without the roles the binder gives."""
        entry = dict(plan.entry)
        arguments = entry.get("Arguments")
        if not self.without_roles or not isinstance(arguments, Mapping):
            return entry
        bound = self.scope.bound_automl_role if entry["Type"] == "AutoML" else self.scope.bound_role
        entry["Arguments"] = arguments = json.loads(json.dumps(arguments))  # a copy to cut
        for where, role in RawStep.from_json(entry).role_fields().items():
            if role is not None and role == bound:
                parts = _ROLE_PATH.findall(where.removeprefix("Arguments"))
                *parents, member = [name or index for name, index in parts]
                target: Any = arguments
                for part in parents:
                    target = target[int(part) if part.isdigit() else part]
                del target[member]
        return entry

    def raw_source(self, plan: _Plan) -> str:
        """``RawStep(name=…, type=…, arguments=…, …)``: the entry, references as code."""
        entry = self.raw_entry(plan)
        name = entry["Name"]
        writer = _Writer(plan, self.scope)
        plan.before = []
        writer.required_node("type", literal(entry["Type"]))
        try:
            writer.required("arguments", entry["Arguments"])
            for member, keyword_name in _RAW_KEYWORDS.items():
                value = entry.get(member)
                if value is None:
                    continue
                if member == "DependsOn":
                    node: Node = List(
                        [
                            Atom(self.scope.steps[n]) if n in self.written else literal(n)
                            for n in value
                        ]
                    )
                elif member == "PropertyFiles":
                    node = self._property_files(writer)
                else:
                    node = writer.expr(value)
                writer.keywords.append(Keyword(keyword_name, node))
            extra = {key: value for key, value in entry.items() if key not in _RAW_MEMBERS}
            if extra:
                writer.keywords.append(Keyword("extra_fields", writer.expr(extra)))
        except _UnconvertibleError as error:
            raise _StepProblemError(name, None, f"the language can't write {error}") from None
        call = Call(self.scope.use("RawStep"), writer.keywords)
        comment = textwrap.wrap(
            f"{plan.variable} is its entry, as no step class writes it: {'; '.join(plan.why_raw)}.",
            width=self.width - 2,
            break_long_words=False,
            break_on_hyphens=False,
        )
        return "\n".join(
            [
                *plan.before,
                *(f"# {line}" for line in comment),
                statement(plan.variable, call, self.width),
            ]
        )

    def _emr(self, writer: _Writer, name: str, arguments: Any) -> None:
        jar_step = _get(arguments, "StepConfig", "HadoopJarStep") or {}
        writer.required("jar", jar_step.get("Jar"))
        for key, snake in (("Args", "args"), ("MainClass", "main_class")):
            if key in jar_step:
                writer.keywords.append(Keyword(snake, writer.expr(jar_step[key])))
        properties = jar_step.get("Properties")
        if isinstance(properties, list) and all(
            isinstance(item, Mapping) and set(item) == {"Key", "Value"} for item in properties
        ):
            properties = {item["Key"]: item["Value"] for item in properties}
        if properties is not None:
            writer.keywords.append(Keyword("properties_", writer.expr(properties)))
        for key, snake in (
            ("ClusterId", "cluster_id"),
            ("ClusterConfig", "cluster_config"),
            ("ExecutionRoleArn", "execution_role_arn"),
        ):
            if isinstance(arguments, Mapping) and key in arguments:
                writer.keywords.append(Keyword(snake, writer.expr(arguments[key])))

    def module(self) -> tuple[list[tuple[str | None, str]], str]:
        """The module's statements (with the step each builds) and its closing statement."""
        chunks: list[tuple[str | None, str]] = []
        self.scope.constants = {}
        for role, kind in (
            (self.scope.bound_role, "ROLE"),
            (self.scope.bound_automl_role, "AUTOML_ROLE"),
        ):
            if role is not None:  # first, so they are ROLE and AUTOML_ROLE
                self.scope.constant(role, kind)
        for entry in self.definition.get("Parameters") or []:
            chunks.append((None, self.parameter(entry)))
        self.written = set()
        for name in self.order():
            plan = self.plans.get(name)
            if plan is not None:
                try:
                    source = self.step_source(plan)
                except _StepProblemError as error:
                    if not self.try_raw(plan, [_reason(error.problem)]):
                        raise
                    source = self.step_source(plan)
                chunks.append((name, source))
                self.written.add(name)
        items: list[Node] = []
        parameters = [
            Atom(self.scope.parameters[e["Name"]]) for e in self.definition.get("Parameters") or []
        ]
        if parameters:
            items.append(Keyword("parameters", List(parameters)))
        top = [entry["Name"] for entry, parent in self.entries if parent is None]
        items.append(Keyword("steps", List([Atom(self.scope.steps[n]) for n in top])))
        experiment = self.definition.get("PipelineExperimentConfig")
        if experiment is not None:
            if not isinstance(experiment, Mapping) or set(experiment) != {
                "ExperimentName",
                "TrialName",
            }:
                self.problem(
                    None,
                    "PipelineExperimentConfig",
                    "the language writes ExperimentName and TrialName only",
                )
            else:
                config = Call(
                    self.scope.use("PipelineExperimentConfig"),
                    [
                        Keyword(
                            "experiment_name", expression(experiment["ExperimentName"], self.scope)
                        ),
                        Keyword("trial_name", expression(experiment["TrialName"], self.scope)),
                    ],
                )
                items.append(Keyword("experiment_config", config))
        closing = statement(
            "definition", Call(self.scope.use("PipelineDefinition"), items), self.width
        )
        return chunks, closing


# A RawStep's keywords for the entry's members (Name, Type and Arguments are written first);
# the other members go to extra_fields.
_RAW_KEYWORDS = {
    member: keyword
    for member, keyword in RawStep.argument_fields.items()
    if member not in ("Type", "Arguments")
}
_RAW_MEMBERS = frozenset({"Name", "Type", "Arguments", *_RAW_KEYWORDS})
# The parts of a role's field path after ``Arguments``: ``.Member`` and ``[index]``.
_ROLE_PATH = re.compile(r"\.(\w+)|\[(\d+)\]")

# The step types whose job role is ``Arguments.RoleArn`` (Tuning and Model: see bind_roles).
_ROLE_STEP_TYPES = frozenset({"Processing", "Training", "AutoML", "QualityCheck", "ClarifyCheck"})


def _reason(problem: ConversionProblem) -> str:
    """A problem of one step, as the comment above its RawStep says it."""
    return f"{problem.field}: {problem.message}" if problem.field else problem.message


class _StepProblemError(Exception):
    def __init__(self, step: str | None, where: str | None, message: str) -> None:
        super().__init__(message)
        self.problem = ConversionProblem(step, where, message)


# --- the check, and the module's text ----------------------------------------------------

_HEADER = '''"""{title}

Written by `smpipe convert` from the pipeline's definition JSON. Compiled with
StaticBinder() it gives that definition again; the CDK Pipeline construct adds its
defaults (KMS keys, network, job tags) where the definition has none:

    print(definition.to_json(StaticBinder(), indent=2))
"""'''
# ``--without-roles``: the binder gives the jobs their role.
_HEADER_WITHOUT_ROLES = '''"""{title}

{paragraph}

    binder = StaticBinder({arguments})
    print(definition.to_json(binder, indent=2))
"""'''
_ROLES_GIVEN = (
    "its jobs name no role, so the binder gives them one ({constants}, {which}; in the CDK "
    "Pipeline construct {runs_as}, which {get} the permissions derived from the steps)"
)
_CONSTRUCT_DEFAULTS = (
    "the CDK Pipeline construct adds its defaults (KMS keys, network, job tags) where the "
    "definition has none:"
)
_WITHOUT_ROLES = (
    "Written by `smpipe convert --without-roles` from the pipeline's definition JSON: "
    "{roles}. Compiled with this binder it gives that definition again; "
    f"{_CONSTRUCT_DEFAULTS}"
)
# ``--without-sdk-defaults``: the list is SDK_DEFAULT_KINDS, as docs/language.md has it.
_WITHOUT_SDK_DEFAULTS = (
    "Written by `smpipe convert {options}` from the pipeline's definition JSON, without "
    "the SageMaker SDK's defaults: {roles}outputs the SDK would place in its default layout "
    "go to the binder's bucket (in the CDK Pipeline construct, its artifact store), and "
    "the SDK's default debugger and profiler configurations, SkipModelValidation and "
    "experiment config are left out. Compiled with this binder it gives that definition "
    f"without those members; {_CONSTRUCT_DEFAULTS}"
)


def _docstring_text(text: str) -> str:
    """``text`` for a docstring: quotes, backslashes and unprintable characters escaped.

    The title may come from a file name: nothing in it may end the docstring.
    """
    return "".join(_docstring_char(char) for char in text)


def _docstring_char(char: str) -> str:
    if char == '"':
        return '\\"'
    if char == "\\" or not char.isprintable():
        return repr(char)[1:-1]  # a backslash, a newline, a NUL...: as their escapes
    return char


_PACKAGE = "cdk_sagemaker_pipelines.definition"


def _header(title: str, scope: _Scope, *, without_sdk_defaults: bool = False) -> str:
    """The module's docstring: what it is and the binder that gives the definition again."""
    given = [
        (argument, scope.constants[role], construct_role)
        for argument, role, construct_role in (
            ("role_arn", scope.bound_role, "its step role, pipeline.step_role"),
            ("automl_role_arn", scope.bound_automl_role, "its AutoML role, pipeline.automl_role"),
        )
        if role is not None
    ]
    if not given and not without_sdk_defaults:
        return _HEADER.format(title=_docstring_text(title))
    names = [name for _, name, _ in given]
    roles = _ROLES_GIVEN.format(
        constants=" and ".join(dict.fromkeys(names)),
        which="the role the definition named" if len(set(names)) == 1 else "the roles it named",
        runs_as=" and ".join(runs_as for _, _, runs_as in given),
        get="gets" if len(given) == 1 else "get",
    )
    arguments = [f"{argument}={name}" for argument, name, _ in given]
    if without_sdk_defaults:
        if scope.default_bucket is not None:
            arguments.append(f'default_bucket="{scope.default_bucket}"')
        paragraph = _WITHOUT_SDK_DEFAULTS.format(
            options=" ".join(
                ["--without-roles"] * bool(given) + ["--without-sdk-defaults"],
            ),
            roles=f"{roles}; " if given else "",
        )
    else:
        paragraph = _WITHOUT_ROLES.format(roles=roles)
    return _HEADER_WITHOUT_ROLES.format(
        title=_docstring_text(title),
        paragraph=textwrap.fill(paragraph, LINE_LENGTH, break_on_hyphens=False),
        arguments=", ".join(arguments),
    )


def _imports(names: set[str], width: int) -> str:
    ordered = sorted(names, key=lambda name: (not name.isupper(), name))
    line = f"from {_PACKAGE} import {', '.join(ordered)}"
    if len(line) <= width:
        return line
    items = "".join(f"    {name},\n" for name in ordered)
    return f"from {_PACKAGE} import (\n{items})"


def _namespace(names: set[str]) -> dict[str, Any]:
    from .. import definition as language

    return {name: getattr(language, name) for name in names}


def _comparable(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition with what carries no meaning normalized: step order, empty members."""
    result = dict(definition)
    if result.get("Metadata") is None:
        result["Metadata"] = {}
    if result.get("PipelineExperimentConfig", 0) is None:
        del result["PipelineExperimentConfig"]
    result.setdefault("Parameters", [])
    steps = result.get("Steps") or []
    result["Steps"] = {entry.get("Name"): _comparable_step(entry) for entry in steps}
    return result


def _comparable_step(entry: Any) -> Any:
    """A step without the null check settings the SDK writes, in branches too."""
    if not isinstance(entry, Mapping):
        return entry
    entry = dict(_without_null_settings(entry))
    arguments = entry.get("Arguments")
    if entry.get("Type") == "Condition" and isinstance(arguments, Mapping):
        arguments = dict(arguments)
        for key in ("IfSteps", "ElseSteps"):
            if isinstance(arguments.get(key), list):
                arguments[key] = [_comparable_step(item) for item in arguments[key]]
        entry["Arguments"] = arguments
    return entry


def definition_difference(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> str | None:
    """Where two definitions differ in meaning, ``None`` if they don't.

    The order of the top-level steps doesn't count (steps run as their dependencies
    allow; compiling orders them so each follows what it reads), nor a ``Metadata`` or
    ``PipelineExperimentConfig`` of ``null`` against none, nor a check step's unset
    setting (``"ModelPackageGroupName": null``, ``"SuppliedBaseline…": null``) against
    none, nor a retry policy's absent ``IntervalSeconds`` or ``BackoffRate`` against its
    default (1 and 2.0), nor a Model or RegisterModel container's absent ``Environment``
    against ``{}``, nor an EndpointConfig or Endpoint request's empty ``Tags`` against
    none, nor ``2`` against ``2.0``.
    """
    return first_difference(_comparable(ours), _comparable(theirs), "")


def convert_definition(
    definition: Any,
    *,
    title: str | None = None,
    line_length: int = LINE_LENGTH,
    without_roles: bool = False,
    without_sdk_defaults: bool = False,
) -> str:
    """The Python module, in the definition language, that compiles to ``definition``.

    Laid out as ``ruff format`` lays it out at ``line_length`` (ruff's default, 88, unless
    your project sets another). With ``without_roles``, the steps that name the role most
    jobs name (and AutoML steps the role most of them name) are written without
    ``role=``, so the binder gives it: the CDK ``Pipeline``'s step role (and AutoML
    role). The roles left out are kept as the module constants ``ROLE`` (and
    ``AUTOML_ROLE``), and the module is proved with ``StaticBinder(role_arn=ROLE, …)``.
    With ``without_sdk_defaults``, what the SageMaker SDK writes by default and a team
    wouldn't (``SDK_DEFAULT_KINDS``: its output destinations, debugger and profiler
    configurations, experiment config…) is left out: the module is proved with a binder
    that has a default bucket, against the definition without exactly those members.

    Raises ``ConversionError`` when the definition isn't valid (the problems of
    ``validate_definition``) or holds what the language can't write.

    Example::

        source = convert_definition(json.loads(Path("pipeline.json").read_text()))
    """
    if not isinstance(definition, Mapping):
        raise ConversionError([ConversionProblem(None, None, "a definition is a JSON object")])
    invalid = validate_definition(definition)
    if invalid:
        raise ConversionError(
            [ConversionProblem(p.step, p.field, p.message) for p in invalid],
            subject="definition: it is not valid",
        )
    if (
        isinstance(line_length, bool)
        or not isinstance(line_length, int)
        or line_length < MIN_LINE_LENGTH
    ):
        raise ValueError(
            f"line_length is a whole number from {MIN_LINE_LENGTH}, got {line_length!r}"
        )
    converter = _Converter(
        definition,
        line_length,
        without_roles=without_roles,
        without_sdk_defaults=without_sdk_defaults,
    )
    converter.prepare()
    if converter.problems:
        raise ConversionError(converter.problems)
    for _ in range(_MAX_ROUNDS):
        try:
            chunks, closing = converter.module()
        except _StepProblemError as error:
            raise ConversionError([error.problem]) from None
        if converter.problems:
            raise ConversionError(converter.problems)
        namespace = _namespace(converter.scope.imports)
        namespace.update({name: value for value, name in converter.scope.constants.items()})
        if not _run(converter, chunks, namespace):
            continue  # a step's keywords failed: written again with the minimum
        changed = False
        for plan in converter.plans.values():
            changed |= _check_step(converter, plan, namespace[plan.variable])
        if converter.problems:
            raise ConversionError(converter.problems)
        if not changed:
            break
    else:  # pragma: no cover - each round drops a keyword or settles
        raise ConversionError([ConversionProblem(None, None, "the conversion did not settle")])
    cut = converter.cut + [
        (plan.entry["Name"], path) for plan in converter.plans.values() for path in plan.cut
    ]
    header = _header(
        title or "A SageMaker pipeline, in the definition language.",
        converter.scope,
        without_sdk_defaults=bool(cut),  # else the module is the one without the option
    )
    constants = "".join(
        f"{statement(name, literal(value), line_length)}\n"
        for value, name in converter.scope.constants.items()
    )
    body = "\n\n".join(chunk for _, chunk in chunks)
    parts = [
        header,
        _imports(converter.scope.imports, line_length),
        constants.rstrip(),
        body,
        closing,
    ]
    source = "\n\n".join(part for part in parts if part) + "\n"
    _check_module(source, definition, converter.scope.binder(), cut)
    return source


def _run(
    converter: _Converter, chunks: list[tuple[str | None, str]], namespace: dict[str, Any]
) -> bool:
    """Run the statements; False when a step's keywords were refused and must be fewer.

    A keyword the error names is left out; otherwise the step keeps its required ones.
    """
    for step, chunk in chunks:
        try:
            exec(compile(chunk, "<smpipe convert>", "exec"), namespace)
        except NameError as error:
            # Only a step written after this one is undefined: the condition step whose
            # branch holds it (a branch step is built before its ConditionStep).
            later = {variable: name for name, variable in converter.scope.steps.items()}
            read = later.get(error.name or "", error.name)
            raise ConversionError(
                [
                    ConversionProblem(
                        step,
                        None,
                        f"it reads the properties of step '{read}', "
                        "which is built after it: a ConditionStep is built from its branch "
                        "steps, so none of them can read it",
                    )
                ]
            ) from None
        except (PipelineDefinitionError, TypeError, ValueError, AttributeError) as error:
            plan = converter.plans.get(step) if step is not None else None
            if plan is not None and not plan.minimal:
                named = [
                    name
                    for name in plan.lifted - plan.dropped
                    if re.search(rf"\b{name}\b", str(error))
                ]
                if named:
                    plan.dropped.update(named)
                else:
                    plan.minimal = True
                return False
            if plan is not None and converter.try_raw(plan, [f"the class refuses it: {error}"]):
                return False  # written again as its entry
            raise ConversionError(
                [ConversionProblem(step, None, f"the language refuses the step: {error}")]
            ) from None
    return True


def _check_step(converter: _Converter, plan: _Plan, step: Any) -> bool:
    """Compare the step's rendering with its entry; True when the plan changed.

    What the step's class can't write makes it a ``RawStep`` (``try_raw``) where that
    gives the entry again; else each is a problem.
    """
    ctx = RenderContext(converter.scope.binder())
    # What the binder gives for the SDK defaults cut from the entry doesn't count.
    rendered = entry_without(step.to_request(ctx), plan.cut)
    if plan.raw:
        return _check_raw(converter, plan, rendered, ctx)
    entry = _without_null_settings(plan.entry)
    kind = entry["Type"]
    changed = False
    # (field, message) of what the class can't write, when the plan can change no more.
    found: list[tuple[str | None, str]] = []
    for problem in ctx.problems:  # a value the binder would have to give
        argument = step.argument_for(problem.field) if problem.field else None
        if argument in plan.lifted and argument not in plan.dropped:
            plan.dropped.add(argument)
            changed = True
        elif not plan.minimal:
            plan.minimal = True
            changed = True
        else:
            found.append((problem.field, problem.message))
    if changed:
        _report(converter, plan, found)
        return True
    if kind in _JOB_TYPES:
        extra, surplus, replaced = _patch(
            rendered.get("Arguments") or {}, entry["Arguments"], "Arguments"
        )
        for member in replaced:  # a keyword written otherwise: its members go to extra
            argument = _member_argument(step, member)
            if argument in plan.lifted and argument not in plan.dropped:
                plan.dropped.add(argument)
                changed = True
                if argument in _REWRITTEN:  # its members stay where the keyword found them
                    extra = _without_member(extra, member)
        for member in surplus:
            argument = _member_argument(step, member)
            if argument in plan.lifted and argument not in plan.dropped:
                plan.dropped.add(argument)
                changed = True
            elif not changed:
                found.append(
                    (
                        member,
                        f"{type(step).__name__} always writes this member"
                        + (f" (from {argument}=)" if argument else "")
                        + ", and the definition has none",
                    )
                )
        if extra:
            plan.extra = deep_merge(plan.extra, extra)
            changed = True
        rendered = {k: v for k, v in rendered.items() if k != "Arguments"}
        entry = {k: v for k, v in entry.items() if k != "Arguments"}
    elif kind == "Condition":
        rendered, entry = _branch_names(rendered), _branch_names(entry)
    where = first_difference(rendered, entry, "")
    if where is not None and not changed:
        found.append((where, f"{type(step).__name__} can't write it as the definition has it"))
    return _report(converter, plan, found) or changed


def _report(converter: _Converter, plan: _Plan, found: list[tuple[str | None, str]]) -> bool:
    """What the step's class can't write: the step as its entry (True), else its problems."""
    if not found:
        return False
    if converter.try_raw(plan, [f"{where}: {message}" for where, message in found]):
        return True  # written again as its entry, which the next round checks
    for field_path, message in found:
        converter.problem(plan.entry["Name"], field_path, message)
    return False


def _check_raw(
    converter: _Converter, plan: _Plan, rendered: Mapping[str, Any], ctx: RenderContext
) -> bool:
    """A ``RawStep``'s rendering against its entry: any difference is a problem."""
    name = plan.entry["Name"]
    for problem in ctx.problems:
        converter.problem(name, problem.field, problem.message)
    where = first_difference(rendered, plan.entry, "")
    if where is not None and not ctx.problems:
        converter.problem(name, where, "RawStep can't write it as the definition has it")
    return False


# Keywords read from members another keyword writes otherwise: ``distribution`` from
# hyperparameters, which stay in ``hyperparameters=`` when it is dropped (not extra_arguments).
_REWRITTEN = frozenset({"distribution"})


def _member_argument(step: Any, member: str) -> str | None:
    """The keyword that wrote ``member``, spelt as ``_patch`` does (``Arguments.A.key``).

    A map's key may have a keyword of its own (``HyperParameters['sagemaker_mpi_enabled']``
    is ``distribution``'s), declared in the ``['key']`` spelling.
    """
    dotted: str | None = step.argument_for(member)
    head, _, key = member.rpartition(".")
    if not head:
        return dotted
    keyed: str | None = step.argument_for(f"{head}['{key}']")
    return keyed if keyed is not None and keyed != step.argument_for(head) else dotted


def _without_member(extra: Mapping[str, Any], member: str) -> dict[str, Any]:
    """``extra`` without ``member`` (``Arguments.A.B``), nor the objects it leaves empty."""
    parts = member.split(".")[1:]
    result = dict(extra)
    if not parts or parts[0] not in result:
        return result
    if len(parts) == 1:
        del result[parts[0]]
    elif isinstance(result[parts[0]], Mapping):
        inner = _without_member(result[parts[0]], ".".join(["", *parts[1:]]))
        if inner:
            result[parts[0]] = inner
        else:
            del result[parts[0]]
    return result


def _branch_names(entry: Mapping[str, Any]) -> dict[str, Any]:
    arguments = dict(entry.get("Arguments") or {})
    for key in ("IfSteps", "ElseSteps"):
        if isinstance(arguments.get(key), list):
            arguments[key] = [_get(item, "Name") for item in arguments[key]]
    return {**entry, "Arguments": arguments}


def _check_module(
    source: str, definition: Mapping[str, Any], binder: StaticBinder, cut: list[Cut]
) -> None:
    """Run the whole module and compile it with ``binder``: it must give the definition again.

    But for the SDK defaults ``cut`` (``without_sdk_defaults``): the members at those paths
    are left out of both sides, so any other difference fails the conversion.
    """
    namespace: dict[str, Any] = {"__name__": "smpipe_convert"}
    exec(compile(source, "<smpipe convert>", "exec"), namespace)
    try:
        compiled = namespace["definition"].to_definition(binder)
    except PipelineDefinitionError as error:
        raise ConversionError(
            [ConversionProblem(None, None, f"the written code doesn't compile: {error}")]
        ) from None
    where = definition_difference(without_paths(compiled, cut), without_paths(definition, cut))
    if where is not None:
        step: str | None = None
        names = sorted((entry.get("Name", "") for entry in definition.get("Steps") or []), key=len)
        for name in reversed(names):
            if where.startswith(f"Steps.{name}."):
                step, where = name, where[len(f"Steps.{name}.") :]
                break
        raise ConversionError(
            [ConversionProblem(step, where, "the written code compiles to another value here")]
        )
