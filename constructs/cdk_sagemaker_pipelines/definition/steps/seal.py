"""``SealStep``: copy the artifacts a model version will record to write-once keys.

A registered version names S3 keys (``ModelDataUrl``, its metrics and baselines), not
object versions; a key under a job step's output prefix stays writable by that step's
role, that is by the next execution's training code. A ``SealStep`` copies each artifact
to ``sealed/<pipeline>/<execution id>/<step>/<name>/…`` of the artifact bucket, where
only the sealing function may write, once (see the CDK ``Pipeline``'s bucket policy).
Its ``manifests`` are listed rather than copied: one write-once JSON-lines object per
entry records which objects (keys, version ids, ETags) were under an input prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render
from .._seal_entries import SEAL_ACTION, SEALED_PREFIX, is_seal_entry
from .._typecheck import checked
from ..bindables import UNBOUND, BindingError, SealTarget
from ..expressions import Expression
from ..properties import PropertyNode, root_node
from ._base import Step

if TYPE_CHECKING:
    from ..property_types import SealStepProperties

# An artifact name is an OutputParameters name: letters, digits, '_' and '-', as the
# Lambda step's outputs take, and short enough to keep keys readable.
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
MANIFEST_SUFFIX = ".manifest.jsonl"
"""A manifest's key: ``<sealed prefix>/<name>.manifest.jsonl`` (no artifact name has a dot)."""


def sealed_key(destination: str, name: str, source: str, relative: str | None = None) -> str:
    """The sealed URI of ``source`` (or of ``relative`` under a source prefix).

    Example::

        sealed_key("s3://b/sealed/p/e1/Seal", "model", "s3://b/models/p/Train/x/model.tar.gz")
        # "s3://b/sealed/p/e1/Seal/model/model.tar.gz"
    """
    tail = relative if relative is not None else source.rstrip("/").rsplit("/", 1)[-1]
    return f"{destination.rstrip('/')}/{name}/{tail}"


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class SealStep(Step):
    """Copies ``artifacts`` (name → S3 URI) to write-once keys; ``sealed(name)`` reads a copy.

    Runs as a Lambda step whose function the CDK ``Pipeline`` construct provides (the
    local runner copies natively). Each execution's copies get their own keys,
    ``s3://<artifact bucket>/sealed/<pipeline>/<execution id>/<step>/<name>/<file>``: a
    single object keeps its file name, a prefix its layout (``sealed(name)`` is then the
    prefix). Give ``RegisterModel`` the sealed copies, so no later job can change what
    an approved version serves.

    ``manifests`` (name → S3 URI, typically the training data) are listed, not copied:
    the function writes one JSON-lines object per entry,
    ``…/<step>/<name>.manifest.jsonl``, recording each object under the URI (key, version
    id, ETag, size, last modified), write-once as the copies. ``manifest_uri(name)`` is
    its URI, for ``RegisterModel(customer_metadata=…)``. A manifest records versions; only
    a versioned bucket that keeps noncurrent versions can serve them again.

    Example::

        seal = SealStep(name="Seal", artifacts={
            "model": train.properties.ModelArtifacts.S3ModelArtifacts,
            "metrics": Join(on="/", values=[evaluate.output("evaluation"), "evaluation.json"]),
        })
        RegisterModel(name="Register", model_data=seal.sealed("model"), ...)

        seal = SealStep(name="Seal", artifacts={…}, manifests={"training-data": train_uri})
        RegisterModel(..., customer_metadata={
            "input-manifest": seal.manifest_uri("training-data")})
    """

    artifacts: Mapping[str, Any] = field(default_factory=dict)
    manifests: Mapping[str, Any] = field(default_factory=dict)
    step_type: ClassVar[str] = "Lambda"
    # What the step renders beside its artifacts: the copies' place (the binder's bucket,
    # the step's name). No argument produces the marker (the class does) nor FunctionArn
    # (the binder's sealing function): a problem there is the binder's, not name='s.
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.Artifacts": "artifacts",
        "Arguments.Manifests": "manifests",
        "Arguments.Destination": "name",
        "OutputParameters": "artifacts",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> SealStepProperties: ...

    def __post_init__(self) -> None:
        where = f"SealStep '{self.name}' field 'artifacts'"
        if not isinstance(self.artifacts, Mapping) or not (self.artifacts or self.manifests):
            raise PipelineDefinitionError(
                f"{where}: expected at least one name → S3 URI to seal, got "
                f"{self.artifacts!r:.60} (e.g. artifacts={{'model': "
                "train.properties.ModelArtifacts.S3ModelArtifacts}, or manifests={…})"
            )
        _check_uris(where, self.artifacts)
        manifests = f"SealStep '{self.name}' field 'manifests'"
        if not isinstance(self.manifests, Mapping):
            raise PipelineDefinitionError(
                f"{manifests}: expected name → S3 URI to list, got {self.manifests!r:.60} "
                "(e.g. manifests={'training-data': preprocess.output('train')})"
            )
        _check_uris(manifests, self.manifests)
        for name in self.manifests:
            if name in self.artifacts:
                raise PipelineDefinitionError(
                    f"{manifests}: {name!r} names an artifact too: each output has its own "
                    "name (e.g. 'model' for the copy, 'training-data' for the manifest)"
                )

    def sealed(self, name: str) -> Any:
        """The sealed copy of artifact ``name``: ``properties.OutputParameters[name]``.

        Example::

            RegisterModel(..., model_data=seal.sealed("model"))
        """
        if name not in self.artifacts:
            raise PipelineDefinitionError(
                f"SealStep '{self.name}' seals no artifact {name!r} (it seals: "
                f"{', '.join(sorted(self.artifacts)) or 'none'})"
            )
        return self.properties.OutputParameters[name]

    def manifest_uri(self, name: str) -> Any:
        """The S3 URI of manifest ``name``: ``properties.OutputParameters[name]``.

        Example::

            RegisterModel(..., customer_metadata={
                "input-manifest": seal.manifest_uri("training-data")})
        """
        if name not in self.manifests:
            raise PipelineDefinitionError(
                f"SealStep '{self.name}' lists no manifest {name!r} (it lists: "
                f"{', '.join(sorted(self.manifests)) or 'none'})"
            )
        return self.properties.OutputParameters[name]

    def _outputs(self) -> list[str]:
        """The step's output names: each artifact's sealed URI, then each manifest's."""
        return [*self.artifacts, *self.manifests]

    def _property_root(self) -> PropertyNode | None:
        return root_node(self.step_type, {name: "String" for name in self._outputs()})

    def _target(self, ctx: RenderContext) -> SealTarget | None:
        def bind() -> JsonValue:
            seal = getattr(ctx.binder, "seal_target", None)
            if seal is None:
                raise BindingError(
                    "no sealing function",
                    "deploy with the CDK Pipeline construct, which provides it, or compile "
                    "with StaticBinder(seal_function_arn=…, default_bucket=…)",
                )
            target = seal(step_name=self.name)
            return {"FunctionArn": target.function_arn, "Bucket": target.bucket_uri}

        bound = ctx.bind(self.name, "FunctionArn", bind, rendered=True)
        if bound is UNBOUND or not isinstance(bound, dict):
            return None
        return SealTarget(function_arn=bound["FunctionArn"], bucket_uri=bound["Bucket"])

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        target = self._target(ctx)
        bucket = render(target.bucket_uri, ctx) if target else UNBOUND
        arguments: dict[str, JsonValue] = {
            "Action": SEAL_ACTION,
            "Artifacts": render(dict(self.artifacts), ctx),
            "Destination": {
                "Std:Join": {
                    "On": "/",
                    "Values": [
                        bucket,
                        SEALED_PREFIX.rstrip("/"),
                        {"Get": "Execution.PipelineName"},
                        {"Get": "Execution.PipelineExecutionId"},
                        self.name,
                    ],
                }
            },
        }
        if self.manifests:  # left out otherwise: definitions without one stay as they were
            arguments["Manifests"] = render(dict(self.manifests), ctx)
        return arguments

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        target = self._target(ctx)
        return compact(
            FunctionArn=render(target.function_arn, ctx) if target else UNBOUND,
            OutputParameters=[
                {"OutputName": name, "OutputType": "String"} for name in self._outputs()
            ],
        )


def _check_uris(where: str, entries: Mapping[str, Any]) -> None:
    """Each entry: a valid output name → an S3 URI naming a key, or an expression."""
    for name, value in entries.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise PipelineDefinitionError(
                f"{where}: name {name!r} is not a valid output name (a letter, then up "
                "to 63 letters, digits, '_' or '-')"
            )
        if isinstance(value, Expression):
            continue
        if not isinstance(value, str) or not value.startswith("s3://"):
            raise PipelineDefinitionError(
                f"{where}: '{name}' is {value!r:.80}, not an S3 URI or an expression "
                "(pass a step property such as train.properties.ModelArtifacts."
                "S3ModelArtifacts, a Join, or 's3://bucket/key')"
            )
        bucket = value[len("s3://") :].split("/", 1)
        if not bucket[0] or len(bucket) < 2 or not bucket[1]:
            raise PipelineDefinitionError(
                f"{where}: '{name}' is {value!r}, which names no key in its bucket"
            )


__all__ = ["MANIFEST_SUFFIX", "SEAL_ACTION", "SealStep", "is_seal_entry", "sealed_key"]
