"""AWS CDK constructs for SageMaker Pipelines (imports ``aws_cdk``).

Example::

    from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry, Pipeline
"""

from .artifacts import (
    EXECUTIONS_PREFIX,
    MODELS_PREFIX,
    ArtifactStore,
    enable_event_bridge_notifications,
)
from .monitoring import PipelineMonitoring
from .pipeline import Pipeline
from .registry import ModelRegistry
from .triggers import (
    NewDataTrigger,
    PipelineFailureNotifications,
    PipelineSchedule,
    SageMakerPipelineTarget,
)
from .validation import FAIL_SYNTH_ON_VALIDATION_ERRORS, SageMakerPipelineChecks, synth_app

__all__ = [
    "EXECUTIONS_PREFIX",
    "FAIL_SYNTH_ON_VALIDATION_ERRORS",
    "MODELS_PREFIX",
    "ArtifactStore",
    "ModelRegistry",
    "NewDataTrigger",
    "Pipeline",
    "PipelineFailureNotifications",
    "PipelineMonitoring",
    "PipelineSchedule",
    "SageMakerPipelineChecks",
    "SageMakerPipelineTarget",
    "enable_event_bridge_notifications",
    "synth_app",
]
