"""What a Lineage step's ``Arguments`` hold: one source of the kinds of entity it creates.

``LineageStep`` (``definition/steps/lineage.py``) writes them, the validator checks them, the
permission planner grants what creating them takes, the local runner records them and
``smpipe convert`` reads them back. As the SageMaker SDK's ``LineageStep`` writes them
(sagemaker 2.257.7, ``sagemaker/workflow/lineage_step.py``): ``Actions``, ``Artifacts`` and
``Contexts`` are lists of CreateAction, CreateArtifact and CreateContext requests, in that
order, then ``Associations``, each ``{"Source": …, "Destination": …, "AssociationType": …}``
whose ends are ``{"Name": …, "Type": …}`` (an entity of the same step) or ``{"Arn": …}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ._suggest import did_you_mean, one_of


@dataclass(frozen=True, slots=True)
class LineageKind:
    """One kind of entity a Lineage step creates, in each vocabulary that names it.

    Example::

        LINEAGE_KINDS["Action"].member  # "Actions"
    """

    type: str  # the association reference's Type, and the entity's kind
    argument: str  # LineageStep's keyword
    member: str  # the Arguments member listing the requests
    name_member: str  # the request member naming the entity
    type_member: str  # the request member typing the entity
    request: str  # botocore's request shape
    create: str  # the IAM action (and API operation) that creates it
    resource_type: str  # the IAM resource type (ARN ``…:<resource_type>/<id>``)
    arns: str  # the step property mapping each entity's name to its ARN
    noun: str  # in messages: "action"


LINEAGE_KINDS: dict[str, LineageKind] = {
    kind.type: kind
    for kind in (
        LineageKind(
            "Action",
            "actions",
            "Actions",
            "ActionName",
            "ActionType",
            "CreateActionRequest",
            "CreateAction",
            "action",
            "ActionArns",
            "action",
        ),
        LineageKind(
            "Artifact",
            "artifacts",
            "Artifacts",
            "ArtifactName",
            "ArtifactType",
            "CreateArtifactRequest",
            "CreateArtifact",
            "artifact",
            "ArtifactArns",
            "artifact",
        ),
        LineageKind(
            "Context",
            "contexts",
            "Contexts",
            "ContextName",
            "ContextType",
            "CreateContextRequest",
            "CreateContext",
            "context",
            "ContextArns",
            "context",
        ),
    )
}
# The entity types an association's end names with ``Type``, in the order of the Arguments.
ENTITY_TYPES = tuple(LINEAGE_KINDS)
# The Arguments members of a Lineage step, in the order the SDK writes them.
LINEAGE_MEMBERS = (*(kind.member for kind in LINEAGE_KINDS.values()), "Associations")
# The members of an association, and of each of its ends.
ASSOCIATION_MEMBERS = ("Source", "Destination", "AssociationType")
REFERENCE_MEMBERS = ("Name", "Type", "Arn")
# The step property of each kind's ARNs → the kind.
KIND_OF_ARNS = {kind.arns: kind for kind in LINEAGE_KINDS.values()}
# The resource types an association's end may be (AddAssociation's AssociationEntityArn):
# what an ARN known only at run time may name.
ASSOCIATION_RESOURCE_TYPES = (
    "action",
    "artifact",
    "context",
    "experiment",
    "experiment-trial-component",
)


def kind_of_member(member: str) -> LineageKind | None:
    """The kind whose requests the Arguments member ``member`` lists (``Actions`` → Action)."""
    return next((kind for kind in LINEAGE_KINDS.values() if kind.member == member), None)


def sibling_hint(name: str, entity_type: str, names: Mapping[str, Sequence[str]]) -> str:
    """What a name-and-type reference to no entity of the step could mean, and the way out.

    ``names`` lists the step's literal entity names per type. The closest names of the
    type come first, then the same name under another type, then the type's names.

    Example::

        sibling_hint("trained-modle", "Artifact", {"Artifact": ["trained-model"]})
        # "did you mean 'trained-model'? An entity created elsewhere is named by its ARN …"
    """
    own = list(names.get(entity_type, ()))
    noun = LINEAGE_KINDS[entity_type].noun
    close = did_you_mean(name, own)
    others = [other for other, listed in names.items() if other != entity_type and name in listed]
    if close is not None:
        found = close
    elif others:
        found = f"'{name}' is this step's {LINEAGE_KINDS[others[0]].noun}: Type '{others[0]}'"
    elif own:
        found = f"this step's {noun}s: {one_of(own)}"
    else:
        found = f"this step creates no {_named(entity_type)}{noun}s"
    elsewhere = (
        "entity created elsewhere is named by its ARN: another Lineage step's "
        f"{LINEAGE_KINDS[entity_type].arns}['<name>']"
    )
    return f"{found} An {elsewhere}" if found.endswith("?") else f"{found}; an {elsewhere}"


def _named(entity_type: str) -> str:
    """``named `` for artifacts, whose name is optional: an unnamed one can't be named."""
    return "named " if entity_type == "Artifact" else ""


__all__ = [
    "ASSOCIATION_MEMBERS",
    "ASSOCIATION_RESOURCE_TYPES",
    "ENTITY_TYPES",
    "KIND_OF_ARNS",
    "LINEAGE_KINDS",
    "LINEAGE_MEMBERS",
    "REFERENCE_MEMBERS",
    "LineageKind",
    "kind_of_member",
    "sibling_hint",
]
