"""Training steps (script mode)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...definition.entries import StepSpec
from ._base import StepContext, StepResult, stopping_timeout
from ._training_job import instance_type_of, metric_list, run_training_job


class TrainingExecutor:
    """Runs a script-mode training job; see ``_training_job`` for the conventions.

    Properties follow ``DescribeTrainingJob``: ``ModelArtifacts.S3ModelArtifacts`` is
    ``<S3OutputPath>/<job>/output/model.tar.gz`` and ``FinalMetricDataList`` holds the
    last value of each ``MetricDefinitions`` regex.

    Example::

        TrainingExecutor().run(spec, ctx).properties["ModelArtifacts"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Run one training job."""
        arguments: Mapping[str, Any] = ctx.arguments
        algorithm = arguments.get("AlgorithmSpecification") or {}
        output_path = str((arguments.get("OutputDataConfig") or {}).get("S3OutputPath", ""))
        resources = arguments.get("ResourceConfig") or {}
        run = run_training_job(
            ctx,
            job_name=ctx.job_name,
            algorithm=algorithm,
            hyperparameters=arguments.get("HyperParameters") or {},
            channels=list(arguments.get("InputDataConfig") or []),
            output_path=output_path,
            environment=arguments.get("Environment") or {},
            timeout=stopping_timeout(arguments),
            work="sandbox",
            log=ctx.log,
            instance_type=instance_type_of(resources),
            instance_groups=list(resources.get("InstanceGroups") or []),
            checkpoint=arguments.get("CheckpointConfig"),
        )
        arn = ctx.arn("training-job")
        properties = dict(arguments)
        properties.update(
            TrainingJobName=run.job_name,
            TrainingJobArn=arn,
            TrainingJobStatus="Completed",
            SecondaryStatus="Completed",
            ModelArtifacts={"S3ModelArtifacts": run.model_uri},
            FinalMetricDataList=metric_list(run.metrics, run.ended),
            CreationTime=run.started,
            TrainingStartTime=run.started,
            TrainingEndTime=run.ended,
            LastModifiedTime=run.ended,
            TrainingTimeInSeconds=max(1, round(run.seconds)),
            BillableTimeInSeconds=max(1, round(run.seconds)),
        )
        outputs: dict[str, Path] = {run.job_uri: run.job_directory}
        names = {run.job_uri: "model"}
        if run.checkpoints is not None:
            checkpoint_uri, checkpoint_folder = run.checkpoints
            outputs[checkpoint_uri] = checkpoint_folder
            names[checkpoint_uri] = "checkpoints"
        return StepResult(
            properties=properties,
            outputs=outputs,
            output_names=names,
            metadata={"TrainingJob": {"Arn": arn}},
        )
