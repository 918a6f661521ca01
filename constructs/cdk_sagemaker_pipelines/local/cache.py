"""Step caching keyed on a content hash of the service's cache key attributes.

The key of a step is the SHA-256 of its pipeline, name, type and the *resolved* values
of the attributes the service compares for its type (SageMaker docs,
"pipelines-default-keys"), plus the content of its code (a changed script is a miss,
even at the same S3 URI). Entries live under ``<root>/cache/<pipeline>/<key>/`` as one
file per successful run; a lookup takes the most recent one younger than
``ExpireAfter`` whose outputs still exist.

Example::

    key = cache_key("pipe", spec, resolved_arguments, code_digest)
    hit = cache.lookup(key, expire_after="P30D", now=now)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..definition._cache_keys import key_attributes as key_attributes  # the tests import it here
from ..definition.entries import StepSpec
from ..definition.retry import parse_expire_after

CACHEABLE = frozenset({"Processing", "Training", "Tuning", "Transform"})


def cache_config(spec: StepSpec) -> tuple[bool, dt.timedelta | None]:
    """(enabled, expiry) of a step's ``CacheConfig`` (only for cacheable types)."""
    config = spec.entry.get("CacheConfig")
    if spec.step_type not in CACHEABLE or not isinstance(config, Mapping):
        return False, None
    if not config.get("Enabled", False):
        return False, None
    expire = config.get("ExpireAfter")
    return True, parse_expire_after(expire) if isinstance(expire, str) else None


def input_uris(step_type: str, arguments: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, S3 URI) of each S3 URI among the key attributes: what the step reads.

    The label names the input as failure reasons do (``input 'raw'``, ``channel 'train'``),
    else the key attribute it is in (``TransformInput``). Only the URI goes into the key,
    not what is there: a cache hit's data may differ from this run's.

    Example::

        input_uris("Processing", {"ProcessingInputs": [{"InputName": "raw",
                   "S3Input": {"S3Uri": "s3://b/raw"}}]})  # [("input 'raw'", "s3://b/raw")]
    """
    found: list[tuple[str, str]] = []

    def visit(value: Any, label: str) -> None:
        if isinstance(value, Mapping):
            if isinstance(value.get("InputName"), str):
                label = f"input '{value['InputName']}'"
            elif isinstance(value.get("ChannelName"), str):
                label = f"channel '{value['ChannelName']}'"
            for item in value.values():
                visit(item, label)
        elif isinstance(value, list):
            for item in value:
                visit(item, label)
        elif isinstance(value, str) and value.startswith("s3://"):
            found.append((label, value))

    for name, value in key_attributes(step_type, arguments).items():
        visit(value, name)
    return found


def cache_key(pipeline: str, spec: StepSpec, arguments: Mapping[str, Any], code_digest: str) -> str:
    """The hex digest identifying a step's work."""
    body = {
        "Pipeline": pipeline,
        "Step": spec.name,
        "Type": spec.step_type,
        "Attributes": key_attributes(spec.step_type, arguments),
        "Code": code_digest,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One successful run of a step that later runs may reuse.

    Example::

        CacheEntry(source_execution_id="abc", source_execution_arn="arn:…", step="Train",
                   finished=now, properties={…}, outputs={"s3://…": "/…/outputs/Train/…"})
    """

    source_execution_id: str
    source_execution_arn: str
    step: str
    finished: dt.datetime
    properties: Mapping[str, Any]
    outputs: Mapping[str, str]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    output_names: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "SourcePipelineExecutionId": self.source_execution_id,
            "SourcePipelineExecutionArn": self.source_execution_arn,
            "StepName": self.step,
            "Finished": self.finished.isoformat(),
            "Properties": self.properties,
            "Outputs": self.outputs,
            "Metadata": self.metadata,
            "OutputNames": self.output_names,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> CacheEntry:
        """Read the stored form."""
        return CacheEntry(
            source_execution_id=data["SourcePipelineExecutionId"],
            source_execution_arn=data["SourcePipelineExecutionArn"],
            step=data["StepName"],
            finished=dt.datetime.fromisoformat(data["Finished"]),
            properties=data["Properties"],
            outputs=data["Outputs"],
            metadata=data.get("Metadata") or {},
            output_names=data.get("OutputNames") or {},
        )


class StepCache:
    """The cache of one pipeline under ``<root>/cache/<pipeline>``.

    Example::

        cache = StepCache(root / "cache" / "my-pipeline")
        cache.store(key, entry)
        cache.lookup(key, expire_after=dt.timedelta(days=30), now=now)
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def lookup(
        self, key: str, *, expire_after: dt.timedelta | None, now: dt.datetime
    ) -> CacheEntry | None:
        """The most recent usable entry for ``key``, if any."""
        folder = self.directory / key
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return None
        best: CacheEntry | None = None
        for name in names:
            if not name.endswith(".json"):
                continue
            try:
                entry = CacheEntry.from_json(json.loads((folder / name).read_text("utf-8")))
            except (OSError, ValueError, KeyError):
                continue
            if expire_after is not None and now - entry.finished > expire_after:
                continue
            if not all(Path(path).exists() for path in entry.outputs.values()):
                continue
            if best is None or entry.finished > best.finished:
                best = entry
        return best

    def store(self, key: str, entry: CacheEntry) -> None:
        """Add an entry (written atomically)."""
        folder = self.directory / key
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{entry.source_execution_id}-{entry.step}.json"
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(entry.to_json(), default=str), encoding="utf-8")
        os.replace(temporary, target)
