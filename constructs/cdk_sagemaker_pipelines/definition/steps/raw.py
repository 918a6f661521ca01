"""``RawStep``: a whole step given as its definition entry, the escape hatch for steps.

The typed step classes write what they know; ``extra_arguments`` adds raw request members
to a job step. A step no class writes (the SageMaker SDK's ``NotebookJobStep`` and
``@step`` functions, a combination of fields a class refuses) is written as its entry
instead, as aws-cdk-lib's ``CfnResource`` stands beside its typed constructs. It compiles
and is validated as the same entry of a definition JSON (a step type the validator doesn't
know fails, as there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import PipelineDefinitionError, PropertyPathError
from .._render import _MEMBER_NAME, JsonValue, RenderContext, render, render_string
from .._shape_check import CompiledShape, compiled_shape
from .._suggest import did_you_mean, one_of
from .._typecheck import checked, field_fits
from ..bindables import Access, Code, Image, S3Location
from ..expressions import Expression, PropertyFile
from ..permissions import _S3_FIELDS, CHECK_STEP_TYPES
from ..properties import Properties, PropertyNode, root_node
from ..retry import CacheConfig, SageMakerJobStepRetryPolicy, StepRetryPolicy
from ..validate import JOB_REQUEST_SHAPES, STEP_TYPES
from ._base import Step, _root, add_job_tags, bind_code, bind_image, bind_role, bind_s3
from ._outputs import StepOutput

# The role a job of each type runs as, which the binder gives when the entry names none,
# as it gives the typed steps': ``Arguments.<member>``. A Tuning step's is in each training
# job definition (see ``RawStep.role_fields``). An EndpointConfig step's is left as
# written: it takes one only for inference components, not for the models it serves.
_ROLE_MEMBERS: dict[str, str] = {
    "Processing": "RoleArn",
    "Training": "RoleArn",
    "AutoML": "RoleArn",
    "QualityCheck": "RoleArn",
    "ClarifyCheck": "RoleArn",
    "Model": "ExecutionRoleArn",
}
# Entry members that have keywords of their own: ``extra_fields`` holds the others.
_KEYWORDS: dict[str, str] = {
    "Name": "name",
    "Type": "type",
    "Arguments": "arguments",
    "DependsOn": "depends_on",
    "DisplayName": "display_name",
    "Description": "description",
    "CacheConfig": "cache_config",
    "RetryPolicies": "retry_policies",
    "PropertyFiles": "property_files",
}
# The keyword members rendering leaves out when empty, as a typed step's; an entry that
# has one keeps it (``RawStep._as_given``).
_LIST_MEMBERS = ("DependsOn", "RetryPolicies", "PropertyFiles")
# What ``from_json`` gives a required keyword whose member it keeps as given (see
# ``RawStep._given``): the step must be constructed, the member is written as it was.
_STAND_INS: dict[str, Any] = {"type": "", "arguments": {}}
# The last member of a field path (a map key, ``_render_value`` writes it ``['…']``) that
# names a job's or model's code for the SageMaker toolkits, which unpack it: a training
# job's hyperparameter, a model's environment variable.
_SUBMIT_DIRECTORY = re.compile(r"\['(?:sagemaker_submit_directory|SAGEMAKER_SUBMIT_DIRECTORY)'\]$")
# A list index in a field path, for matching the planner's ``[*]`` paths.
_INDEX = re.compile(r"\[\d+\]")


if TYPE_CHECKING:

    class RawStepProperties(Properties):
        """A ``RawStep``'s properties, for checkers: any member or index, of the same kind.

        Their shape is known from the step's ``type`` only when the code runs, where each
        member is checked; to a checker each is a ``Properties`` (an ``Expression``).
        """

        def __getattr__(self, name: str) -> RawStepProperties: ...
        def __getitem__(self, key: int | str) -> RawStepProperties: ...


class _EntryType:
    """``step_type`` of a ``RawStep``: its ``type`` on a step, ``""`` on the class.

    The class has no type of its own (as ``Step``): code that lists the step classes by
    their ``step_type`` skips it.
    """

    def __get__(self, instance: RawStep | None, owner: type[Any]) -> str:
        return "" if instance is None else instance.type


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class RawStep(Step):
    """A step written as its definition entry: ``Type``, ``Arguments`` and the other members.

    For what no step class writes: the SageMaker SDK's ``NotebookJobStep`` or ``@step``
    function steps, a field combination a class refuses. Each
    keyword is the entry member of the same name (``type`` → ``Type``, ``arguments`` →
    ``Arguments``, ``extra_fields`` the members without a keyword: ``FunctionArn``,
    ``OutputParameters``, ``CheckType``, …). Values anywhere may be the language's
    expressions (parameters, ``ExecutionVariables``, ``Join``, ``JsonGet``, other steps'
    ``properties``), which make data dependencies as in any step, or the definition's own
    ``{"Get": "Steps.Prep.…"}``, checked as a definition JSON's are; or bindables
    (``Code``, ``Image``, ``S3Location``), bound as in typed steps. An expression of a
    non-string type where the request shape of ``type`` wants a string is wrapped in
    ``Std:Join``, as typed steps write it (a ``JsonGet``, of a type known only at run time,
    is written as given). The compiled entry is what is given, expressions rendered, and goes
    through the checks of a definition JSON's step (the request shape of ``Arguments``,
    retry and cache rules, property files, references); ``properties`` are typed by
    ``type`` as a typed step's of that type.

    Two things are added, as the typed steps get them: a job that names no role
    (``RoleArn``; a Model's ``ExecutionRoleArn``; each of a Tuning step's training job
    definitions) runs as the binder's (the CDK ``Pipeline``'s step role), and the binder's
    job tags join the step's own. Everything else, KMS keys and network settings included,
    is as written. Default: no cache, no retry policies, no property files.

    Example::

        report = RawStep.from_json(sdk_definition["Steps"][0])  # the SDK's NotebookJobStep
        archive = RawStep(
            name="Archive",
            type="Processing",
            arguments={
                "ProcessingResources": {"ClusterConfig": {
                    "InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30}},
                "AppSpecification": {
                    "ImageUri": Image.from_asset("containers/archive"),
                    "ContainerArguments": ["--job", report.properties.TrainingJobName]},
            },
            retry_policies=[StepRetryPolicy(exception_types=[StepExceptionType.THROTTLING],
                                            max_attempts=3)],
        )
    """

    type: str
    arguments: Mapping[str, Any]
    cache_config: CacheConfig | Mapping[str, Any] | None = None
    retry_policies: Sequence[StepRetryPolicy | SageMakerJobStepRetryPolicy | Mapping[str, Any]] = ()
    property_files: Sequence[PropertyFile | Mapping[str, Any]] = ()
    extra_fields: Mapping[str, Any] | None = None
    # The members of the entry ``from_json`` was given, in its order: the step is written
    # so again. Empty for a step built by keywords (or by ``dataclasses.replace``), written
    # in the keywords' order.
    _entry_members: tuple[str, ...] = field(default=(), init=False, repr=False)
    # The keyword members ``from_json`` keeps as given, each written as it is: a null one,
    # or one of the wrong JSON type (``"DependsOn": "Prep"``, a list ``Arguments``). The
    # JSON path reports them with the other problems at validation, so a RawStep does too
    # rather than raise at construction or drop them. The keyword holds its default (or a
    # stand-in, ``_STAND_INS``).
    _given: Mapping[str, Any] | None = field(default=None, init=False, repr=False)
    argument_fields: ClassVar[Mapping[str, str]] = {
        member: keyword for member, keyword in _KEYWORDS.items() if member != "Name"
    }

    if TYPE_CHECKING:
        # Typed by ``type``, known only at run time (where each member is checked).
        @property
        def properties(self) -> RawStepProperties: ...

    else:
        step_type = _EntryType()

        @property
        def properties(self) -> Properties:
            """The step's run-time properties, typed by ``type`` as a typed step's of that type."""
            if self.type not in STEP_TYPES:
                known = sorted(STEP_TYPES)
                given = (self._given or {}).get("Type", self.type)
                raise PropertyPathError(
                    f"RawStep '{self.name}' has no properties: {given!r} is no step type ("
                    + (did_you_mean(self.type, known) or f"expected one of {one_of(known, 20)}")
                    + ")"
                )
            return Step.properties.fget(self)

    def _validate(self) -> None:
        owner = f"RawStep '{self.name}'"
        if self.type == "Condition":
            raise PipelineDefinitionError(
                f"{owner}: a Condition step's branches hold steps, not entries: write a "
                "ConditionStep, whose if_steps= and else_steps= may be RawSteps"
            )
        for member in self.extra_fields or {}:
            keyword = _KEYWORDS.get(str(member))
            if keyword is not None:
                raise PipelineDefinitionError(
                    f"{owner}: extra_fields holds {member!r}, which is {keyword}= (give it there)"
                )

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> RawStep:
        """A ``RawStep`` of a definition's step entry, as a definition JSON or the SDK has it.

        ``DependsOn`` stays a list of step names; members without a keyword go to
        ``extra_fields``. Compiled, the step's entry is ``entry`` again, its members in its
        order and those given empty kept (with the binder's role where it names none, and
        its job tags); ``dataclasses.replace`` of it writes the keywords' order, and drops
        the members kept as given (below): replace a step built by keywords instead.

        A member of a keyword that is null or of the wrong JSON type (``"DependsOn":
        "Prep"``, a list ``Arguments``, a number ``Type``) is kept as given, not raised
        here: compiling reports it with the step's other problems, in the words the
        definition JSON's check uses (``step 'Notify' field 'DependsOn': expected a list of
        step names``). Only a ``Name`` that is no string raises, as the step is known by it.

        Example::

            RawStep.from_json({"Name": "Notify", "Type": "Lambda", "Arguments": {},
                               "FunctionArn": function_arn})
        """
        if not isinstance(entry, Mapping):
            raise PipelineDefinitionError(
                f"RawStep.from_json: expected a step entry (a mapping), got {type(entry).__name__}"
            )
        name = entry.get("Name")
        missing = [member for member in ("Name", "Type", "Arguments") if member not in entry]
        if missing:
            of = f"step {name!r}: " if isinstance(name, str) else ""
            raise PipelineDefinitionError(
                f"RawStep.from_json: {of}the entry has no {' or '.join(missing)} (a step "
                "entry has Name, Type and Arguments)"
            )
        if not isinstance(name, str):
            # The step is known by its name (references, depends_on, problems): it can't be
            # kept as given. The JSON check's words, and the field.
            raise PipelineDefinitionError(
                f"RawStep.from_json: field 'Name': every step needs a Name string, got "
                f"{type(name).__name__} {name!r:.60}"
            )
        fits = _keyword_fits()
        keywords: dict[str, Any] = {"name": name}
        given: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        members: list[str] = []
        for member, value in entry.items():
            member = str(member)
            keyword = _KEYWORDS.get(member)
            if keyword is None:
                extra[member] = value
            elif keyword == "name":
                pass
            elif value is not None and fits[keyword](value):
                keywords[keyword] = value
            else:
                given[member] = value
                if keyword in _STAND_INS:
                    keywords[keyword] = _STAND_INS[keyword]
            members.append(member)
        step = cls(**keywords, extra_fields=extra or None)
        # Frozen, and no keyword: the order is the entry's, not a choice of the caller's.
        object.__setattr__(step, "_entry_members", tuple(members))
        if given:
            object.__setattr__(step, "_given", given)
        return step

    def role_fields(self) -> dict[str, Any]:
        """The role members of the step's job, each field path to the role written there.

        ``None`` where the entry names none, which the binder fills in. Empty for a step
        that runs no job with a role of the pipeline's (Transform, RegisterModel, …).

        Example::

            RawStep(name="Prep", type="Processing", arguments={...}).role_fields()
            # {"Arguments.RoleArn": None}
        """
        arguments = self.arguments
        member = _ROLE_MEMBERS.get(self.type)
        if member is not None:
            return {f"Arguments.{member}": arguments.get(member)}
        if self.type != "Tuning":
            return {}
        found: dict[str, Any] = {}
        single = arguments.get("TrainingJobDefinition")
        if isinstance(single, Mapping):
            found["Arguments.TrainingJobDefinition.RoleArn"] = single.get("RoleArn")
        several = arguments.get("TrainingJobDefinitions")
        if isinstance(several, Sequence) and not isinstance(several, str):
            for index, item in enumerate(several):
                if isinstance(item, Mapping):
                    found[f"Arguments.TrainingJobDefinitions[{index}].RoleArn"] = item.get(
                        "RoleArn"
                    )
        return found

    def declared_keys(self, path: str) -> Sequence[str] | None:
        """The output names a Processing entry lists, for ``ProcessingOutputConfig.Outputs['…']``.

        ``None`` (any key) when one is not a literal string.
        """
        if self.type != "Processing" or path != "ProcessingOutputConfig.Outputs":
            return None
        config = self.arguments.get("ProcessingOutputConfig")
        outputs = config.get("Outputs") if isinstance(config, Mapping) else None
        if not isinstance(outputs, Sequence) or isinstance(outputs, str):
            return None
        names = [item.get("OutputName") if isinstance(item, Mapping) else None for item in outputs]
        if not all(isinstance(name, str) for name in names):
            return None
        return [str(name) for name in names]

    def _property_root(self) -> PropertyNode | None:
        if self.type in ("Lambda", "Callback"):
            return root_node(self.type, self._declared_outputs())
        return _root(self.type)

    def _declared_outputs(self) -> dict[str, str]:
        """A Lambda or Callback entry's ``OutputParameters``: each name and its type."""
        declared: dict[str, str] = {}
        outputs = (self.extra_fields or {}).get("OutputParameters")
        if not isinstance(outputs, Sequence) or isinstance(outputs, str):
            return declared
        for item in outputs:
            if isinstance(item, StepOutput):
                declared[item.output_name] = item.output_type.value
            elif isinstance(item, Mapping) and isinstance(item.get("OutputName"), str):
                kind = item.get("OutputType", "String")
                # An OutputType member renders as its value: type the property so too.
                declared[item["OutputName"]] = str(kind.value if isinstance(kind, Enum) else kind)
        return declared

    def _argument_fields(self) -> Mapping[str, str]:
        fields = Step._argument_fields(self)
        if not self.extra_fields:
            return fields
        return {**fields, **dict.fromkeys(map(str, self.extra_fields), "extra_fields")}

    def _render_entry(self, ctx: RenderContext) -> dict[str, JsonValue]:
        entry = Step._render_entry(self, ctx)
        if self._entry_members:
            entry = self._as_given(entry, ctx)
        return add_job_tags(entry, ctx, self)

    def _as_given(self, entry: dict[str, JsonValue], ctx: RenderContext) -> dict[str, JsonValue]:
        """``entry`` with the members of the entry ``from_json`` was given, in its order.

        Byte for byte, so a definition JSON's step written as a ``RawStep`` deploys the
        same body (the SDK writes ``RetryPolicies`` before ``CacheConfig``, the keywords'
        order is the other way round); and what rendering tidies (an empty list left out,
        a step depended on twice listed once) is kept, for validation to judge as it
        judges a definition JSON's.
        """
        for member in _LIST_MEMBERS:
            if member in self._entry_members:
                entry.setdefault(member, [])
        if self.depends_on:
            entry["DependsOn"] = [
                item if isinstance(item, str) else item.name for item in self.depends_on
            ]
        for member, value in (self._given or {}).items():
            entry[member] = render(value, ctx)
        given = {member: entry.pop(member) for member in self._entry_members if member in entry}
        return {**given, **entry}

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        # A copy, the roles added to it.
        shape = JOB_REQUEST_SHAPES.get(self.type)
        arguments = self._render_value(
            self.arguments, ctx, "Arguments", compiled_shape(shape[0]) if shape else None
        )
        if isinstance(arguments, dict):
            for field, role in self.role_fields().items():
                if role is None:
                    self._bind_role(arguments, field, ctx)
        return arguments

    def _render_value(
        self, value: Any, ctx: RenderContext, where: str, shape: CompiledShape | None
    ) -> JsonValue:
        """``value`` at field ``where`` of the arguments, whose request shape is ``shape``.

        As ``render``, and as a typed step writes them: a bindable (``Code``, ``Image``,
        ``S3Location``) through the binder (``Code`` at a submit directory as an archive),
        an expression of a non-string type where the shape wants a string in ``Std:Join``
        (``render_string``; one of a type unknown until run time, a ``JsonGet``, as given).
        Literals stay as given, for the shape check to judge (a number in a string field
        is reported, not turned into one).
        """
        kind = type(value)
        if kind is str or kind is int or kind is float or kind is bool or value is None:
            return value
        if isinstance(value, Expression):
            # Only a type known not to be a string is joined: one known at run time only
            # (a JsonGet) passes validation as it is, and is written so (as ``smpipe
            # convert`` writes a definition JSON's, which must compile to it again).
            if shape is not None and shape.kind == "string" and value.value_type is not None:
                return render_string(value, ctx)
            return render(value, ctx)
        if isinstance(value, Image):
            return bind_image(ctx, self, value, where)
        if isinstance(value, Code):
            # The toolkits unpack a submit directory: a script there goes as an archive,
            # as TrainingStep(code=) and ModelStep(code=) write it.
            archive = _SUBMIT_DIRECTORY.search(where) is not None
            return bind_code(ctx, self, value, where, archive=archive).uri
        if isinstance(value, S3Location):
            return bind_s3(ctx, self, value, where, self._s3_access(where))
        if isinstance(value, Mapping) and not callable(getattr(value, "to_request", None)):
            linked = shape.link() if shape is not None else None
            rendered: dict[str, JsonValue] = {}
            for key, item in value.items():
                name = key if type(key) is str else str(key)
                path = f"{where}.{name}" if _MEMBER_NAME.fullmatch(name) else f"{where}[{name!r}]"
                rendered[name] = self._render_value(item, ctx, path, _member_shape(linked, name))
            return rendered
        if isinstance(value, (list, tuple)):
            item_shape = shape.link().item if shape is not None and shape.kind == "list" else None
            return [
                self._render_value(item, ctx, f"{where}[{index}]", item_shape)
                for index, item in enumerate(value)
            ]
        return render(value, ctx)

    def _s3_access(self, where: str) -> Access:
        """Whether the job writes the S3 location at ``where``, as the permission planner reads it.

        An asset (``S3Location.from_asset``) may only be read: the binder refuses a write.
        """
        kind = "Processing" if self.type in CHECK_STEP_TYPES else self.type
        path = _INDEX.sub("[*]", where.removeprefix("Arguments."))
        return "write" if ("W", path) in _S3_FIELDS.get(kind, ()) else "read"

    def _bind_role(self, arguments: dict[str, Any], field: str, ctx: RenderContext) -> None:
        """Write the binder's role at ``field`` (``Arguments.…RoleArn``), an absent member."""
        *parents, member = field.removeprefix("Arguments.").split(".")
        target: Any = arguments
        for part in parents:
            name, _, index = part.partition("[")
            target = target[name]
            if index:
                target = target[int(index.rstrip("]"))]
        if isinstance(target, dict) and member not in target:
            target[member] = bind_role(ctx, self, None, field)

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        fields: dict[str, JsonValue] = {}
        if self.cache_config is not None:
            fields["CacheConfig"] = render(self.cache_config, ctx)
        if self.retry_policies:
            fields["RetryPolicies"] = render(list(self.retry_policies), ctx)
        if self.property_files:
            fields["PropertyFiles"] = render(list(self.property_files), ctx)
        for member, value in (self.extra_fields or {}).items():
            fields[str(member)] = render(value, ctx)
        return fields

    def __repr__(self) -> str:
        return f"RawStep(name={self.name!r}, type={self.type!r})"


def _member_shape(shape: CompiledShape | None, name: str) -> CompiledShape | None:
    """The shape of member (or map value) ``name`` of ``shape``; ``None`` when it has none."""
    if shape is None:
        return None
    if shape.kind == "structure":
        member = shape.members.get(name)
        return member[1] if member is not None else None
    return shape.value if shape.kind == "map" else None


@cache
def _keyword_fits() -> dict[str, Callable[[Any], bool]]:
    """Per keyword of an entry member, the type check its constructor applies."""
    return {keyword: field_fits(RawStep, keyword) for keyword in _KEYWORDS.values()}
