"""InferenceComponent steps: recorded locally, never served (see ``executors/endpoint.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...definition.entries import StepSpec
from .._errors import StepError
from ..hosting import LocalHosting
from ._base import StepContext, StepResult, timestamp
from .endpoint import local_model, local_note


class InferenceComponentExecutor:
    """Records an inference component, created or (when it exists) updated.

    Its endpoint must be in the local hosting table, on a variant that names no model (an
    endpoint for inference components), and its model a local one. ``RuntimeConfig`` is
    summarized as the service does (``DesiredCopyCount`` and ``CurrentCopyCount``). The
    record keeps the tags the component was created with, as an update takes none.

    Example::

        InferenceComponentExecutor().run(spec, ctx).properties["InferenceComponentStatus"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Create or update the component's record."""
        arguments: Mapping[str, Any] = ctx.arguments
        hosting = LocalHosting(ctx.settings.root)
        name = arguments.get("InferenceComponentName")
        endpoint_name = arguments.get("EndpointName")
        endpoint = (
            hosting.read("endpoint", endpoint_name) if isinstance(endpoint_name, str) else None
        )
        if endpoint is None:
            raise StepError(
                f"EndpointName: no local endpoint named {endpoint_name!r}: the local runner "
                "deploys components to endpoints an Endpoint step of a local execution created"
            )
        config = hosting.read("endpoint-config", str(endpoint.get("EndpointConfigName"))) or {}
        variant_name = arguments.get("VariantName")
        variants = [v for v in config.get("ProductionVariants") or [] if isinstance(v, Mapping)]
        variant = next((v for v in variants if v.get("VariantName") == variant_name), None)
        if variant_name is not None and variant is None:
            known = ", ".join(repr(v.get("VariantName")) for v in variants) or "none"
            raise StepError(
                f"VariantName: endpoint {endpoint_name!r} has no variant {variant_name!r} "
                f"(its variants: {known})"
            )
        if variant is not None and variant.get("ModelName") is not None:
            raise StepError(
                f"VariantName: variant {variant_name!r} of endpoint {endpoint_name!r} serves "
                f"model {variant['ModelName']!r}: inference components go on a variant that "
                "names no model (ProductionVariant(model_name=None, …) in the endpoint "
                "configuration)"
            )
        specification = dict(arguments.get("Specification") or {})
        if specification.get("ModelName") is not None:
            local_model(ctx, specification["ModelName"], "Specification.ModelName")
        previous = hosting.read("inference-component", str(name))
        now = timestamp(ctx.now())
        arn = ctx.arn("inference-component", str(name))
        copies = (arguments.get("RuntimeConfig") or {}).get("CopyCount", 1)
        properties: dict[str, Any] = {
            "InferenceComponentName": name,
            "InferenceComponentArn": arn,
            "EndpointName": endpoint_name,
            "EndpointArn": endpoint.get("EndpointArn"),
            "Specification": specification,
            "RuntimeConfig": {"DesiredCopyCount": copies, "CurrentCopyCount": copies},
            "CreationTime": previous.get("CreationTime", now) if previous else now,
            "LastModifiedTime": now,
            "InferenceComponentStatus": "InService",
        }
        if variant_name is not None:
            properties["VariantName"] = variant_name
        hosting.write(
            "inference-component",
            str(name),
            {
                **properties,
                # UpdateInferenceComponent takes no Tags: an update keeps the created ones.
                "Tags": (previous.get("Tags") if previous else arguments.get("Tags")) or [],
                "Local": local_note(ctx, step),
            },
        )
        return StepResult(properties=properties, metadata={"InferenceComponent": {"Arn": arn}})
