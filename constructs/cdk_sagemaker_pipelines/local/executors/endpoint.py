"""EndpointConfig and Endpoint steps: recorded locally, never served.

Each creates (or, for an endpoint or component that exists, updates) a record of the
local hosting table (``local/hosting.py``), with the properties the service's Describe*
call gives, so later steps read them as they would on SageMaker. The models they deploy
must be ones a Model step of a local execution recorded (``<root>/models``), as a Transform
step's must; no container starts and no request can be sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...definition.entries import StepSpec
from .._errors import StepError
from .._paths import name_problem
from ..hosting import LocalHosting
from ._base import StepContext, StepResult, timestamp

# An endpoint configuration's name is at most 63 characters; the service adds an
# execution-unique suffix to the one a step gives (aws/sagemaker-python-sdk#6224). The
# runner's is "-<execution id>" (12 characters), so the name keeps its first 50.
_CONFIG_NAME_MAX = 63


def configuration_name(requested: str, execution_id: str) -> str:
    """The name the local runner gives the configuration a step asks for: with a suffix.

    Example::

        configuration_name("churn", "p4jn9xou8a8s")  # "churn-p4jn9xou8a8s"
    """
    kept = requested[: _CONFIG_NAME_MAX - len(execution_id) - 1].rstrip("-")
    return f"{kept}-{execution_id}"


def local_model(ctx: StepContext, model_name: Any, where: str) -> Mapping[str, Any]:
    """The record of a model a Model step of a local execution created."""
    path = ctx.settings.root / "models" / f"{model_name}.json"
    if (
        not isinstance(model_name, str)
        or name_problem(model_name) is not None
        or not path.is_file()
    ):
        raise StepError(
            f"{where}: no local model named {model_name!r}: the local runner deploys models "
            "created by a Model step of a local execution"
        )
    record = json.loads(path.read_text(encoding="utf-8"))
    return record if isinstance(record, dict) else {}


def _images(model: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``DeployedImages`` of a model's containers (the images as specified)."""
    containers = [model.get("PrimaryContainer"), *(model.get("Containers") or [])]
    return [
        {"SpecifiedImage": container["Image"], "ResolutionTime": model.get("CreationTime")}
        for container in containers
        if isinstance(container, Mapping) and isinstance(container.get("Image"), str)
    ]


def local_note(ctx: StepContext, step: StepSpec) -> dict[str, Any]:
    return {"ExecutionId": ctx.execution.execution_id, "Step": step.name}


class EndpointConfigExecutor:
    """Records an endpoint configuration: its variants' models must exist locally.

    Its name is the one the step gives with an execution-unique suffix, as the service's
    (``<name>-<execution id>``); ``properties.EndpointConfigName`` is that name.

    Example::

        EndpointConfigExecutor().run(spec, ctx).properties["EndpointConfigName"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Record the configuration."""
        arguments: Mapping[str, Any] = ctx.arguments
        requested = arguments.get("EndpointConfigName")
        if not isinstance(requested, str) or not requested:
            raise StepError(f"EndpointConfigName {requested!r} is not a name")
        variants = arguments.get("ProductionVariants")
        if not isinstance(variants, list) or not variants:
            raise StepError("ProductionVariants lists no variant")
        for index, variant in enumerate(variants):
            model_name = variant.get("ModelName") if isinstance(variant, Mapping) else None
            if model_name is not None:
                local_model(ctx, model_name, f"ProductionVariants[{index}].ModelName")
        hosting = LocalHosting(ctx.settings.root)
        name = configuration_name(requested, ctx.execution.execution_id)
        arn = ctx.arn("endpoint-config", name)
        properties = {key: value for key, value in arguments.items() if key != "Tags"}
        properties.update(
            EndpointConfigName=name,
            EndpointConfigArn=arn,
            CreationTime=timestamp(ctx.now()),
        )
        hosting.write(
            "endpoint-config",
            name,
            {**properties, "Tags": arguments.get("Tags") or [], "Local": local_note(ctx, step)},
        )
        return StepResult(properties=properties, metadata={"EndpointConfig": {"Arn": arn}})


class EndpointExecutor:
    """Records an endpoint, created or (when one of that name exists) updated.

    Its configuration must be in the local hosting table (an EndpointConfig step of a local
    execution created it). ``EndpointStatus`` is ``InService``, as the service reports it
    once deployed; an update keeps ``CreationTime`` and lists the earlier configuration
    in the record's ``Local.History``.

    Example::

        EndpointExecutor().run(spec, ctx).properties["EndpointStatus"]  # "InService"
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Create or update the endpoint's record."""
        arguments: Mapping[str, Any] = ctx.arguments
        hosting = LocalHosting(ctx.settings.root)
        name = arguments.get("EndpointName")
        config_name = arguments.get("EndpointConfigName")
        config = (
            hosting.read("endpoint-config", config_name) if isinstance(config_name, str) else None
        )
        if config is None:
            raise StepError(
                f"EndpointConfigName: no local endpoint configuration named {config_name!r}: "
                "the local runner deploys configurations an EndpointConfig step of a local "
                "execution created (read the name from its properties.EndpointConfigName: "
                "the configuration carries an execution-unique suffix)"
            )
        previous = hosting.read("endpoint", str(name))
        now = timestamp(ctx.now())
        arn = ctx.arn("endpoint", str(name))
        properties: dict[str, Any] = {
            "EndpointName": name,
            "EndpointArn": arn,
            "EndpointConfigName": config_name,
            "ProductionVariants": [
                _variant_summary(ctx, variant) for variant in config.get("ProductionVariants") or []
            ],
            "EndpointStatus": "InService",
            "CreationTime": previous.get("CreationTime", now) if previous else now,
            "LastModifiedTime": now,
        }
        capture = config.get("DataCaptureConfig")
        if isinstance(capture, Mapping):
            enabled = capture.get("EnableCapture", True) is True
            properties["DataCaptureConfig"] = {
                "EnableCapture": enabled,
                "CaptureStatus": "Started" if enabled else "Stopped",
                "CurrentSamplingPercentage": capture.get("InitialSamplingPercentage"),
                "DestinationS3Uri": capture.get("DestinationS3Uri"),
                **({"KmsKeyId": capture["KmsKeyId"]} if capture.get("KmsKeyId") else {}),
            }
        for member in ("AsyncInferenceConfig", "ExplainerConfig"):
            if config.get(member) is not None:
                properties[member] = config[member]
        history = list(((previous or {}).get("Local") or {}).get("History") or [])
        if previous is not None:
            history.append(
                {
                    "EndpointConfigName": previous.get("EndpointConfigName"),
                    "Until": now,
                    "ExecutionId": ((previous.get("Local") or {}).get("ExecutionId")),
                }
            )
        tags = (previous or {}).get("Tags") if previous else arguments.get("Tags")
        hosting.write(
            "endpoint",
            str(name),
            {
                **properties,
                "Tags": tags or [],
                "Local": {**local_note(ctx, step), "History": history},
            },
        )
        return StepResult(properties=properties, metadata={"Endpoint": {"Arn": arn}})


def _variant_summary(ctx: StepContext, variant: Any) -> dict[str, Any]:
    """A variant as DescribeEndpoint summarizes it once deployed."""
    if not isinstance(variant, Mapping):
        return {}
    summary: dict[str, Any] = {"VariantName": variant.get("VariantName")}
    model_name = variant.get("ModelName")
    if isinstance(model_name, str):
        images = _images(local_model(ctx, model_name, "ProductionVariants.ModelName"))
        if images:
            summary["DeployedImages"] = images
    weight = variant.get("InitialVariantWeight")
    if weight is not None:
        summary["CurrentWeight"] = summary["DesiredWeight"] = weight
    if variant.get("ServerlessConfig") is not None:
        summary["CurrentServerlessConfig"] = summary["DesiredServerlessConfig"] = variant[
            "ServerlessConfig"
        ]
    else:
        count = variant.get("InitialInstanceCount", 1)
        summary["CurrentInstanceCount"] = summary["DesiredInstanceCount"] = count
    if variant.get("RoutingConfig") is not None:
        summary["RoutingConfig"] = variant["RoutingConfig"]
    return summary
