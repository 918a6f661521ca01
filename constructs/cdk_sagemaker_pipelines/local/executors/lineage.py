"""Lineage steps: their actions, artifacts, contexts and associations, recorded locally.

Each entity becomes a record of the local lineage table (``local/lineage.py``), as the
service's Describe* call gives it, then each association, its ends resolved: an entity of
the step by name and type, or an ARN (one recorded locally must exist; any other, of an
entity in AWS, is recorded as given). The step's properties are the service's
``LineageMetadata``: the ARNs of what it created keyed by name (``ActionArns``,
``ArtifactArns``, ``ContextArns``) and its ``Associations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...definition._lineage_names import LINEAGE_KINDS
from ...definition._shape_check import shape_regex
from ...definition.entries import StepSpec
from .._errors import StepError
from ..lineage import LOCAL_ARN_PREFIX, LineageTable, artifact_id, association_id, lineage_arn
from ._base import StepContext, StepResult, timestamp

# Request members a Describe* response gives back as they were created.
_DESCRIBED = {
    "Action": (
        "ActionName",
        "Source",
        "ActionType",
        "Description",
        "Status",
        "Properties",
        "MetadataProperties",
    ),
    "Artifact": ("ArtifactName", "Source", "ArtifactType", "Properties", "MetadataProperties"),
    "Context": ("ContextName", "Source", "ContextType", "Description", "Properties"),
}


class LineageExecutor:
    """Records a Lineage step's entities, then its associations; nothing is left half-done.

    Everything is checked before anything is written: an action or context of a name an
    earlier execution created, an artifact of a source one created, an association that
    exists, or an end that names nothing fails the step, naming the field.

    Example::

        LineageExecutor().run(spec, ctx).properties["ActionArns"]["training-run"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Create the records; the properties are the step's ``LineageMetadata``."""
        arguments: Mapping[str, Any] = ctx.arguments
        table = LineageTable(ctx.settings.root)
        now = timestamp(ctx.now())
        local = {"ExecutionId": ctx.execution.execution_id, "Step": step.name}
        writes: list[tuple[str, str, dict[str, Any]]] = []
        # (type, name) -> ARN of the entities this step creates.
        created: dict[tuple[str, str], str] = {}
        arns: dict[str, dict[str, str]] = {kind.arns: {} for kind in LINEAGE_KINDS.values()}
        for entity_type, kind in LINEAGE_KINDS.items():
            for index, entity in enumerate(arguments.get(kind.member) or []):
                where = f"{kind.member}[{index}]"
                if not isinstance(entity, Mapping):
                    raise StepError(f"{where}: expected a {kind.request} object")
                name = entity.get(kind.name_member)
                record_id: str
                if entity_type == "Artifact":
                    record_id = artifact_id(entity.get("Source"))
                    if name is not None:
                        _check_name(name, "ExperimentEntityName", f"{where}.{kind.name_member}")
                elif isinstance(name, str):
                    record_id = name
                else:
                    raise StepError(f"{where}.{kind.name_member}: {name!r} is not a name")
                arn = lineage_arn(kind.resource_type, record_id)
                earlier = table.read(kind.resource_type, record_id)
                if earlier is None and entity_type == "Artifact" and name is not None:
                    # Artifact names are unique in an account and region too.
                    earlier = next(
                        (r for r in table.records("artifact") if r.get("ArtifactName") == name),
                        None,
                    )
                    if earlier is not None:
                        raise StepError(_name_in_use(where, "Artifact", name, earlier))
                if earlier is not None or any(arn == item for item in created.values()):
                    if entity_type == "Artifact":
                        raise StepError(_source_in_use(where, earlier))
                    raise StepError(_name_in_use(where, entity_type, name, earlier))
                if isinstance(name, str):
                    if (entity_type, name) in created:
                        raise StepError(
                            f"{where}.{kind.name_member}: this step creates two {kind.noun}s "
                            f"named {name!r}"
                        )
                    created[(entity_type, name)] = arn
                    arns[kind.arns][name] = arn
                else:
                    created[(entity_type, f"\x00{index}")] = arn  # unnamed: no key
                record = {
                    member: entity[member] for member in _DESCRIBED[entity_type] if member in entity
                }
                record.update(
                    {
                        f"{entity_type}Arn": arn,
                        "CreationTime": now,
                        "LastModifiedTime": now,
                        "Tags": entity.get("Tags") or [],
                        "Local": local,
                    }
                )
                writes.append((kind.resource_type, record_id, record))
        associations: list[dict[str, Any]] = []
        for index, association in enumerate(arguments.get("Associations") or []):
            where = f"Associations[{index}]"
            if not isinstance(association, Mapping):
                raise StepError(f"{where}: expected {{Source, Destination, AssociationType}}")
            source = self._end(table, created, association.get("Source"), f"{where}.Source")
            destination = self._end(
                table, created, association.get("Destination"), f"{where}.Destination"
            )
            record_id = association_id(source, destination)
            pending = any(kind == "association" and rid == record_id for kind, rid, _ in writes)
            if pending or table.read("association", record_id) is not None:
                raise StepError(
                    f"{where}: the association from {source} to {destination} exists "
                    "(AddAssociation refuses one that exists)"
                )
            entry = {"SourceArn": source, "DestinationArn": destination}
            associations.append(entry)
            added: dict[str, Any] = {**entry, "CreationTime": now, "Local": local}
            if association.get("AssociationType") is not None:
                added["AssociationType"] = association["AssociationType"]
            writes.append(("association", record_id, added))
        for resource_type, record_id, record in writes:
            table.write(resource_type, record_id, record)
        properties = {**arns, "Associations": associations}
        return StepResult(properties=properties, metadata={"Lineage": properties})

    def _end(
        self,
        table: LineageTable,
        created: Mapping[tuple[str, str], str],
        end: Any,
        where: str,
    ) -> str:
        """The ARN an association's end names."""
        if not isinstance(end, Mapping):
            raise StepError(f'{where}: expected {{"Name": …, "Type": …}} or {{"Arn": …}}')
        if "Arn" in end:
            arn = end["Arn"]
            pattern = shape_regex("AssociationEntityArn")
            if not isinstance(arn, str) or (pattern is not None and not pattern.fullmatch(arn)):
                raise StepError(f"{where}.Arn: {arn!r} is not the ARN of a lineage entity")
            if arn.startswith(LOCAL_ARN_PREFIX) and table.find_arn(arn) is None:
                raise StepError(
                    f"{where}.Arn: no local lineage entity has the ARN {arn!r} (the local "
                    "runner records those Lineage steps of local executions create)"
                )
            return arn
        entity_type, name = end.get("Type"), end.get("Name")
        arn = created.get((str(entity_type), str(name)))
        if arn is None:
            kind = LINEAGE_KINDS.get(str(entity_type))
            noun = kind.noun if kind is not None else "entity"
            names = sorted(n for t, n in created if t == entity_type and not n.startswith("\x00"))
            raise StepError(
                f"{where}.Name: this step creates no {noun} named {name!r} (its {noun}s: "
                f"{', '.join(map(repr, names)) or 'none'}); an entity created elsewhere is "
                "named by its ARN"
            )
        return arn


def _check_name(name: Any, shape: str, where: str) -> None:
    pattern = shape_regex(shape)
    if not isinstance(name, str) or (pattern is not None and pattern.fullmatch(name) is None):
        raise StepError(
            f"{where}: {name!r} is not a lineage entity name (1-120 letters, digits and "
            "hyphens, not starting or ending with a hyphen): SageMaker would refuse it"
        )


def _created_by(earlier: Mapping[str, Any] | None) -> str:
    """`` (created by step 'X' of execution …)`` of an earlier record, if any."""
    if earlier is None:
        return ""
    note = earlier.get("Local") or {}
    return f" (created by step '{note.get('Step')}' of execution {note.get('ExecutionId')})"


def _name_in_use(where: str, entity_type: str, name: Any, earlier: Mapping[str, Any] | None) -> str:
    """Why an entity of a name in use can't be created (Create* refuses it)."""
    kind = LINEAGE_KINDS[entity_type]
    return (
        f"{where}.{kind.name_member}: a local {kind.noun} named {name!r} exists"
        f"{_created_by(earlier)}: {kind.noun} names are unique in an account and region, and "
        f'{kind.create} refuses one in use; make the name unique per execution (Join(on="-", '
        'values=["training-run", ExecutionVariables.PIPELINE_EXECUTION_ID])), or delete '
        "<root>/lineage to start afresh"
    )


def _source_in_use(where: str, earlier: Mapping[str, Any] | None) -> str:
    """Why an artifact of a source in use can't be created (its ARN would be that one's)."""
    return (
        f"{where}.Source: a local artifact of this source exists{_created_by(earlier)}: "
        "SageMaker names an artifact after its source and refuses to create one that exists; "
        "give the source a SourceTypes version (an S3ETag, S3Version or Custom id) or "
        "reference the existing artifact by its ARN (delete <root>/lineage to start afresh)"
    )
