"""Test data: an endpoint of inference components, as the deployment step tests build it."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition import (
    EndpointConfigStep,
    EndpointStep,
    InferenceComponentStep,
    ProductionVariant,
)
from cdk_sagemaker_pipelines.definition.expressions import Expression


def components_deployment(
    model_name: str | Expression,
    *,
    config_tags: dict[str, str] | None = None,
    **component: Any,
) -> InferenceComponentStep:
    """The component ``churn-model`` of ``model_name`` on the endpoint ``components``.

    Its configuration (``Config``, one ``ml.g5.2xlarge`` variant naming no model, tagged
    ``config_tags``) and its endpoint (``Deploy``) are reached through its references;
    ``component`` holds the component's other arguments (``tags``, ``copy_count``, …).
    """
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
        tags=config_tags,
    )
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="components",
        endpoint_config_name=config.properties.EndpointConfigName,
    )
    return InferenceComponentStep(
        name="Component",
        inference_component_name="churn-model",
        endpoint_name=endpoint.properties.EndpointName,
        model_name=model_name,
        **component,
    )
