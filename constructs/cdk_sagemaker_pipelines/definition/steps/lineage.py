"""``LineageStep``: lineage actions, artifacts and contexts, and the associations between them.

As the SageMaker SDK's ``LineageStep`` (step type ``Lineage``): one step whose ``Arguments``
list CreateAction, CreateArtifact and CreateContext requests (``Actions``, ``Artifacts``,
``Contexts``) and the associations to add between what they create (``Associations``, as
AddAssociation adds them). SageMaker Pipelines creates every entity, then adds the
associations, so an association names an entity of the same step by name and type, and
anything else (an entity another step created, or one that exists) by its ARN. The step's
properties are the ARNs of what it created, keyed by entity name (the service's
``LineageMetadata``): ``properties.ActionArns['<name>']``, ``ArtifactArns``, ``ContextArns``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import PipelineDefinitionError
from .._lineage_names import ENTITY_TYPES, LINEAGE_KINDS, sibling_hint
from .._render import JsonValue, RenderContext, compact, render
from .._suggest import did_you_mean, one_of
from .._tokens import is_token
from .._typecheck import checked
from ..expressions import Expression
from ..jobs import check_tags, render_tags
from ._base import Step
from .model import MetadataProperties

if TYPE_CHECKING:
    from ..property_types import LineageStepProperties


def _context(ctx: RenderContext | None) -> RenderContext:
    return ctx if ctx is not None else RenderContext()


def _source(ctx: RenderContext, uri: Any, **members: Any) -> JsonValue:
    """A request's ``Source``: the URI first, as the SDK writes it."""
    return compact(SourceUri=render(uri, ctx), **{k: render(v, ctx) for k, v in members.items()})


def _metadata(value: MetadataProperties | None, ctx: RenderContext) -> JsonValue:
    return value.render(ctx) if value is not None else None


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class LineageAction:
    """An action a ``LineageStep`` creates (CreateAction): an activity, such as a training run.

    ``action_name`` (1-120 letters, digits and hyphens; unique in the account and region),
    ``source_uri`` (what the action is of, with ``source_type`` and ``source_id``) and
    ``action_type`` (``ModelTraining``, ``ModelDeployment``, … as you choose) are required.
    ``status`` is one of ``Unknown``, ``InProgress``, ``Completed``, ``Failed``,
    ``Stopping`` and ``Stopped``. ``properties`` (at most 30 strings, key → value) and
    ``metadata_properties`` (commit, repository, project) describe it in SageMaker Studio's
    lineage; ``tags`` (key → value) tag it. Each value may be a parameter or a step property.

    Example::

        LineageAction(action_name="training-run", source_uri=train.model_data,
                      action_type="ModelTraining", status="Completed")
    """

    action_name: str | Expression
    source_uri: str | Expression
    source_type: str | Expression | None = None
    source_id: str | Expression | None = None
    action_type: str | Expression
    description: str | Expression | None = None
    status: str | Expression | None = None
    properties: Mapping[str, str | Expression] | None = None
    metadata_properties: MetadataProperties | None = None
    tags: Mapping[str, Any] | None = None
    entity_type: ClassVar[str] = "Action"

    def _validate(self) -> None:
        check_tags(f"LineageAction {_shown(self.action_name)}", self.tags)

    @property
    def entity_name(self) -> str | Expression:
        """The name associations of the step use for it (``action_name``)."""
        return self.action_name

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The CreateAction request, in the order the SageMaker SDK writes it."""
        ctx = _context(ctx)
        return compact(
            ActionName=render(self.action_name, ctx),
            Source=_source(
                ctx, self.source_uri, SourceType=self.source_type, SourceId=self.source_id
            ),
            ActionType=render(self.action_type, ctx),
            Description=render(self.description, ctx),
            Status=render(self.status, ctx),
            Properties=render(self.properties, ctx),
            MetadataProperties=_metadata(self.metadata_properties, ctx),
            Tags=render_tags(self.tags, ctx),
        )


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class LineageArtifact:
    """An artifact a ``LineageStep`` creates (CreateArtifact): data, such as a model or a dataset.

    ``source_uri`` (the S3 URI of the data, an image's registry path, …) and
    ``artifact_type`` (``Model``, ``DataSet``, … as you choose) are required.
    ``artifact_name`` is optional, as CreateArtifact's: only a named artifact can be
    associated by name in its step and read from ``properties.ArtifactArns['<name>']``.
    ``source_types`` identify the version of the source (id type → value: ``MD5Hash``,
    ``S3ETag``, ``S3Version`` or ``Custom``). SageMaker names an artifact's ARN after its
    source, not its name. ``properties``, ``metadata_properties`` and ``tags`` as for
    ``LineageAction``.

    Example::

        LineageArtifact(artifact_name="trained-model", source_uri=train.model_data,
                        artifact_type="Model", source_types={"Custom": "v1"})
    """

    artifact_name: str | Expression | None = None
    source_uri: str | Expression
    source_types: Mapping[str, str | Expression] | None = None
    artifact_type: str | Expression
    properties: Mapping[str, str | Expression] | None = None
    metadata_properties: MetadataProperties | None = None
    tags: Mapping[str, Any] | None = None
    entity_type: ClassVar[str] = "Artifact"

    def _validate(self) -> None:
        check_tags(f"LineageArtifact {_shown(self.artifact_name)}", self.tags)

    @property
    def entity_name(self) -> str | Expression | None:
        """The name associations of the step use for it (``artifact_name``)."""
        return self.artifact_name

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The CreateArtifact request, in the order the SageMaker SDK writes it."""
        ctx = _context(ctx)
        source_types = (
            [
                {"SourceIdType": id_type, "Value": render(value, ctx)}
                for id_type, value in self.source_types.items()
            ]
            if self.source_types
            else None
        )
        return compact(
            ArtifactName=render(self.artifact_name, ctx),
            Source=_source(ctx, self.source_uri, SourceTypes=source_types),
            ArtifactType=render(self.artifact_type, ctx),
            Properties=render(self.properties, ctx),
            MetadataProperties=_metadata(self.metadata_properties, ctx),
            Tags=render_tags(self.tags, ctx),
        )


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class LineageContext:
    """A context a ``LineageStep`` creates (CreateContext): a group, such as a project.

    ``context_name`` (1-120 letters, digits and hyphens; unique in the account and
    region), ``source_uri`` (with ``source_type`` and ``source_id``) and ``context_type``
    (``Project``, ``Endpoint``, … as you choose) are required. ``description``,
    ``properties`` and ``tags`` as for ``LineageAction``.

    Example::

        LineageContext(context_name="churn-project", source_uri="s3://my-bucket/churn",
                       context_type="Project")
    """

    context_name: str | Expression
    source_uri: str | Expression
    source_type: str | Expression | None = None
    source_id: str | Expression | None = None
    context_type: str | Expression
    description: str | Expression | None = None
    properties: Mapping[str, str | Expression] | None = None
    tags: Mapping[str, Any] | None = None
    entity_type: ClassVar[str] = "Context"

    def _validate(self) -> None:
        check_tags(f"LineageContext {_shown(self.context_name)}", self.tags)

    @property
    def entity_name(self) -> str | Expression:
        """The name associations of the step use for it (``context_name``)."""
        return self.context_name

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The CreateContext request, in the order the SageMaker SDK writes it."""
        ctx = _context(ctx)
        return compact(
            ContextName=render(self.context_name, ctx),
            Source=_source(
                ctx, self.source_uri, SourceType=self.source_type, SourceId=self.source_id
            ),
            ContextType=render(self.context_type, ctx),
            Description=render(self.description, ctx),
            Properties=render(self.properties, ctx),
            Tags=render_tags(self.tags, ctx),
        )


LineageEntity = LineageAction | LineageArtifact | LineageContext
"""An entity a ``LineageStep`` creates."""


@checked
@dataclass(frozen=True, slots=True)
class LineageEntityReference:
    """One end of a ``LineageAssociation``: an entity of the step, or any entity by ARN.

    ``name`` and ``type`` (``"Action"``, ``"Artifact"`` or ``"Context"``) name an entity the
    same ``LineageStep`` creates: SageMaker Pipelines looks them up among that step's own.
    ``arn`` names any other: one another step created (its
    ``properties.ArtifactArns['<name>']``), or one that exists. Give one or the other.

    Example::

        LineageEntityReference(name="training-run", type="Action")
        LineageEntityReference(arn=record.properties.ArtifactArns["trained-model"])
    """

    name: str | Expression | None = None
    type: str | None = None
    arn: str | Expression | None = None

    def _validate(self) -> None:
        if self.arn is not None:
            if self.name is not None or self.type is not None:
                raise PipelineDefinitionError(
                    "LineageEntityReference: give arn= (any entity), or name= and type= (an "
                    "entity of the same step), not both"
                )
            return
        if self.name is None or self.type is None:
            missing = "type" if self.name is not None else "name"
            raise PipelineDefinitionError(
                f"LineageEntityReference: field '{missing}': give name= and type= (an entity "
                "of the same step), or arn= (any other entity)"
            )
        if self.type not in ENTITY_TYPES:
            hint = did_you_mean(self.type, ENTITY_TYPES) or f"expected {one_of(ENTITY_TYPES)}"
            raise PipelineDefinitionError(
                f"LineageEntityReference: field 'type': {self.type!r} is no type of entity a "
                f"Lineage step creates ({hint})"
            )

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """``{"Arn": …}``, or ``{"Name": …, "Type": …}``."""
        if self.arn is not None:
            return {"Arn": render(self.arn, ctx)}
        return {"Name": render(self.name, ctx), "Type": self.type}


@checked
@dataclass(frozen=True, slots=True)
class LineageAssociation:
    """An association a ``LineageStep`` adds (AddAssociation), from ``source`` to ``destination``.

    ``association_type`` is one of ``ContributedTo`` (the source had a part in the
    destination), ``AssociatedWith``, ``DerivedFrom`` (the destination is a modification of
    the source), ``Produced`` (the source generated the destination) and ``SameAs``.
    Default: none (SageMaker's default).

    Example::

        LineageAssociation(source=LineageEntityReference(name="training-run", type="Action"),
                           destination=LineageEntityReference(name="trained-model",
                                                              type="Artifact"),
                           association_type="Produced")
    """

    source: LineageEntityReference
    destination: LineageEntityReference
    association_type: str | Expression | None = None

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The association as SageMaker Pipelines takes it (SDK order)."""
        return compact(
            Source=self.source.to_request(ctx),
            Destination=self.destination.to_request(ctx),
            AssociationType=render(self.association_type, ctx),
        )


# Request member -> keyword argument, per entity kind (Problem.field spelling).
_ENTITY_FIELDS: dict[str, dict[str, str]] = {
    "Action": {
        "ActionName": "action_name",
        "Source": "source_uri",
        "Source.SourceUri": "source_uri",
        "Source.SourceType": "source_type",
        "Source.SourceId": "source_id",
        "ActionType": "action_type",
        "Description": "description",
        "Status": "status",
        "Properties": "properties",
        "MetadataProperties": "metadata_properties",
        "Tags": "tags",
    },
    "Artifact": {
        "ArtifactName": "artifact_name",
        "Source": "source_uri",
        "Source.SourceUri": "source_uri",
        "Source.SourceTypes": "source_types",
        "ArtifactType": "artifact_type",
        "Properties": "properties",
        "MetadataProperties": "metadata_properties",
        "Tags": "tags",
    },
    "Context": {
        "ContextName": "context_name",
        "Source": "source_uri",
        "Source.SourceUri": "source_uri",
        "Source.SourceType": "source_type",
        "Source.SourceId": "source_id",
        "ContextType": "context_type",
        "Description": "description",
        "Properties": "properties",
        "Tags": "tags",
    },
}
_REFERENCE_FIELDS = {"Name": "name", "Type": "type", "Arn": "arn"}


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class LineageStep(Step):
    """Creates lineage actions, artifacts and contexts, then associates them.

    As the SageMaker SDK's ``LineageStep``: ``actions``, ``artifacts`` and ``contexts``
    (``LineageAction``, ``LineageArtifact``, ``LineageContext``) are created, then each of
    ``associations`` added between them (a ``LineageEntityReference`` by name and type) or
    with any other entity (by ARN). A step creates at least one entity or adds one
    association; names are unique per kind in a step (and, as the API says, in the account
    and region). Later steps read the ARNs of what it created, keyed by name:
    ``properties.ActionArns['<name>']``, ``ArtifactArns`` and ``ContextArns``. Neither cached
    nor retried: the SDK's ``LineageStep`` takes neither.

    Example::

        record = LineageStep(
            name="RecordLineage",
            actions=[LineageAction(action_name="training-run", source_uri=train.model_data,
                                   action_type="ModelTraining")],
            artifacts=[LineageArtifact(artifact_name="trained-model",
                                       source_uri=train.model_data, artifact_type="Model")],
            associations=[LineageAssociation(
                source=LineageEntityReference(name="training-run", type="Action"),
                destination=LineageEntityReference(name="trained-model", type="Artifact"),
                association_type="Produced")])
    """

    actions: Sequence[LineageAction] = ()
    artifacts: Sequence[LineageArtifact] = ()
    contexts: Sequence[LineageContext] = ()
    associations: Sequence[LineageAssociation] = ()
    step_type: ClassVar[str] = "Lineage"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.Actions": "actions",
        "Arguments.Artifacts": "artifacts",
        "Arguments.Contexts": "contexts",
        "Arguments.Associations": "associations",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> LineageStepProperties: ...

    def entities(self, entity_type: str) -> Sequence[LineageEntity]:
        """The step's entities of ``entity_type`` (``"Action"``, ``"Artifact"``, ``"Context"``).

        Example::

            step.entities("Action")[0].action_name
        """
        entities: dict[str, Sequence[LineageEntity]] = {
            "Action": self.actions,
            "Artifact": self.artifacts,
            "Context": self.contexts,
        }
        return entities[entity_type]

    def entity_names(self, entity_type: str) -> list[str] | None:
        """The names of the step's entities of ``entity_type``; ``None`` if one is run-time's.

        Unnamed artifacts are left out: nothing can name them.
        """
        names = [entity.entity_name for entity in self.entities(entity_type)]
        if any(not _literal(name) for name in names if name is not None):
            return None
        return [name for name in names if isinstance(name, str)]

    def _validate(self) -> None:
        owner = f"{type(self).__name__} '{self.name}'"
        if not (self.actions or self.artifacts or self.contexts or self.associations):
            raise PipelineDefinitionError(
                f"{owner}: give at least one of actions=, artifacts=, contexts= or "
                "associations=: a Lineage step of none records nothing"
            )
        literal: dict[str, list[str]] = {}
        for entity_type, kind in LINEAGE_KINDS.items():
            seen: dict[str, int] = {}
            for index, entity in enumerate(self.entities(entity_type)):
                name = entity.entity_name
                if not isinstance(name, str) or not _literal(name):
                    continue
                if name in seen:
                    raise PipelineDefinitionError(
                        f"{owner}: field '{kind.argument}[{index}]': {kind.noun} name '{name}' "
                        f"is already used by {kind.argument}[{seen[name]}] (names are unique "
                        f"per kind in a step, and {kind.noun} names in the account and region)"
                    )
                seen[name] = index
            literal[entity_type] = list(seen)
        for index, association in enumerate(self.associations):
            for end in ("source", "destination"):
                reference: LineageEntityReference = getattr(association, end)
                name, referenced = reference.name, reference.type
                if reference.arn is not None or not isinstance(name, str) or not _literal(name):
                    continue  # an ARN needs no lookup; a run-time name can't be judged
                assert referenced is not None  # LineageEntityReference._validate
                if self.entity_names(referenced) is None or name in literal[referenced]:
                    continue
                raise PipelineDefinitionError(
                    f"{owner}: field 'associations[{index}].{end}': names {referenced} "
                    f"'{name}', which this step does not create "
                    f"({sibling_hint(name, referenced, literal)})"
                )

    def declared_keys(self, path: str) -> Sequence[str] | None:
        """The entity names, for ``properties.ActionArns['…']`` (``ArtifactArns``, …)."""
        for entity_type, kind in LINEAGE_KINDS.items():
            if path == kind.arns:
                return self.entity_names(entity_type)
        return None

    def _argument_fields(self) -> Mapping[str, str]:
        fields = dict(Step._argument_fields(self))
        for entity_type, kind in LINEAGE_KINDS.items():
            for index, _ in enumerate(self.entities(entity_type)):
                where, argument = f"Arguments.{kind.member}[{index}]", f"{kind.argument}[{index}]"
                fields[where] = argument
                for member, name in _ENTITY_FIELDS[entity_type].items():
                    fields[f"{where}.{member}"] = f"{argument}.{name}"
        for index, _ in enumerate(self.associations):
            where, argument = f"Arguments.Associations[{index}]", f"associations[{index}]"
            fields[where] = argument
            fields[f"{where}.AssociationType"] = f"{argument}.association_type"
            for end in ("Source", "Destination"):
                fields[f"{where}.{end}"] = f"{argument}.{end.lower()}"
                for member, name in _REFERENCE_FIELDS.items():
                    fields[f"{where}.{end}.{member}"] = f"{argument}.{end.lower()}.{name}"
        return fields

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        return compact(
            **{
                kind.member: [entity.to_request(ctx) for entity in self.entities(entity_type)]
                or None
                for entity_type, kind in LINEAGE_KINDS.items()
            },
            Associations=[association.to_request(ctx) for association in self.associations] or None,
        )


def _literal(name: Any) -> bool:
    """Whether ``name`` is known now: a string that is no CDK token."""
    return isinstance(name, str) and not is_token(name)


def _shown(name: Any) -> str:
    """A name for messages: quoted when literal, else what it is."""
    if name is None:
        return "(unnamed)"
    return f"'{name}'" if isinstance(name, str) else repr(name)


__all__ = [
    "LineageAction",
    "LineageArtifact",
    "LineageAssociation",
    "LineageContext",
    "LineageEntityReference",
    "LineageStep",
]
