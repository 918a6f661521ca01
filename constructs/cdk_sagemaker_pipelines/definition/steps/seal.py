"""``SealStep``: copy the artifacts a model version will record to write-once keys.

A registered version names S3 keys (``ModelDataUrl``, its metrics and baselines), not
object versions; a key under a job step's output prefix stays writable by that step's
role, that is by the next execution's training code. A ``SealStep`` copies each artifact
to ``sealed/<pipeline>/<execution id>/<step>/<name>/…`` of the artifact bucket, where
only the sealing function may write, once (see the CDK ``Pipeline``'s bucket policy).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
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

    Example::

        seal = SealStep(name="Seal", artifacts={
            "model": train.properties.ModelArtifacts.S3ModelArtifacts,
            "metrics": Join(on="/", values=[evaluate.output("evaluation"), "evaluation.json"]),
        })
        RegisterModel(name="Register", model_data=seal.sealed("model"), ...)
    """

    artifacts: Mapping[str, Any]
    step_type: ClassVar[str] = "Lambda"
    # What the step renders beside its artifacts: the copies' place (the binder's bucket,
    # the step's name). No argument produces the marker (the class does) nor FunctionArn
    # (the binder's sealing function): a problem there is the binder's, not name='s.
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.Artifacts": "artifacts",
        "Arguments.Destination": "name",
        "OutputParameters": "artifacts",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> SealStepProperties: ...

    def __post_init__(self) -> None:
        where = f"SealStep '{self.name}' field 'artifacts'"
        if not isinstance(self.artifacts, Mapping) or not self.artifacts:
            raise PipelineDefinitionError(
                f"{where}: expected at least one name → S3 URI to seal, got "
                f"{self.artifacts!r:.60} (e.g. artifacts={{'model': "
                "train.properties.ModelArtifacts.S3ModelArtifacts})"
            )
        for name, value in self.artifacts.items():
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

    def sealed(self, name: str) -> Any:
        """The sealed copy of artifact ``name``: ``properties.OutputParameters[name]``.

        Example::

            RegisterModel(..., model_data=seal.sealed("model"))
        """
        if name not in self.artifacts:
            raise PipelineDefinitionError(
                f"SealStep '{self.name}' seals no artifact {name!r} (it seals: "
                f"{', '.join(sorted(self.artifacts))})"
            )
        return self.properties.OutputParameters[name]

    def _property_root(self) -> PropertyNode | None:
        return root_node(self.step_type, {name: "String" for name in self.artifacts})

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
        return {
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

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        target = self._target(ctx)
        return compact(
            FunctionArn=render(target.function_arn, ctx) if target else UNBOUND,
            OutputParameters=[
                {"OutputName": name, "OutputType": "String"} for name in self.artifacts
            ],
        )


__all__ = ["SEAL_ACTION", "SealStep", "is_seal_entry", "sealed_key"]
