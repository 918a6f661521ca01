"""AWS CDK constructs for SageMaker Pipelines (imports ``aws_cdk``).

Example::

    from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry, Pipeline
"""

try:
    import aws_cdk  # noqa: F401 (it imports constructs and jsii, the rest of what is needed)
except ModuleNotFoundError as missing:
    # Without the extra the first import of ``aws_cdk`` fails several modules deep, in a
    # line that says nothing about how to get it.
    package = (missing.name or "").partition(".")[0]
    if package not in {"aws_cdk", "constructs", "jsii"}:
        raise
    raise ModuleNotFoundError(
        f"cdk_sagemaker_pipelines.cdk needs aws-cdk-lib (no module named {package!r}): "
        "install the package with its 'cdk' extra, pip install 'cdk-sagemaker-pipelines[cdk]'. "
        "The definition language, the local runner and smpipe need only botocore.",
        name=package,
    ) from None

from ..definition.steps.endpoint import ServerlessConfig
from ._schedule import schedule_expression_problem
from ._signature import show_init_signatures
from .artifacts import (
    DATA_CAPTURE_PREFIX,
    EXECUTIONS_PREFIX,
    MODELS_PREFIX,
    SEALED_PREFIX,
    ArtifactStore,
    SealedRetention,
    enable_event_bridge_notifications,
)
from .component_endpoint import (
    ComponentAdapter,
    ComponentCompute,
    ComponentEndpoint,
    EndpointComponent,
    ManagedInstanceScaling,
)
from .endpoint import (
    ASYNC_INFERENCE_PREFIX,
    AsyncInference,
    DataCapture,
    Deployment,
    EndpointErrorAlarms,
    EndpointVariant,
    ModelEndpoint,
)
from .endpoint_monitor import (
    DATA_METRICS_NAMESPACE,
    MONITORING_PREFIX,
    DataQualityMonitor,
    MonitorBaseline,
    MonitorSchedule,
)
from .monitoring import PipelineMonitoring, notify_topic
from .pipeline import Pipeline, PipelineBase
from .registry import ModelRegistry
from .triggers import (
    NewDataTrigger,
    PipelineFailureNotifications,
    PipelineSchedule,
    SageMakerPipelineTarget,
)
from .validation import FAIL_SYNTH_ON_VALIDATION_ERRORS, SageMakerPipelineChecks, synth_app

__all__ = [
    "ASYNC_INFERENCE_PREFIX",
    "DATA_CAPTURE_PREFIX",
    "DATA_METRICS_NAMESPACE",
    "EXECUTIONS_PREFIX",
    "FAIL_SYNTH_ON_VALIDATION_ERRORS",
    "MODELS_PREFIX",
    "MONITORING_PREFIX",
    "SEALED_PREFIX",
    "ArtifactStore",
    "AsyncInference",
    "ComponentAdapter",
    "ComponentCompute",
    "ComponentEndpoint",
    "DataCapture",
    "DataQualityMonitor",
    "Deployment",
    "EndpointComponent",
    "EndpointErrorAlarms",
    "EndpointVariant",
    "ManagedInstanceScaling",
    "ModelEndpoint",
    "ModelRegistry",
    "MonitorBaseline",
    "MonitorSchedule",
    "NewDataTrigger",
    "Pipeline",
    "PipelineBase",
    "PipelineFailureNotifications",
    "PipelineMonitoring",
    "PipelineSchedule",
    "SageMakerPipelineChecks",
    "SageMakerPipelineTarget",
    "SealedRetention",
    "ServerlessConfig",
    "enable_event_bridge_notifications",
    "notify_topic",
    "schedule_expression_problem",
    "synth_app",
]

# help(Pipeline), a notebook's call help and IDEs show the props, not (*args, **kwargs).
show_init_signatures(*(globals()[name] for name in __all__ if isinstance(globals()[name], type)))
