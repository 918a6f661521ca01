"""The local hosting table: endpoint configurations, endpoints and inference components.

What deployment steps create, recorded as the service describes it; nothing is served.
Layout under ``<root>``::

    endpoint-configs/<EndpointConfigName>.json      DescribeEndpointConfig-shaped
    endpoints/<EndpointName>.json                   DescribeEndpoint-shaped
    inference-components/<InferenceComponentName>.json

Each record's ``Local`` member holds what only the local runner keeps (the execution and step
that wrote it, an endpoint's earlier configurations). Like ``<root>/models``, the table
outlives the execution: a later execution updates the endpoint an earlier one created.

Example::

    hosting = LocalHosting(Path(".smpipe"))
    hosting.read("endpoint", "churn")["EndpointConfigName"]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..definition._shape_check import shape_regex
from ._errors import StepError
from .records import write_json

# Per kind: the folder of its records and the API shape of its names.
_KINDS = {
    "endpoint-config": ("endpoint-configs", "EndpointConfigName"),
    "endpoint": ("endpoints", "EndpointName"),
    "inference-component": ("inference-components", "InferenceComponentName"),
}
_NOUNS = {
    "endpoint-config": "endpoint configuration",
    "endpoint": "endpoint",
    "inference-component": "inference component",
}


class LocalHosting:
    """Reads and writes the hosting records under a runner root.

    Example::

        LocalHosting(root).write("endpoint", "churn", record)
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, kind: str, name: str) -> Path:
        """Where the record of the ``kind`` resource ``name`` is (the name checked first)."""
        folder, shape = _KINDS[kind]
        pattern = shape_regex(shape)
        if not isinstance(name, str) or pattern is None or pattern.fullmatch(name) is None:
            # A parameter's value isn't checked before the run; the name becomes a file.
            raise StepError(
                f"{name!r} is not an {_NOUNS[kind]} name (1-63 letters, digits and hyphens, "
                "not starting or ending with a hyphen): SageMaker would refuse it"
            )
        return self.root / folder / f"{name}.json"

    def read(self, kind: str, name: str) -> dict[str, Any] | None:
        """The record of the ``kind`` resource ``name``; ``None`` when there is none."""
        path = self.path(kind, name)
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StepError(f"can't read the local {_NOUNS[kind]} {name!r}: {error}") from None
        return data if isinstance(data, dict) else None

    def write(self, kind: str, name: str, record: Mapping[str, Any]) -> Path:
        """Write the record atomically; return its path."""
        path = self.path(kind, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, dict(record))
        return path

    def names(self, kind: str) -> list[str]:
        """The names of the ``kind`` resources recorded, sorted."""
        folder = self.root / _KINDS[kind][0]
        if not folder.is_dir():
            return []
        return sorted(path.stem for path in folder.glob("*.json"))
