"""The local runner: execute a pipeline definition on this machine, without Docker or AWS.

Imports the definition language and the standard library only, never ``aws_cdk``.

Example::

    from cdk_sagemaker_pipelines.local import LocalConfig, LocalRunner, ResourceMap

    runner = LocalRunner(LocalConfig(root=tmp_path, resources=ResourceMap(s3={…})))
    result = runner.run(definition, parameters={"AccuracyThreshold": "0.99"})
    assert result.status == "Failed"
"""

from ._errors import LocalRunError
from .assembly import load_assembly
from .compare import (
    ExecutionComparison,
    ExecutionSide,
    RegisteredVersion,
    RunChange,
    compare_executions,
    render_comparison_markdown,
    render_comparison_text,
)
from .isolation import IsolationMode, choose_isolation
from .records import ExecutionRecord
from .registry import ModelPackage, ModelRegistry
from .resources import LambdaHandler, ResourceMap
from .result import ExecutionResult, StepRun
from .runner import LoadedPipeline, LocalConfig, LocalRunner, ProgressEvent, retry_delay
from .scheduler import Scheduler, StepNode, StepState

__all__ = [
    "ExecutionComparison",
    "ExecutionRecord",
    "ExecutionResult",
    "ExecutionSide",
    "IsolationMode",
    "LambdaHandler",
    "LoadedPipeline",
    "LocalConfig",
    "LocalRunError",
    "LocalRunner",
    "ModelPackage",
    "ModelRegistry",
    "ProgressEvent",
    "RegisteredVersion",
    "ResourceMap",
    "RunChange",
    "Scheduler",
    "StepNode",
    "StepRun",
    "StepState",
    "choose_isolation",
    "compare_executions",
    "load_assembly",
    "render_comparison_markdown",
    "render_comparison_text",
    "retry_delay",
]
