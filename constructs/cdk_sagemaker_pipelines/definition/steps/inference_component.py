"""``InferenceComponentStep``: deploy a model to an endpoint as an inference component.

CreateInferenceComponent, or UpdateInferenceComponent when the component exists (the
service chooses), as the SageMaker SDK's ``InferenceComponentStep``: one model among several
on an endpoint whose variant names no model, each scaled on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import PipelineDefinitionError
from .._render import JsonValue, RenderContext, compact, render
from .._typecheck import checked
from ..expressions import Expression
from ..jobs import check_tags, render_tags
from ._base import Step, add_job_tags, argument_with_extra, merge_extra_arguments
from .endpoint import DEFAULT_VARIANT_NAME

if TYPE_CHECKING:
    from ..property_types import InferenceComponentStepProperties


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class ComputeResourceRequirements:
    """What each copy of an inference component reserves of its endpoint's instances.

    ``min_memory_required_in_mb`` is required; CPU cores and accelerators are reserved per
    copy, memory up to ``max_memory_required_in_mb``.

    Example::

        ComputeResourceRequirements(min_memory_required_in_mb=1024,
                                    number_of_accelerator_devices_required=1)
    """

    min_memory_required_in_mb: int | Expression
    number_of_cpu_cores_required: int | float | Expression | None = None
    number_of_accelerator_devices_required: int | float | Expression | None = None
    max_memory_required_in_mb: int | Expression | None = None

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The ``ComputeResourceRequirements`` member of a component's ``Specification``."""
        return compact(
            NumberOfCpuCoresRequired=render(self.number_of_cpu_cores_required, ctx),
            NumberOfAcceleratorDevicesRequired=render(
                self.number_of_accelerator_devices_required, ctx
            ),
            MinMemoryRequiredInMb=render(self.min_memory_required_in_mb, ctx),
            MaxMemoryRequiredInMb=render(self.max_memory_required_in_mb, ctx),
        )


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class InferenceComponentStep(Step):
    """Deploys a model to an endpoint as an inference component (create, or update if it exists).

    The component ``inference_component_name`` runs ``model_name`` (usually a ``ModelStep``'s
    ``ModelName``) on variant ``variant_name`` (Default: ``AllTraffic``) of the endpoint
    ``endpoint_name``: usually an ``EndpointStep``'s ``properties.EndpointName``, of a
    configuration whose variant names no model. Each of its ``copy_count`` copies (Default:
    1, as the SDK writes it) reserves ``compute_resource_requirements``. Other members of
    the request (the ``Specification``'s ``Container``, ``StartupParameters``,
    ``BaseInferenceComponentName``) go in ``extra_arguments``, which merge into it.
    ``tags`` (key → value) tag a new component, and so do the binder's job tags (the CDK
    ``Pipeline``'s ``job_tags``; the step's own win on a shared key), as they tag the
    endpoint and its configuration: an organization that requires tags on every
    ``sagemaker:Create*`` request refuses a component without them. An update keeps the
    component's tags (UpdateInferenceComponent takes none). Neither cached nor retried: the
    SDK's ``InferenceComponentStep`` takes neither.

    Example::

        InferenceComponentStep(name="DeployComponent", inference_component_name="churn-model",
                               endpoint_name=endpoint.properties.EndpointName,
                               model_name=model.properties.ModelName,
                               compute_resource_requirements=ComputeResourceRequirements(
                                   min_memory_required_in_mb=1024,
                                   number_of_accelerator_devices_required=1))
    """

    inference_component_name: str | Expression
    endpoint_name: str | Expression
    model_name: str | Expression | None = None
    variant_name: str | Expression | None = DEFAULT_VARIANT_NAME
    compute_resource_requirements: ComputeResourceRequirements | None = None
    copy_count: int | Expression = 1
    tags: Mapping[str, Any] | None = None
    extra_arguments: Mapping[str, Any] | None = None
    step_type: ClassVar[str] = "InferenceComponent"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments.InferenceComponentName": "inference_component_name",
        "Arguments.EndpointName": "endpoint_name",
        "Arguments.VariantName": "variant_name",
        "Arguments.Specification.ModelName": "model_name",
        "Arguments.Specification.ComputeResourceRequirements": "compute_resource_requirements",
        "Arguments.RuntimeConfig.CopyCount": "copy_count",
        "Arguments.Tags": "tags",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> InferenceComponentStepProperties: ...

    def _validate(self) -> None:
        owner = f"{type(self).__name__} '{self.name}'"
        check_tags(owner, self.tags)
        specification = (self.extra_arguments or {}).get("Specification")
        if self.model_name is None and not specification:
            raise PipelineDefinitionError(
                f"{owner}: give model_name= (the model the component runs, e.g. "
                "model.properties.ModelName), or a Specification with a Container or a "
                'BaseInferenceComponentName in extra_arguments={"Specification": {…}}'
            )

    def argument_for(self, field: str) -> str | None:
        """The keyword argument that produced ``field``; ``extra_arguments`` for its members."""
        return argument_with_extra(self, self.extra_arguments, field)

    def _render_entry(self, ctx: RenderContext) -> dict[str, JsonValue]:
        entry = merge_extra_arguments(Step._render_entry(self, ctx), self.extra_arguments, ctx)
        # JOB_TAG_STEP_TYPES decides, as for every other step.
        return add_job_tags(entry, ctx, self)

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        specification = compact(
            ModelName=render(self.model_name, ctx),
            ComputeResourceRequirements=(
                self.compute_resource_requirements.to_request(ctx)
                if self.compute_resource_requirements is not None
                else None
            ),
        )
        return compact(
            InferenceComponentName=render(self.inference_component_name, ctx),
            EndpointName=render(self.endpoint_name, ctx),
            VariantName=render(self.variant_name, ctx),
            Specification=specification or None,
            RuntimeConfig={"CopyCount": render(self.copy_count, ctx)},
            Tags=render_tags(self.tags, ctx),
        )


__all__ = ["ComputeResourceRequirements", "InferenceComponentStep"]
