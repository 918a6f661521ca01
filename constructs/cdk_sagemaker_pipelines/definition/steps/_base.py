"""The step base classes: common fields, rendering and binding helpers."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import (
    HintedAttributeError,
    PipelineValidationError,
    Problem,
    PropertyPathError,
)
from .._render import JsonValue, RenderContext, compact, deep_merge, render
from .._tokens import is_token
from .._typecheck import checked, register
from ..bindables import (
    UNBOUND,
    BindingError,
    BoundCode,
    Code,
    Image,
    S3Location,
    StaticBinder,
    check_asset_access,
    local_file_conflict,
)
from ..expressions import Expression
from ..instances import has_instance_store
from ..jobs import JOB_TAG_STEP_TYPES, JobDefaults, NetworkConfig, check_tags, merge_tags
from ..parameters import Parameter
from ..properties import Properties, PropertyNode, root_node
from ..retry import CacheConfig, SageMakerJobStepRetryPolicy, StepRetryPolicy

ImageLike = Image | str | Expression
"""An ``Image``, or an image URI (string or expression)."""
S3Like = str | Expression | S3Location
"""An S3 URI (string or expression) or an ``S3Location``."""


_SDK_STEP_METHODS = {
    "add_depends_on": "steps are immutable: give depends_on=[…] when building the step (or "
    "dataclasses.replace(step, depends_on=[…]))",
    "get_top_model_s3_uri": "top_model_s3_uri(top_k), from the tuning job's own output path "
    "(no s3_bucket= or prefix=)",
}


@cache
def _root(step_type: str) -> PropertyNode | None:
    return root_node(step_type)


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class Step:
    """Base class of all steps.

    ``name`` is unique in the pipeline (≤ 64 of ``A-Za-z0-9-_``). ``depends_on`` adds
    explicit ordering; data dependencies come from references and need no listing.
    Steps compare by identity.

    Example::

        TrainingStep(name="Train", image=Image.sklearn(), code=code, depends_on=[prep],
                     display_name="Train", description="Fit the model")
    """

    name: str
    display_name: str | None = None
    description: str | None = None
    depends_on: Sequence[Step | str] = ()
    step_type: ClassVar[str] = ""
    # Which keyword argument produces which part of the entry: field-path prefixes, in the
    # spelling of ``Problem.field``, to dataclass fields. Each class declares its own;
    # ``argument_for`` merges them along the class hierarchy (the longest prefix wins).
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Name": "name",
        "DependsOn": "depends_on",
        "DisplayName": "display_name",
        "Description": "description",
    }

    if not TYPE_CHECKING:  # for run time only: mypy would accept any attribute

        def __getattr__(self, name: str) -> Any:
            # The SDK's step methods, typed from habit: say what does it here.
            hint = _SDK_STEP_METHODS.get(name)
            if hint is None or (name == "get_top_model_s3_uri" and self.step_type != "Tuning"):
                # Python's own error, or the one a property raised (a Fail step's properties).
                return object.__getattribute__(self, name)
            raise HintedAttributeError(
                f"{type(self).__name__} '{getattr(self, 'name', '?')}' has no {name}() "
                f"(the SageMaker SDK's step.{name}(); here: {hint})"
            )

    @property
    def properties(self) -> Properties:
        """The step's run-time properties, typed by its Describe* response shape.

        Each step class types them for checkers and IDEs with its class of the generated
        ``property_types.pyi`` (``TrainingStep`` → ``TrainingStepProperties``); a step known
        only as a ``Step`` has plain ``Properties``, with no members for a checker.
        """
        node = self._property_root()
        if node is None:
            # A PropertyPathError is an AttributeError too, so hasattr() and getattr(…, None)
            # work on any step.
            raise PropertyPathError(
                f"{self.step_type} step '{self.name}' has no properties to reference"
            )
        return Properties(self, node)

    def _property_root(self) -> PropertyNode | None:
        return _root(self.step_type)

    def declared_keys(self, path: str) -> Sequence[str] | None:
        """The keys the step declares for the list or map property at ``path``, if known.

        ``None`` means any key may exist (checked only against the response shape).
        """
        return None

    def argument_for(self, field: str) -> str | None:
        """The keyword argument that produced ``field`` of the step's entry, if one did.

        ``field`` is spelled as in ``Problem.field``; ``None`` for a field no argument
        produces (``Type``).

        Example::

            TrainingStep(name="Train", image=image).argument_for(
                "Arguments.ResourceConfig.InstanceType")  # "instance_type"
        """
        return longest_prefix_argument(self._argument_fields(), field)

    def _argument_fields(self) -> Mapping[str, str]:
        """``argument_fields`` of the class and its bases; steps add instance-specific ones."""
        return class_argument_fields(type(self))

    def to_request(self, ctx: RenderContext | None = None) -> dict[str, JsonValue]:
        """Render the step's entry of the definition's ``Steps`` list.

        Without ``ctx`` the step renders with a default ``StaticBinder`` and raises
        ``PipelineValidationError`` for anything that binder can't bind (no role, local
        code, ...) rather than leave placeholders in the entry. With ``ctx`` such
        problems are recorded in ``ctx.problems``, as when a pipeline compiles.
        """
        if ctx is None:
            own = RenderContext()
            entry = self._render_in(own)
            if own.problems:
                problems = with_arguments(own.problems, [self, *own.branch_order])
                raise PipelineValidationError(problems, subject=f"step '{self.name}'")
            return entry
        return self._render_in(ctx)

    def _render_in(self, ctx: RenderContext) -> dict[str, JsonValue]:
        """Render the entry, values that can't be rendered reported as problems of this step."""
        ctx.enter_step(self.name)
        entry: dict[str, JsonValue] = {}
        try:
            entry = self._render_entry(ctx)
        finally:
            ctx.leave_step(entry)
        return entry

    def _render_entry(self, ctx: RenderContext) -> dict[str, JsonValue]:
        entry: dict[str, JsonValue] = {
            "Name": self.name,
            "Type": self.step_type,
            "Arguments": self._arguments(ctx),
        }
        # The same step listed as an object and by name is one dependency.
        depends = list(dict.fromkeys(self._dependency_name(item, ctx) for item in self.depends_on))
        entry.update(
            compact(
                DependsOn=depends or None,
                DisplayName=self.display_name,
                Description=self.description,
            )
        )
        entry.update(self._extra_fields(ctx))
        return entry

    @staticmethod
    def _dependency_name(item: Step | str, ctx: RenderContext) -> str:
        if isinstance(item, str):
            return item
        ctx.note_step(item)
        return item.name

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        raise NotImplementedError

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


register(Step)


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class RetryableStep(Step):
    """A step that takes retry policies.

    Example::

        RegisterModel(..., retry_policies=[StepRetryPolicy(
            exception_types=[StepExceptionType.SERVICE_FAULT], max_attempts=3)])
    """

    retry_policies: Sequence[StepRetryPolicy | SageMakerJobStepRetryPolicy] = ()
    argument_fields: ClassVar[Mapping[str, str]] = {"RetryPolicies": "retry_policies"}

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        policies = [policy.to_request(ctx) for policy in self.retry_policies]
        return compact(RetryPolicies=policies or None)


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class JobStep(RetryableStep):
    """A step that starts a SageMaker job, with caching, tags and the raw-request escape hatch.

    ``tags`` (key → value) tag the job, in its Create* request's ``Tags`` as the SageMaker
    SDK writes the ``tags`` of a processor, estimator, tuner, transformer or AutoML job; a
    value may be a pipeline parameter. The binder's job tags (the CDK ``Pipeline``'s
    ``job_tags``) are added for the keys the step doesn't set; together at most 50.
    Default: no tags of the step's own.

    ``extra_arguments`` are merged into the rendered ``Arguments`` (objects merge,
    other values replace) and validated against the API request shape like the rest:
    ``extra_arguments={"Tags": [...]}`` replaces the list ``tags`` writes, as a whole.

    Example::

        TrainingStep(name="Train", image=Image.sklearn(), code=code,
                     cache_config=CacheConfig(expire_after="P7D"),
                     tags={"team": "fraud", "run": run_parameter},
                     extra_arguments={"EnableManagedSpotTraining": False})
    """

    cache_config: CacheConfig | None = None
    extra_arguments: Mapping[str, Any] | None = None
    tags: Mapping[str, Any] | None = None
    argument_fields: ClassVar[Mapping[str, str]] = {
        "CacheConfig": "cache_config",
        "Arguments.Tags": "tags",
    }

    def _validate(self) -> None:
        """The checks every job step shares; a subclass's ``_validate`` calls it first."""
        check_tags(f"{type(self).__name__} '{self.name}'", self.tags)

    def argument_for(self, field: str) -> str | None:
        """The keyword argument that produced ``field``; ``extra_arguments`` for its members."""
        return argument_with_extra(self, self.extra_arguments, field)

    def _render_entry(self, ctx: RenderContext) -> dict[str, JsonValue]:
        """Render the entry, merging ``extra_arguments`` into ``Arguments``, then job tags."""
        entry = merge_extra_arguments(Step._render_entry(self, ctx), self.extra_arguments, ctx)
        return add_job_tags(entry, ctx, self)

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        fields: dict[str, JsonValue] = {}
        if self.cache_config is not None:
            fields["CacheConfig"] = self.cache_config.to_request(ctx)
        fields.update(RetryableStep._extra_fields(self, ctx))
        return fields


register(RetryableStep)
register(JobStep)


# Problems name the keyword argument behind their field. Nothing here runs unless a
# problem was found: compiling a valid pipeline never looks a field up.


_CLASS_ARGUMENT_FIELDS: dict[type[Step], Mapping[str, str]] = {}


def class_argument_fields(kind: type[Step]) -> Mapping[str, str]:
    """The ``argument_fields`` of ``kind`` and its bases merged, the subclass's winning."""
    merged = _CLASS_ARGUMENT_FIELDS.get(kind)
    if merged is None:
        merged = {}
        for base in reversed(kind.__mro__):
            merged.update(vars(base).get("argument_fields", {}))
        _CLASS_ARGUMENT_FIELDS[kind] = merged
    return merged


# Where a field path may be cut into a shorter prefix: before ``.Member``, ``[0]`` or
# ``['key']``, and `` (key)`` (the key of a map item, rather than its value).
_PREFIX_END = re.compile(r"[.\[]| \(")


def longest_prefix_argument(fields: Mapping[str, str], field: str) -> str | None:
    """The argument of the longest prefix of ``field`` in ``fields``, cut at a segment end."""
    argument = fields.get(field)
    if argument is not None:
        return argument
    for end in reversed([match.start() for match in _PREFIX_END.finditer(field)]):
        argument = fields.get(field[:end])
        if argument is not None:
            return argument
    return None


_ARGUMENT_SEGMENT = re.compile(
    r"\.(?P<member>[^.\[ ]+)|\[(?P<index>\d+)\]|\['(?P<key>[^']*)'\]|\[\"(?P<quoted>[^\"]*)\"\]"
    r"|(?P<map_key> \(key\))"
)
_MISSING = object()


def argument_with_extra(step: Step, extra: Mapping[str, Any] | None, field: str) -> str | None:
    """``extra_arguments`` if ``field`` lies in what ``extra`` sets, else the declared argument.

    ``extra`` deep-merges into ``Arguments``: objects merge, anything else is replaced, so
    a field whose path ``extra`` holds, or one inside a value it replaces, comes from it.
    """
    declared = Step.argument_for(step, field)
    if not extra or not field.startswith("Arguments") or field == "Arguments":
        return declared
    value: Any = extra
    position = len("Arguments")
    while position < len(field):
        if not isinstance(value, Mapping):
            return "extra_arguments"  # the whole value, this field inside it, is extra's
        segment = _ARGUMENT_SEGMENT.match(field, position)
        if segment is None or segment["index"] is not None:
            return declared
        if segment["map_key"] is not None:
            return "extra_arguments"  # a key of a map item extra sets
        key = segment["member"] or segment["key"] or segment["quoted"] or ""
        value = next((item for name, item in value.items() if str(name) == key), _MISSING)
        if value is _MISSING:
            return declared
        position = segment.end()
    return "extra_arguments"


def with_arguments(problems: Iterable[Problem], steps: Iterable[Step]) -> list[Problem]:
    """``problems`` with each problem of one of ``steps`` naming the argument of its field.

    A name shared by several steps (a problem in itself) gets an argument only if those
    of them that have one for the field agree on it.
    """
    by_name: dict[str, list[Step]] = {}
    for step in steps:
        named = by_name.setdefault(step.name, [])
        if not any(other is step for other in named):
            named.append(step)
    result: list[Problem] = []
    for problem in problems:
        owners = by_name.get(problem.step) if problem.step is not None else None
        if owners and problem.field and problem.argument is None:
            arguments = {step.argument_for(problem.field) for step in owners} - {None}
            argument = arguments.pop() if len(arguments) == 1 else None
            if argument is not None:
                problem = replace(problem, argument=argument)
        result.append(problem)
    return result


# Binding helpers shared by the step modules: failures become problems of step and field.


def bind_image(ctx: RenderContext, step: Step, image: ImageLike, field: str) -> JsonValue:
    """Render an image for ``field`` through the binder."""
    if not isinstance(image, Image):
        return render(image, ctx)
    bound = image
    return ctx.bind(step.name, field, lambda: ctx.binder.bind_image(bound, step_name=step.name))


def bind_s3(ctx: RenderContext, step: Step, location: S3Like, field: str, access: str) -> JsonValue:
    """Render an S3 location for ``field`` (``access`` is ``read`` or ``write``)."""
    if not isinstance(location, S3Location):
        return render(location, ctx)
    bound = location
    mode: Any = access

    def bind() -> JsonValue:
        check_asset_access(bound, mode)
        return ctx.binder.bind_s3(bound, step_name=step.name, access=mode)

    uri = ctx.bind(step.name, field, bind)
    if location.path is not None:
        _note_local_file(ctx, step, field, uri, location.path)
    return uri


def bind_code(
    ctx: RenderContext, step: Step, code: Code, field: str, *, archive: bool
) -> BoundCode:
    """Place ``code`` through the binder; on failure the result holds the placeholder."""
    try:
        bound = ctx.binder.bind_code(code, step_name=step.name, archive=archive)
    except BindingError as error:
        ctx.problems.append(Problem(step.name, field, error.message, error.hint))
        return BoundCode(UNBOUND, code.script_name)
    # The URI may be an expression (``Code.from_s3(parameter, …)``): render it here.
    uri = render(bound.uri, ctx)
    if code.path is not None:
        _note_local_file(ctx, step, field, uri, code.path)
    return BoundCode(uri, bound.file_name)


def _note_local_file(ctx: RenderContext, step: Step, field: str, uri: JsonValue, path: str) -> None:
    """Record where the binder placed a local file; a different file there is a problem."""
    if not isinstance(uri, str) or uri == UNBOUND:
        return
    placed, placed_step, placed_field = ctx.local_files.setdefault(uri, (path, step.name, field))
    where = f"step '{placed_step}' field '{placed_field}'"
    error = local_file_conflict(uri, path, placed, where)
    if error is not None:
        ctx.problems.append(Problem(step.name, field, error.message, error.hint))


def bind_role(
    ctx: RenderContext, step: Step, role: str | Expression | None, field: str
) -> JsonValue:
    """Render the job role, asking the binder when the step names none.

    The binder is told the step's type (an AutoML step's role may be another), unless it
    was written before ``step_type`` was added to the protocol.
    """
    if role is not None:
        return render(role, ctx)
    return ctx.bind(
        step.name,
        field,
        lambda: ctx.binder.default_role_arn(
            step_name=step.name,
            **(
                {"step_type": step.step_type}
                if _takes(type(ctx.binder), "default_role_arn", "step_type")
                else {}
            ),
        ),
    )


@cache
def _takes(binder_type: type[Any], method: str, keyword: str) -> bool:
    """Whether a binder's ``method`` takes ``keyword`` (binders written before it don't).

    ``retained`` of ``default_output_uri``, ``step_type`` of ``default_role_arn``.
    """
    try:
        parameters = inspect.signature(getattr(binder_type, method)).parameters
    except (TypeError, ValueError, AttributeError):  # not introspectable: the current protocol
        return True
    return keyword in parameters or any(
        parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters.values()
    )


def default_output(
    ctx: RenderContext, step: Step, output_name: str, field: str, *, retained: bool = False
) -> JsonValue:
    """Where an output without destination goes, from the binder.

    ``retained`` outputs must outlive the execution: models, and whatever a registered
    model version refers to.
    """
    return ctx.bind(
        step.name,
        field,
        lambda: ctx.binder.default_output_uri(
            step_name=step.name,
            output_name=output_name,
            **(
                {"retained": retained}
                if _takes(type(ctx.binder), "default_output_uri", "retained")
                else {}
            ),
        ),
        # StaticBinder builds a new Join object each time: no need to copy it.
        rendered=type(ctx.binder) is StaticBinder,
    )


def job_defaults(ctx: RenderContext, step: Step) -> JobDefaults:
    """The binder's KMS, network and tag defaults for ``step``, asked once per step."""
    defaults: JobDefaults | None = ctx.job_defaults.get(step.name)
    if defaults is None:
        defaults = ctx.job_defaults[step.name] = ctx.binder.job_defaults(step_name=step.name)
    return defaults


def add_job_tags(
    entry: dict[str, JsonValue], ctx: RenderContext, step: Step
) -> dict[str, JsonValue]:
    """The entry with the binder's default job tags in its ``Arguments.Tags``.

    For steps of the types in ``JOB_TAG_STEP_TYPES`` (a Create*Job request, a model, an
    endpoint, its configuration, an inference component): any other step's entry is
    returned as it is. The step's own tags (``tags=``, or from ``extra_arguments``) come
    first and win on a shared key; without default tags the entry is returned untouched,
    byte for byte.
    """
    tags = job_defaults(ctx, step).tags
    arguments = entry.get("Arguments")
    if tags and isinstance(arguments, dict) and step.step_type in JOB_TAG_STEP_TYPES:
        arguments["Tags"] = merge_tags(arguments.get("Tags"), tags)
    return entry


def merge_extra_arguments(
    entry: dict[str, JsonValue], extra: Mapping[str, Any] | None, ctx: RenderContext
) -> dict[str, JsonValue]:
    """Deep-merge a step's ``extra_arguments`` (rendered) into the entry's ``Arguments``."""
    if extra:
        entry["Arguments"] = deep_merge(entry["Arguments"], render(extra, ctx))
    return entry


def pick(value: Any, default: Any, ctx: RenderContext) -> JsonValue:
    """Render ``value``, or ``default`` (already rendered) when ``value`` is None."""
    return render(value, ctx) if value is not None else default


def volume_key(
    value: Any, default: JsonValue, instance_types: Iterable[Any], ctx: RenderContext
) -> JsonValue:
    """A job's volume key: ``value`` rendered, else the binder's ``default``.

    The binder's key is left out when one of ``instance_types`` keeps its ML storage on its
    NVMe instance store (``ml.p4d``, ``ml.g5``, …): the APIs' ``VolumeKmsKeyId`` says "You
    can't request a VolumeKmsKeyId when using an instance type with local storage" (the
    hardware encrypts it), and the SageMaker SDK drops its configured default key for them
    too. That holds for a literal type and for a parameter whose default is one, so a run
    on the defaults never fails at Create*Job (SMP-JobVolumeEncryption reports the
    parameter: a run overriding it with an EBS type has no key of yours). It holds for one
    NVMe group of a heterogeneous cluster too: the key is one for the whole
    ``ResourceConfig``, so none is given (the check reports the EBS groups). A parameter
    without a default, or a step property, keeps the key: nothing shows it would fail.

    Example::

        volume_key(None, key_arn, ["ml.p4d.24xlarge"], ctx)  # None
        gpu = ParameterString(name="GpuType", default_value="ml.g5.xlarge")
        volume_key(None, key_arn, [gpu], ctx)  # None
        volume_key(None, key_arn, ["ml.m5.xlarge"], ctx)  # key_arn
    """
    if value is not None:
        return render(value, ctx)
    for instance_type in instance_types:
        if isinstance(instance_type, Parameter):
            # What a run on the defaults uses: the one run nobody can forget to start.
            instance_type = instance_type.default
        if (
            isinstance(instance_type, str)
            and not is_token(instance_type)
            and has_instance_store(instance_type)
        ):
            return None
    return default


def effective_network(
    step_network: NetworkConfig | None, defaults: JobDefaults
) -> NetworkConfig | None:
    """The step's network settings, else the binder's."""
    return step_network if step_network is not None else defaults.network


__all__ = [
    "ImageLike",
    "JobStep",
    "RetryableStep",
    "S3Like",
    "Step",
    "add_job_tags",
    "argument_with_extra",
    "bind_code",
    "bind_image",
    "bind_role",
    "bind_s3",
    "checked",
    "class_argument_fields",
    "default_output",
    "effective_network",
    "job_defaults",
    "longest_prefix_argument",
    "merge_extra_arguments",
    "pick",
    "volume_key",
    "with_arguments",
]
