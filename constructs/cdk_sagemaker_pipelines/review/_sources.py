"""Load the definition a review command looks at: a JSON file or a pipeline in ``cdk.out``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..definition_files import load_definition_file


class SourceError(ValueError):
    """A source that can't be read as a pipeline definition (the message says why)."""


@dataclass(frozen=True)
class ReviewSource:
    """A definition and how to name it in output.

    Example::

        ReviewSource({"Version": "2020-12-01", "Steps": []}, "build/pipeline.json")
    """

    definition: dict[str, Any]
    label: str


def load_source(source: str | Path, pipeline: str | None = None) -> ReviewSource:
    """Read ``source``: a definition JSON file, or a cloud assembly directory.

    From an assembly, ``pipeline`` (name, construct path or logical id, as for
    ``smpipe run --assembly``) chooses the pipeline; it may be omitted when there is one.
    The definition is the one that deploys, with CloudFormation intrinsics resolved to the
    stand-ins the local runner uses (account ``000000000000``, buckets named after their
    construct paths), so two assemblies synthesized from the same app compare value by
    value. Raises ``SourceError`` naming the source.
    """
    path = Path(source)
    if path.is_dir():
        # Imported on demand: reading a JSON file doesn't pay for the runner's import.
        from ..local._errors import LocalRunError
        from ..local.assembly import load_assembly

        try:
            loaded = load_assembly(path, pipeline=pipeline)
        except LocalRunError as error:
            raise SourceError(str(error)) from None
        definition: Any = dict(loaded.definition)
        label = f"{path}:{loaded.pipeline_name}"
    else:
        if pipeline is not None:
            raise SourceError(
                f"{path}: --pipeline chooses a pipeline of a cloud assembly (a cdk.out "
                "directory); a definition file holds one pipeline"
            )
        try:
            definition = load_definition_file(path)
        except OSError as error:
            raise SourceError(f"{path}: cannot read: {error.strerror or error}") from None
        except ValueError as error:
            raise SourceError(f"{path}: cannot read: {error}") from None
        label = str(path)
    if not isinstance(definition, dict) or not isinstance(definition.get("Steps"), list):
        raise SourceError(f"{label}: not a pipeline definition (no list of Steps)")
    return ReviewSource(definition, label)
