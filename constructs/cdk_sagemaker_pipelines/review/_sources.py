"""Load the definition a review command looks at: a JSON file or a pipeline in ``cdk.out``."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..definition_files import load_definition_file


class SourceError(ValueError):
    """A source that can't be read as a pipeline definition (the message says why).

    Example::

        try:
            load_source("cdk.out")
        except SourceError as error:
            print(error)  # "cdk.out: the assembly has several pipelines; choose one …"
    """


@dataclass(frozen=True, slots=True)
class ReviewSource:
    """A definition, how to name it in output, and (from a ``cdk.out``) its file assets.

    ``assets`` maps the hash of each file asset to its staged file (``cdk.out/asset.<hash>…``),
    so a diff can say which file a changed hash stands for, and ``asset_names`` maps it to the
    asset's display name in the assembly's asset manifests (``Training/CodeEvaluatePy``:
    the construct path of the code within its stack), when the CDK that wrote it gave one.

    Example::

        ReviewSource({"Version": "2020-12-01", "Steps": []}, "build/pipeline.json")
    """

    definition: dict[str, Any]
    label: str
    assets: Mapping[str, str] = field(default_factory=dict)
    asset_names: Mapping[str, str] = field(default_factory=dict)


def load_source(
    source: str | Path, pipeline: str | None = None, *, pipeline_option: str = "--pipeline"
) -> ReviewSource:
    """Read ``source``: a definition JSON file, or a cloud assembly directory.

    From an assembly, ``pipeline`` (name, construct path or logical id, as for
    ``smpipe run --assembly``) chooses the pipeline; it may be omitted when there is one.
    The definition is the one that deploys, with CloudFormation intrinsics resolved to the
    stand-ins the local runner uses (account ``000000000000``, buckets named after their
    construct paths), so two assemblies synthesized from the same app compare value by
    value. Raises ``SourceError`` naming the source (and ``pipeline_option``, the command
    line option that gave ``pipeline``, when a definition file is given one).
    """
    if not isinstance(source, str | os.PathLike):
        raise SourceError(
            "load_source: source must be the path of a definition JSON file or a cloud "
            f"assembly, got {type(source).__name__} {source!r}"
        )
    path = Path(source)
    if path.is_dir() or _missing_assembly(path, pipeline):
        # Imported on demand: reading a JSON file doesn't pay for the runner's import.
        from ..local._errors import LocalRunError
        from ..local.assembly import load_assembly

        try:
            loaded = load_assembly(path, pipeline=pipeline)
        except LocalRunError as error:
            # The option that chooses on this side (smpipe diff's --new-pipeline, say).
            message = str(error).replace("with --pipeline:", f"with {pipeline_option}:")
            # Which assembly, when two are compared ("no pipeline 'x' in the assembly").
            if not message.startswith(str(path)):
                message = f"{path}: {message}"
            raise SourceError(message) from None
        definition: Any = dict(loaded.definition)
        label = f"{path}:{loaded.pipeline_name}"
        assets = _staged_assets(path, loaded.resources.s3)
        asset_names = _asset_display_names(path, assets)
    else:
        if pipeline is not None:
            raise SourceError(
                f"{path}: {pipeline_option} chooses a pipeline of a cloud assembly (a cdk.out "
                "directory); a definition file holds one pipeline"
            )
        try:
            definition = load_definition_file(path)
        except OSError as error:
            raise SourceError(f"{path}: cannot read: {error.strerror or error}") from None
        except ValueError as error:
            raise SourceError(f"{path}: cannot read: {error}") from None
        label = str(path)
        assets, asset_names = {}, {}
    if not isinstance(definition, dict) or not isinstance(definition.get("Steps"), list):
        raise SourceError(f"{label}: not a pipeline definition (no list of Steps)")
    return ReviewSource(definition, label, assets, asset_names)


def _missing_assembly(path: Path, pipeline: str | None) -> bool:
    """Whether ``path``, which doesn't exist, is meant as a cloud assembly.

    A pipeline is chosen in an assembly: given one, a missing path that isn't named as a
    definition file (``….json``) is a ``cdk.out`` not synthesized yet, or mistyped, whose
    error should say so rather than refuse the choice.
    """
    return pipeline is not None and not path.exists() and path.suffix.lower() != ".json"


def _staged_assets(assembly: Path, served: Mapping[str, str | Path]) -> dict[str, str]:
    """Asset hash → staged file, named from ``assembly`` as given (``cdk.out/asset.….py``)."""
    root = assembly.resolve()
    assets: dict[str, str] = {}
    for uri, staged in served.items():
        # A file asset's object key is its hash (and extension).
        match = re.fullmatch(r"([0-9a-f]{64})(\.[^/]*)?", uri.rpartition("/")[2])
        if match is None:
            continue
        staged_path = Path(staged)
        try:
            shown = assembly / staged_path.relative_to(root)
        except ValueError:
            shown = staged_path  # staged outside the assembly
        assets[match[1]] = str(shown)
    return assets


def _asset_display_names(assembly: Path, assets: Mapping[str, str]) -> dict[str, str]:
    """Asset hash → its ``displayName`` in the assembly's ``*.assets.json``, for ``assets``.

    The same asset in several stacks (dev, staging, prod) has the name first in path order.
    A manifest that can't be read names nothing: the diff shows the staged file's name.
    """
    names: dict[str, str] = {}
    for manifest in sorted(assembly.rglob("*.assets.json")):
        try:
            files = json.loads(manifest.read_text(encoding="utf-8")).get("files") or {}
        except (OSError, ValueError, AttributeError):
            continue
        for item in files.values() if isinstance(files, Mapping) else ():
            name = item.get("displayName") if isinstance(item, Mapping) else None
            if not isinstance(name, str) or not name:
                continue
            destinations = item.get("destinations") or {}
            for destination in destinations.values() if isinstance(destinations, Mapping) else ():
                key = destination.get("objectKey") if isinstance(destination, Mapping) else None
                match = re.fullmatch(r"([0-9a-f]{64})(\.[^/]*)?", str(key).rpartition("/")[2])
                if match is not None and match[1] in assets:
                    names.setdefault(match[1], name)
    return names


def pipelines_of_both(old: str, new: str, command: str) -> list[tuple[str, str]] | None:
    """Construct paths of the pipelines of two assemblies: ``compared``, ``added``, ``removed``.

    The new side's order, then what only the old side has; ``None`` (after printing why,
    as ``smpipe <command>: …``) when an assembly can't be read. ``smpipe diff`` and
    ``smpipe access`` match pipelines so.

    Example::

        pipelines_of_both("/tmp/base.out", "cdk.out", "diff")
        # [("dev/MlOps/Training", "compared"), ("prod/MlOps/Training", "compared")]
    """
    from ..local._errors import LocalRunError
    from ..local.assembly import pipeline_paths

    found: list[list[str]] = []
    for directory in (old, new):
        try:
            found.append(pipeline_paths(directory))
        except LocalRunError as error:
            message = str(error)
            prefix = "" if message.startswith(directory) else f"{directory}: "
            print(f"smpipe {command}: {prefix}{message}", file=sys.stderr)
        except (OSError, ValueError) as error:
            # A manifest or template that isn't JSON: unreadable (exit 2), not a traceback.
            print(
                f"smpipe {command}: {directory}: can't be read as a cloud assembly: {error}",
                file=sys.stderr,
            )
    if len(found) < 2:
        return None
    before, after = found
    return [(path, "compared" if path in before else "added") for path in after] + [
        (path, "removed") for path in before if path not in after
    ]
