"""The local lineage table: the actions, artifacts, contexts and associations Lineage steps add.

What a Lineage step creates, recorded as the service describes it (DescribeAction,
DescribeArtifact, DescribeContext; an association as ListAssociations lists it). Layout
under ``<root>``::

    lineage/actions/<ActionName>.json
    lineage/artifacts/<id>.json            the id of its ARN: a hash of its source
    lineage/contexts/<ContextName>.json
    lineage/associations/<id>.json         a hash of its source and destination ARNs

Each record's ``Local`` member holds what only the local runner keeps (the execution and
step that wrote it). Like ``<root>/models``, the table outlives the execution: a later
execution's Lineage step may associate what an earlier one created, by its ARN, and may not
create an action, context or artifact of a name in use (their names are unique in an
account and region), nor an artifact of the same source, nor an association that exists
(the service refuses each as already existing).

Example::

    LineageTable(Path(".smpipe")).find_arn("arn:aws:sagemaker:local:000000000000:action/run")
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..definition._shape_check import shape_regex
from ._errors import StepError
from .records import write_json
from .registry import ACCOUNT, REGION

# Per resource type: the folder of its records and the API shape of its names.
_KINDS = {
    "action": ("actions", "ExperimentEntityName"),
    "artifact": ("artifacts", None),
    "context": ("contexts", "ContextName"),
    "association": ("associations", None),
}
LOCAL_ARN_PREFIX = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:"


def lineage_arn(resource_type: str, record_id: str) -> str:
    """The local ARN of a lineage entity: ``arn:aws:sagemaker:local:000000000000:action/<id>``.

    Example::

        lineage_arn("context", "churn-project")
    """
    return f"{LOCAL_ARN_PREFIX}{resource_type}/{record_id.lower()}"


def artifact_id(source: Any) -> str:
    """An artifact's id, as the service's: a hash of its source (32 hex digits).

    Example::

        artifact_id({"SourceUri": "s3://b/model.tar.gz"})
    """
    text = json.dumps(source, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def association_id(source_arn: str, destination_arn: str) -> str:
    """An association's record id: a hash of its two ends."""
    return hashlib.md5(
        f"{source_arn}\n{destination_arn}".encode(), usedforsecurity=False
    ).hexdigest()


class LineageTable:
    """Reads and writes the lineage records under a runner root.

    Example::

        LineageTable(root).read("action", "training-run")["ActionArn"]
    """

    def __init__(self, root: Path) -> None:
        self.root = root / "lineage"

    def path(self, resource_type: str, record_id: str) -> Path:
        """Where the record ``record_id`` of ``resource_type`` is (a name checked first)."""
        folder, shape = _KINDS[resource_type]
        pattern = shape_regex(shape) if shape is not None else None
        if not isinstance(record_id, str) or (
            pattern is not None and pattern.fullmatch(record_id) is None
        ):
            # A parameter's value isn't checked before the run; the name becomes a file.
            raise StepError(
                f"{record_id!r} is not a lineage {resource_type} name (1-120 letters, digits "
                "and hyphens, not starting or ending with a hyphen): SageMaker would refuse it"
            )
        return self.root / folder / f"{record_id}.json"

    def read(self, resource_type: str, record_id: str) -> dict[str, Any] | None:
        """The record; ``None`` when there is none."""
        path = self.path(resource_type, record_id)
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StepError(
                f"can't read the local lineage {resource_type} {path}: {error}"
            ) from None
        return data if isinstance(data, dict) else None

    def write(self, resource_type: str, record_id: str, record: Mapping[str, Any]) -> Path:
        """Write the record atomically; return its path."""
        path = self.path(resource_type, record_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, dict(record))
        return path

    def records(self, resource_type: str) -> Iterator[dict[str, Any]]:
        """Every record of ``resource_type``, by file name."""
        folder = self.root / _KINDS[resource_type][0]
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.json")):
            record = self.read(resource_type, path.stem)
            if record is not None:
                yield record

    def find_arn(self, arn: str) -> dict[str, Any] | None:
        """The record of the entity a local ARN names (``None`` if none was recorded)."""
        resource_type, _, record_id = arn.removeprefix(LOCAL_ARN_PREFIX).partition("/")
        if resource_type not in ("action", "artifact", "context") or not record_id:
            return None
        member = f"{resource_type.capitalize()}Arn"
        return next(
            (record for record in self.records(resource_type) if record.get(member) == arn), None
        )


__all__ = ["LOCAL_ARN_PREFIX", "LineageTable", "artifact_id", "association_id", "lineage_arn"]
